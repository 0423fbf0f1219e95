// syncd web: the little behaviour every page shares (no inline script: the CSP forbids it).
"use strict";
document.addEventListener("change", (ev) => {
  const el = ev.target;
  if (el instanceof HTMLSelectElement && el.classList.contains("autosubmit") && el.form) {
    el.form.requestSubmit();
  }
});
document.addEventListener("submit", (ev) => {
  const form = ev.target;
  const ask = form instanceof HTMLFormElement ? form.dataset.confirm : undefined;
  if (ask && !window.confirm(ask)) {
    ev.preventDefault();
  }
});
