// The standalone shell's navigation: in a narrow window it folds away behind the
// Menu button. Loaded in <head> without defer, so the "shell-js" class is set
// before the first paint and the navigation never flashes open; without
// JavaScript it stays visible above the page.
(function () {
  "use strict";

  document.documentElement.classList.add("shell-js");

  function setOpen(button, nav, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("shell-nav-open", open);
  }

  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("shell-menu-button");
    const nav = document.getElementById("shell-nav");
    if (!button || !nav) return;
    button.addEventListener("click", () => {
      setOpen(button, nav, button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(button, nav, false);
        button.focus();
      }
    });
  });
})();
