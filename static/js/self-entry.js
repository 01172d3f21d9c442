// Patient pages (intake): after SELF_ENTRY_IDLE_SECONDS without a touch, key or scroll, go back
// to the neutral start page, which forgets the invitation this browser had open. Without
// JavaScript a <noscript> refresh does the same from the page's load.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseFloat(body.dataset.selfIdleSeconds || "0");
  var url = body.dataset.selfIdleUrl;
  if (!seconds || !url) { return; }
  var timer = null;
  function restart() {
    if (timer !== null) { window.clearTimeout(timer); }
    timer = window.setTimeout(function () { window.location.replace(url); }, seconds * 1000);
  }
  ["pointerdown", "keydown", "input", "scroll", "touchstart"].forEach(function (name) {
    window.addEventListener(name, restart, { passive: true });
  });
  restart();
})();
