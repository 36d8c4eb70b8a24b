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

  // A success message (HX-Trigger "preheat:toast") shown for a few seconds in the
  // page's status region, which screen readers announce. Added once the events
  // of the same answer have run: a dialog they close makes the rest of the page
  // inert while it is open, and an inert region is not announced.
  const MAX_TOASTS = 3;
  function showToast(message) {
    const region = document.getElementById("preheat-toasts");
    if (!region || typeof message !== "string" || !message) return;
    setTimeout(() => {
      const toast = document.createElement("p");
      toast.className = "preheat-toast";
      toast.textContent = message;
      region.append(toast);
      while (region.children.length > MAX_TOASTS) region.firstElementChild.remove();
      setTimeout(() => toast.remove(), Number(region.dataset.preheatToastMs) || 6000);
    }, 0);
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
      // Set as default: one enabled instance that is not the default already.
      "one-new-default": chosen.length === 1 && enabled === 1 && chosen[0].dataset.default !== "true",
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

  // The Actions menu follows the WAI-ARIA menu button pattern. Enter and Space
  // on the button open it (its own click) and focus the first item, Down opens
  // on the first, Up on the last; in the menu Down/Up move round, Home/End jump,
  // a letter moves to the next item starting with it, Enter or Space choose,
  // Escape closes back to the button and Tab closes and moves on. Disabled items
  // are skipped; when all are, the menu itself holds the focus.
  function menuItems(menu) {
    return Array.from(menu.querySelectorAll("[role=menuitem]")).filter((item) => !item.disabled);
  }

  function focusMenuItem(menu, which) {
    const items = menuItems(menu);
    const list = menu.querySelector("[role=menu]");
    const current = items.indexOf(document.activeElement);
    let next;
    if (which === "first") next = items[0];
    else if (which === "last") next = items[items.length - 1];
    else if (current < 0) next = which > 0 ? items[0] : items[items.length - 1];
    else next = items[(current + which + items.length) % items.length];
    (next || list).focus();
  }

  function openMenuFrom(menu, which) {
    closeMenus(menu);
    setMenu(menu, true);
    updateActions();
    if (which) focusMenuItem(menu, which);
  }

  function closeMenuTo(menu) {
    menu.querySelector("[data-preheat-menu-button]").focus();
    setMenu(menu, false);
  }

  function focusItemStartingWith(menu, letter) {
    const items = menuItems(menu);
    const start = items.indexOf(document.activeElement) + 1;
    const ordered = items.slice(start).concat(items.slice(0, start));
    const match = ordered.find((item) => item.textContent.trim().toLowerCase().startsWith(letter));
    if (match) match.focus();
  }

  function onMenuButtonKey(event, menu) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
    event.preventDefault();
    openMenuFrom(menu, event.key === "ArrowDown" ? "first" : "last");
  }

  function onMenuKey(event, menu) {
    const moves = { ArrowDown: 1, ArrowUp: -1, Home: "first", End: "last" };
    if (event.key in moves) {
      event.preventDefault();
      focusMenuItem(menu, moves[event.key]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      closeMenuTo(menu);
    } else if (event.key === "Tab") {
      closeMenuTo(menu);  // the browser then moves on from the button
    } else if (event.key.length === 1 && event.key !== " " && !event.ctrlKey && !event.metaKey && !event.altKey) {
      focusItemStartingWith(menu, event.key.toLowerCase());
    }
  }

  function onMenuKeydown(event) {
    const target = event.target;
    if (!(target instanceof Element) || !inRoot(target)) return;
    const menu = target.closest("[data-preheat-menu]");
    if (!menu) return;
    if (target.matches("[data-preheat-menu-button]")) onMenuButtonKey(event, menu);
    else if (target.closest("[role=menu]")) onMenuKey(event, menu);
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

  // Inside the table's scroll box a status popover is position: fixed (see
  // preheat.css): place it under its badge, or above it when the window has no
  // room below, and keep it there while the page or the table scrolls.
  function placeStatusPopover(details) {
    const popover = details.querySelector(".preheat-popover");
    if (!popover || !details.closest(".preheat-table-scroll")) return;
    const badge = details.querySelector("summary").getBoundingClientRect();
    const margin = 8;
    const width = popover.offsetWidth;
    const height = popover.offsetHeight;
    const below = badge.bottom + 4;
    const top = below + height > window.innerHeight - margin && badge.top - height - 4 > margin
      ? badge.top - height - 4 : below;
    const left = Math.max(margin, Math.min(badge.left, window.innerWidth - width - margin));
    popover.style.top = top + "px";
    popover.style.left = left + "px";
  }

  function placeOpenStatusPopovers() {
    document.querySelectorAll("#preheat-root .preheat-table-scroll details.preheat-status-details[open]")
      .forEach(placeStatusPopover);
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
      // Enter or Space make a click without a pointer (detail 0): focus goes in.
      if (open) openMenuFrom(menu, event.detail === 0 ? "first" : null);
      else closeMenus();
      return;
    }
    // A chosen item closes its menu, handing the focus back to the button (so a
    // dialog the item opens returns it there); a click outside closes them all.
    const item = target.closest(".preheat-menu-items [role=menuitem]");
    if (item && inRoot(item)) closeMenuTo(item.closest("[data-preheat-menu]"));
    else if (!target.closest("[data-preheat-menu]")) closeMenus();
    if (target.closest("[data-preheat-close]") && inRoot(target)) {
      closeDialog();
    }
  });

  document.addEventListener("keydown", onMenuKeydown);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      closeMenus();
      closeStatusPopovers(null);
    }
  });

  // "toggle" does not bubble: listen while it goes down the tree.
  document.addEventListener("toggle", (event) => {
    if (event.target instanceof HTMLDetailsElement && event.target.open && inRoot(event.target)
        && event.target.matches(".preheat-status-details")) placeStatusPopover(event.target);
  }, true);
  document.addEventListener("scroll", placeOpenStatusPopovers, { capture: true, passive: true });
  window.addEventListener("resize", placeOpenStatusPopovers);

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
    // The result sits under the last field: a long dialog scrolls it into view.
    slot.scrollIntoView({ block: "nearest" });
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

  // New project: a namespace picked from the catalog becomes the project name and
  // brings its repository count; a name typed by hand takes the count of the
  // listed namespace it matches, if any.
  function projectForm(el) {
    const form = el instanceof Element ? el.closest("form") : null;
    return form && inRoot(form) && form.querySelector("[data-preheat-project-name]") ? form : null;
  }

  function matchNamespace(form) {
    const name = form.querySelector("[data-preheat-project-name]").value.trim();
    let count = "";
    form.querySelectorAll("[data-preheat-namespace]").forEach((button) => {
      const chosen = button.dataset.preheatNamespace === name;
      button.setAttribute("aria-pressed", chosen ? "true" : "false");
      if (chosen) count = button.dataset.preheatCount;
    });
    const hidden = form.querySelector("input[name=repo_count]");
    if (hidden) hidden.value = count;
  }

  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element ? event.target.closest("[data-preheat-namespace]") : null;
    const form = projectForm(button);
    if (!form || button.disabled) return;
    const input = form.querySelector("[data-preheat-project-name]");
    input.value = button.dataset.preheatNamespace;
    matchNamespace(form);
  });
  document.addEventListener("input", (event) => {
    const form = projectForm(event.target);
    if (form && event.target.matches("[data-preheat-project-name]")) matchNamespace(form);
  });
  document.addEventListener("htmx:afterSwap", (event) => {
    const form = projectForm(event.detail.target);
    if (form && event.detail.target.matches(".preheat-namespaces")) matchNamespace(form);
  });

  document.body.addEventListener("preheat:close-dialog", closeDialog);
  document.addEventListener("preheat:toast", (event) => {
    if (inRoot(event.target)) showToast(event.detail && event.detail.message);
  });

  document.addEventListener("close", (event) => {
    if (event.target === dialog()) dialog().replaceChildren();
  }, true);

  // Copy buttons (a tag's digest): the value goes to the clipboard, the button says so.
  document.addEventListener("click", (event) => {
    const button = event.target instanceof Element && event.target.closest("[data-preheat-copy]");
    if (!button || !inRoot(button) || !navigator.clipboard) return;
    navigator.clipboard.writeText(button.dataset.preheatCopy).then(() => {
      button.textContent = "Copied";
      setTimeout(() => { button.textContent = "Copy"; }, 1500);
    }, () => showAlert("The browser did not let the page copy; select the digest in its tooltip instead."));
  });

  // Times the server writes in UTC ([data-preheat-local]) also read in the browser's own zone.
  const localTime = new Intl.DateTimeFormat(undefined, {
    weekday: "short", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", timeZoneName: "short",
  });
  function showLocalTimes(scope) {
    if (!(scope instanceof Element) || !inRoot(scope)) return;
    scope.querySelectorAll("time[data-preheat-local]").forEach((time) => {
      const moment = new Date(time.getAttribute("datetime"));
      if (!Number.isNaN(moment.getTime())) time.textContent = localTime.format(moment);
    });
    const zone = localTime.resolvedOptions().timeZone;
    scope.querySelectorAll("[data-preheat-local-zone]").forEach((label) => {
      label.textContent = zone ? `(${zone})` : "";
    });
  }
  // htmx:load names the new content itself, also when it replaced its target (outerHTML).
  document.addEventListener("htmx:load", (event) => showLocalTimes(event.detail.elt));

  updateActions();
  showLocalTimes(root());
})();
