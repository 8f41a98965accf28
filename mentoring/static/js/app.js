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
  document.querySelectorAll("[data-detect-timezone]").forEach((field) => {
    if (!field.value || field.value === "UTC") {
      let zone = "";
      try {
        zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
      } catch (e) { /* keep the server default */ }
      const known = field.tagName !== "SELECT" || [...field.options].some((o) => o.value === zone);
      if (zone && known) field.value = zone;
    }
  });
  // A search box above a long <select>: typing "chicago" narrows it to America/Chicago.
  document.querySelectorAll("select[data-searchable]").forEach((select, index) => {
    const search = document.createElement("input");
    search.type = "search";
    search.id = `${select.id || "select"}-search-${index}`;
    search.autocomplete = "off";
    search.setAttribute("aria-controls", select.id);
    const label = document.createElement("label");
    label.htmlFor = search.id;
    label.textContent = select.dataset.searchable;
    label.className = "help";
    select.before(label, search);
    search.addEventListener("input", () => {
      const words = search.value.toLowerCase().replace(/_/g, " ").split(/\s+/).filter(Boolean);
      let first = null;
      for (const option of select.options) {
        const text = `${option.text} ${option.value}`.toLowerCase().replace(/_/g, " ");
        const match = words.every((word) => text.includes(word));
        option.hidden = !match;
        if (match && !first) first = option;
      }
      if (first && select.selectedOptions[0]?.hidden) select.value = first.value;
    });
  });
  // My week: a tapped grid cell fills in "Add a window" in place instead of reloading: it ticks
  // that day, and a later tap stretches the window to it, so a week is marked in a few taps.
  const windowForm = document.querySelector("#add-window form");
  document.querySelectorAll(".week-grid a[data-day]").forEach((cell) => {
    cell.addEventListener("click", (event) => {
      if (!windowForm) return;
      event.preventDefault();
      const minutes = (text) => Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
      const clock = (m) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
      const start = windowForm.querySelector("select[name=start]");
      const end = windowForm.querySelector("select[name=end]");
      const day = windowForm.querySelector(`input[name=weekdays][value="${cell.dataset.day}"]`);
      const at = minutes(cell.dataset.at);
      const picking = windowForm.dataset.picking === "yes";
      if (!picking || at < minutes(start.value)) {
        start.value = clock(at);
        windowForm.dataset.picking = "yes";
      }
      end.value = clock(Math.min(at + 30, 24 * 60));
      if (day) day.checked = true;
      cell.classList.add("picked");
    });
  });
  // Ask before destructive actions.
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (event) => {
      if (!window.confirm(form.dataset.confirm)) event.preventDefault();
    });
  });
});
