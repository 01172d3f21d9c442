// Idle sign-out in the browser: after the idle limit with no input, reload so the server ends the
// session and patient data leaves the screen. The server enforces the limit either way.
(function () {
  "use strict";
  var seconds = parseInt(document.body.dataset.idleSeconds || "0", 10);
  if (!seconds) { return; }
  var timer = null;
  function arm() {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(function () { window.location.assign(document.body.dataset.idleUrl); }, (seconds + 5) * 1000);
  }
  ["keydown", "mousedown", "touchstart", "scroll"].forEach(function (name) {
    document.addEventListener(name, arm, { passive: true });
  });
  arm();
}());
