// Small progressive enhancements; every page works without them.

// A visitor who is not logged in sees times in her browser's timezone: the server reads this
// cookie (and checks the name). A first visit that had to fall back to UTC reloads once.
(() => {
  let zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  // IANA names ("America/New_York") are cookie-safe as they are; anything else is not sent.
  if (!/^[A-Za-z0-9_+\-\/]+$/.test(zone)) return;
  const had = document.cookie.split("; ").find((c) => c.startsWith("tz="));
  if (had === "tz=" + zone) return;
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax";
  // Only a first visit reloads: a zone the server refuses is not retried in a loop.
  if (!had) {
    document.addEventListener("DOMContentLoaded", () => {
      if (document.querySelector("[data-timezone-unknown]")) window.location.reload();
    });
  }
})();

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
