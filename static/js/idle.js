// Idle sign-out in the browser. The server ends a session IDLE_TIMEOUT_MINUTES after the last
// request it saw; typing a long form makes no request, so while there is input the page posts to
// the keep-alive URL (at most every minute, at once when the warning shows). The deadlines below
// follow the last request: a warning about a minute before the server's limit offers to stay
// signed in, and just after it the page reloads, the server ends the session and patient data
// leaves the screen. The server enforces the limit either way.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseFloat(body.dataset.idleSeconds || "0");
  if (!seconds) { return; }
  var warning = document.querySelector("[data-idle-warning]");
  // IdleTimeoutMiddleware refreshes its stamp at most this often, so it may lag a request
  var lag = Math.min(30, seconds / 4);
  var pingEvery = Math.min(60, seconds / 4) * 1000;
  var lastPing = Date.now(); // the request that loaded this page
  var timers = [];

  function signOut() { window.location.assign(body.dataset.idleUrl); }

  function warned() { return warning !== null && !warning.classList.contains("d-none"); }

  function arm() {
    timers.forEach(clearTimeout);
    if (warning) { warning.classList.add("d-none"); }
    var warnIn = Math.max(seconds - lag - 60, (seconds - lag) / 2) * 1000;
    timers = [
      setTimeout(function () { if (warning) { warning.classList.remove("d-none"); } }, warnIn),
      setTimeout(signOut, (seconds + 5) * 1000)
    ];
  }

  function ping() {
    lastPing = Date.now();
    arm();
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": body.dataset.csrfToken },
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      // anything but 204 means the server had already ended the session
      if (response.status !== 204) { signOut(); }
    }).catch(function () { /* offline for a moment: the next input tries again */ });
  }

  function activity() {
    if (warned() || Date.now() - lastPing >= pingEvery) { ping(); }
  }

  ["keydown", "mousedown", "touchstart", "scroll", "input"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true });
  });
  arm();
}());
