// Canopy's meeting page and run view: htmx's settings, and the run view's clock. Everything
// here only improves pages that work without it; the CSP allows no inline script or style.
(function () {
  "use strict";

  if (window.htmx) {
    htmx.config.allowEval = false;
    htmx.config.allowScriptTags = false;
    htmx.config.includeIndicatorStyles = false;
    // A refused form (422) or a change that no longer applies (409) comes back as the part with
    // the message beside the field: swap it in like a success. Other errors are not swapped.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "409|422", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
      { code: "...", swap: false }
    ];
    // An answer htmx cannot show (403, 404, a 500, no network): load the page afresh by GET, so
    // the person sees where things stand (or the server's own error page). Never send the form
    // again: the change may already be made, and a second POST would make it twice.
    var fallBack = function () {
      window.location.assign(window.location.pathname);
    };
    document.addEventListener("htmx:responseError", fallBack);
    document.addEventListener("htmx:sendError", fallBack);
    // A refused form came back: put the cursor in the first field with a message, as a reload
    // with the error summary would lead there.
    document.addEventListener("htmx:afterSettle", function (event) {
      var target = event.detail && event.detail.target;
      var root = target && target.isConnected ? target : document;
      var invalid = root.querySelector("[aria-invalid=true]");
      if (invalid) {
        invalid.focus();
      }
    });
  }

  // The clock of the item under way: "8 of 10 min", "12 of 10 min (2 over)" or "8 min",
  // counted from the start the server rendered; the server's text stands without JavaScript.
  function tick() {
    var clocks = document.querySelectorAll("[data-clock-started]");
    for (var i = 0; i < clocks.length; i++) {
      var el = clocks[i];
      var started = Number(el.getAttribute("data-clock-started"));
      var budget = el.getAttribute("data-clock-budget");
      var used = Math.max(0, Math.floor((Date.now() - started) / 60000));
      var words = used + " min";
      var over = false;
      if (budget) {
        var b = Number(budget);
        over = used > b;
        words = used + " of " + b + " min" + (over ? " (" + (used - b) + " over)" : "");
      }
      if (el.textContent !== words) {
        el.textContent = words;
      }
      el.classList.toggle("clock-over", over);
    }
  }
  tick();
  setInterval(tick, 15000);
  document.addEventListener("htmx:afterSwap", tick);
})();
