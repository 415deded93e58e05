// Live countdowns for elements with data-deadline="<ISO-8601 time>", on every page that
// shows a deadline; the server's text stays when scripts are off. Once the time has
// passed, an element shows its data-passed text ("closed") or "passed … ago".
(function () {
  "use strict";
  function span(ms) {
    var s = Math.floor(ms / 1000), d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600);
    var m = Math.floor(s % 3600 / 60);
    if (d) return d + (d === 1 ? " day " : " days ") + h + " h";
    if (h) return h + " h " + String(m).padStart(2, "0") + " min";
    if (m) return m + " min " + String(s % 60).padStart(2, "0") + " s";
    return (s % 60) + " s";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-deadline]").forEach(function (el) {
      var left = Date.parse(el.dataset.deadline) - now;
      if (isNaN(left)) return;
      if (left > 0) el.textContent = "in " + span(left);
      else el.textContent = el.dataset.passed || "passed " + span(-left) + " ago";
    });
  }
  window.vsegraderCountdown = tick; // for content swapped in later (htmx)
  document.addEventListener("DOMContentLoaded", function () { tick(); setInterval(tick, 1000); });
})();
