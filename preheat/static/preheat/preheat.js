// Preheat's behaviour on top of htmx: the dialog, the Actions menu, row
// selection, the auth mode fields and the status popovers. Everything is
// scoped to #preheat-root.
(function () {
  "use strict";

  const root = () => document.getElementById("preheat-root");
  const dialog = () => document.getElementById("preheat-dialog");
  const inRoot = (el) => el instanceof Element && root() !== null && root().contains(el);

  function openDialog() {
    const d = dialog();
    if (!d.open) d.showModal();
    const first = d.querySelector("input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea");
    if (first && !d.contains(document.activeElement)) first.focus();
  }

  function closeDialog() {
    const d = dialog();
    if (d && d.open) d.close();
  }

  function showAlert(message) {
    const d = dialog();
    let box = document.getElementById("preheat-alert");
    if (d && d.open) {
      box = d.querySelector(".preheat-dialog-alert");
      if (!box) {
        box = document.createElement("p");
        box.className = "preheat-message preheat-message-error preheat-dialog-alert";
        box.setAttribute("role", "alert");
        (d.querySelector(".preheat-dialog-body") || d).prepend(box);
      }
    }
    box.textContent = message;
    box.hidden = false;
  }

  function clearAlert() {
    const box = document.getElementById("preheat-alert");
    if (box) box.hidden = true;
  }

  function responseMessage(xhr) {
    const type = xhr.getResponseHeader("Content-Type") || "";
    if (type.startsWith("text/plain") && xhr.responseText) return xhr.responseText.slice(0, 500);
    if (xhr.status === 403) return "Only system administrators can do this.";
    return "The server could not do this (HTTP " + xhr.status + ").";
  }

  // Selection drives which Actions are available.
  function selection() {
    return Array.from(document.querySelectorAll("#preheat-root .preheat-select:checked"));
  }

  function updateActions() {
    const chosen = selection();
    const enabled = chosen.filter((box) => box.dataset.enabled === "true").length;
    const rules = {
      one: chosen.length === 1,
      some: chosen.length > 0,
      enabled: enabled > 0,
      disabled: chosen.length - enabled > 0,
    };
    document.querySelectorAll("#preheat-root [data-preheat-needs]").forEach((button) => {
      button.disabled = !rules[button.dataset.preheatNeeds];
    });
    const all = document.querySelector("#preheat-root [data-preheat-select-all]");
    const boxes = document.querySelectorAll("#preheat-root .preheat-select");
    if (all) {
      all.checked = boxes.length > 0 && chosen.length === boxes.length;
      all.indeterminate = chosen.length > 0 && chosen.length < boxes.length;
    }
  }

  function setMenu(menu, open) {
    const button = menu.querySelector("[data-preheat-menu-button]");
    const items = menu.querySelector(".preheat-menu-items");
    button.setAttribute("aria-expanded", open ? "true" : "false");
    items.hidden = !open;
  }

  function closeMenus(except) {
    document.querySelectorAll("#preheat-root [data-preheat-menu]").forEach((menu) => {
      if (menu !== except) setMenu(menu, false);
    });
  }

  // Only the credential fields of the chosen auth mode are shown and sent.
  function showAuthFields(select) {
    const form = select.form;
    form.querySelectorAll("[data-preheat-auth]").forEach((block) => {
      const active = block.dataset.preheatAuth === select.value;
      block.hidden = !active;
      block.querySelectorAll("input").forEach((input) => { input.disabled = !active; });
    });
  }

  // One status popover open at a time; a click elsewhere or Escape closes it.
  function closeStatusPopovers(except) {
    document.querySelectorAll("#preheat-root details.preheat-status-details[open]").forEach((d) => {
      if (d !== except) d.open = false;
    });
  }

  // A badge that updates while its popover is open (a result arrived) stays open.
  const openBadges = new Set();
  function rememberOpenBadge(target) {
    if (target instanceof Element && target.matches(".preheat-status") && inRoot(target)
        && target.querySelector("details[open]")) openBadges.add(target.id);
  }

  function reopenBadges() {
    openBadges.forEach((id) => {
      const details = document.querySelector("#" + CSS.escape(id) + " details.preheat-status-details");
      if (details) details.open = true;
    });
    openBadges.clear();
  }

  document.addEventListener("click", (event) => {
    const target = event.target;
    if (!(target instanceof Element)) return;
    closeStatusPopovers(target.closest("details.preheat-status-details"));
    const menuButton = target.closest("[data-preheat-menu-button]");
    if (menuButton && inRoot(menuButton)) {
      const menu = menuButton.closest("[data-preheat-menu]");
      const open = menuButton.getAttribute("aria-expanded") !== "true";
      closeMenus(menu);
      setMenu(menu, open);
      if (open) updateActions();
      return;
    }
    // A chosen item or a click outside every menu closes them.
    if (target.closest(".preheat-menu-items button") || !target.closest("[data-preheat-menu]")) {
      closeMenus();
    }
    if (target.closest("[data-preheat-close]") && inRoot(target)) {
      closeDialog();
    }
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeMenus();
      closeStatusPopovers(null);
    }
  });

  document.addEventListener("change", (event) => {
    const target = event.target;
    if (!inRoot(target)) return;
    if (target.matches("[data-preheat-select-all]")) {
      document.querySelectorAll("#preheat-root .preheat-select").forEach((box) => {
        box.checked = target.checked;
      });
    }
    if (target.matches(".preheat-select, [data-preheat-select-all]")) updateActions();
    if (target.matches("[data-preheat-auth-mode]")) showAuthFields(target);
  });

  // A rejected form (422) or refused action (409) carries the dialog to show.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const status = event.detail.xhr.status;
    if ((status === 422 || status === 409) && inRoot(event.detail.elt)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:beforeSwap", (event) => rememberOpenBadge(event.detail.target));
  document.addEventListener("htmx:oobBeforeSwap", (event) => rememberOpenBadge(event.detail.target));
  document.addEventListener("htmx:afterSettle", reopenBadges);

  // Opened after settling, when htmx has wired up the new fields' triggers:
  // nothing typed into a visible dialog can go unnoticed.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.target === dialog() && dialog().children.length) openDialog();
  });

  document.addEventListener("htmx:afterSwap", (event) => {
    if (inRoot(event.detail.target)) updateActions();
  });

  document.addEventListener("htmx:beforeRequest", (event) => {
    if (inRoot(event.detail.elt)) clearAlert();
  });

  document.addEventListener("htmx:responseError", (event) => {
    if (inRoot(event.detail.elt)) showAlert(responseMessage(event.detail.xhr));
  });

  document.addEventListener("htmx:sendError", (event) => {
    if (inRoot(event.detail.elt)) showAlert("Cannot reach the server. Check your connection and try again.");
  });

  // Test connection: a result holds only for the settings it tested. Changing
  // one marks it out of date; changing it back makes it current again.
  const testedSettings = new WeakMap(); // result slot -> settings it was tested with
  const testsInFlight = new WeakMap(); // form -> settings of the test being run

  function testSlot(form) {
    return form ? form.querySelector("[data-preheat-test-depends]") : null;
  }

  // The values the test sends (disabled fields are not sent), kept only in memory.
  function testSettings(form) {
    const names = testSlot(form).dataset.preheatTestDepends.split(/\s+/);
    return JSON.stringify(names.map((name) => Array.from(form.elements)
      .filter((el) => el.name === name)
      .map((el) => (el.disabled ? null : el.type === "checkbox" ? el.checked : el.value))));
  }

  function markTestFreshness(form) {
    const slot = testSlot(form);
    if (!slot || !testedSettings.has(slot)) return;
    const stale = testedSettings.get(slot) !== testSettings(form);
    let note = slot.querySelector(".preheat-test-stale");
    if (stale && !note) {
      note = document.createElement("p");
      note.className = "preheat-test preheat-test-stale";
      note.setAttribute("role", "status");
      note.innerHTML = "<strong>Out of date:</strong> the settings changed since this test. Test again.";
      slot.append(note);
    }
    if (note) note.hidden = !stale;
    slot.querySelectorAll(".preheat-test:not(.preheat-test-stale)").forEach((result) => {
      result.hidden = stale;
    });
  }

  function rememberTestSettings(event) {
    const button = event.detail.elt;
    if (!(button instanceof Element) || !button.matches("[data-preheat-test-connection]")) return;
    testsInFlight.set(button.form, testSettings(button.form));
  }

  function recordTestResult(event) {
    const slot = event.detail.target;
    if (!(slot instanceof Element) || !slot.matches("[data-preheat-test-depends]")) return;
    const form = slot.closest("form");
    if (!testsInFlight.has(form)) return;
    testedSettings.set(slot, testsInFlight.get(form));
    testsInFlight.delete(form);
    // Settings changed while the test ran: the answer is already out of date.
    markTestFreshness(form);
  }

  function onDialogEdit(event) {
    const form = event.target instanceof Element ? event.target.closest("form") : null;
    if (testSlot(form) && inRoot(form)) markTestFreshness(form);
  }

  document.addEventListener("htmx:beforeRequest", rememberTestSettings);
  document.addEventListener("htmx:afterSwap", recordTestResult);
  document.addEventListener("input", onDialogEdit);
  document.addEventListener("change", onDialogEdit);

  // A refused save (422) re-renders the dialog, and the server never renders
  // secrets back: carry the secrets typed here and the test result over to the
  // new form, then put the focus on the first field in error.
  let carriedDialog = null;

  function carryDialogState(event) {
    const form = event.detail.target === dialog() && event.detail.xhr.status === 422
      ? dialog().querySelector("form") : null;
    if (!testSlot(form)) return;
    const slot = testSlot(form);
    carriedDialog = {
      action: form.getAttribute("action"),
      secrets: Array.from(form.querySelectorAll("input[type=password]"))
        .map((input) => [input.name, input.value]),
      result: Array.from(slot.childNodes),
      tested: testedSettings.get(slot),
    };
  }

  function restoreDialogState(event) {
    if (event.detail.target !== dialog()) return;
    const carried = carriedDialog;
    carriedDialog = null;
    const form = carried ? dialog().querySelector("form") : null;
    if (!testSlot(form) || form.getAttribute("action") !== carried.action) return;
    carried.secrets.forEach(([name, value]) => {
      const input = form.querySelector("input[type=password][name=\"" + CSS.escape(name) + "\"]");
      if (input && !input.value) input.value = value;
    });
    const slot = testSlot(form);
    slot.replaceChildren(...carried.result);
    if (carried.tested !== undefined) testedSettings.set(slot, carried.tested);
    markTestFreshness(form);
  }

  function focusFirstError(event) {
    if (event.detail.target !== dialog() || event.detail.xhr.status !== 422) return;
    const invalid = dialog().querySelector("[aria-invalid=true]:not([disabled])");
    if (invalid) invalid.focus();
  }

  document.addEventListener("htmx:beforeSwap", carryDialogState);
  document.addEventListener("htmx:afterSwap", restoreDialogState);
  document.addEventListener("htmx:afterSettle", focusFirstError);

  document.body.addEventListener("preheat:close-dialog", closeDialog);

  document.addEventListener("close", (event) => {
    if (event.target === dialog()) dialog().replaceChildren();
  }, true);

  updateActions();
})();
