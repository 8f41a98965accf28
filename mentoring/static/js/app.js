// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Pre-fill a timezone field from the browser when it is still at its default.
  document.querySelectorAll("input[data-detect-timezone]").forEach((input) => {
    if (!input.value || input.value === "UTC") {
      try {
        input.value = Intl.DateTimeFormat().resolvedOptions().timeZone || input.value;
      } catch (e) { /* keep the server default */ }
    }
  });
  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
