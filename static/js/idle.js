// Idle sign-out in the browser. The server ends a session IDLE_TIMEOUT_MINUTES after the last
// request it saw; typing a long form makes no request, so while there is input the page posts to
// the keep-alive URL (at most every minute, and at once when the warning shows or its button is
// pressed). A minute or so before the server's limit a warning offers to stay signed in; just
// after the limit the page reloads, the server ends the session and patient data leaves the
// screen. The server enforces the limit either way.
(function () {
  "use strict";
  var body = document.body;
  var seconds = parseFloat(body.dataset.idleSeconds || "0");
  if (!seconds) { return; }
  var warning = document.querySelector("[data-idle-warning]");
  var message = warning && warning.querySelector("[data-idle-message]");
  var pingEvery = Math.min(60, seconds / 4) * 1000;
  // On a page request IdleTimeoutMiddleware refreshes its stamp at most this often, so the
  // server's count may have started this much before the page loaded; a keep-alive always
  // refreshes it.
  var pageLag = Math.min(30, seconds / 4);
  var lastPing = Date.now();
  var pinging = false;
  var timers = [];

  function signOut() { window.location.assign(body.dataset.idleUrl); }

  function warned() { return warning !== null && !warning.classList.contains("d-none"); }

  function showWarning() {
    if (!warning) { return; }
    warning.classList.remove("d-none");
    // filled in once shown, so screen readers announce the alert
    setTimeout(function () { message.textContent = message.dataset.idleMessage; }, 100);
  }

  function hideWarning() {
    if (!warning) { return; }
    warning.classList.add("d-none");
    message.textContent = "";
  }

  // Deadlines count from the last request the server saw, less the lag its stamp may have.
  function arm(lag) {
    timers.forEach(clearTimeout);
    hideWarning();
    var left = seconds - lag;
    timers = [
      setTimeout(showWarning, Math.max(left - 60, left / 2) * 1000),
      setTimeout(signOut, (seconds + 5) * 1000)
    ];
  }

  function ping() {
    if (pinging) { return; }
    pinging = true;
    lastPing = Date.now();
    fetch(body.dataset.keepaliveUrl, {
      method: "POST",
      headers: { "X-CSRFToken": body.dataset.csrfToken },
      credentials: "same-origin",
      redirect: "manual"
    }).then(function (response) {
      // anything but 204 means the server had already ended the session
      if (response.status === 204) { arm(0); } else { signOut(); }
    }).catch(function () {
      // offline for a moment: the deadlines stand, and the next input tries again
    }).then(function () { pinging = false; });
  }

  function activity() {
    if (warned() || Date.now() - lastPing >= pingEvery) { ping(); }
  }

  ["keydown", "mousedown", "touchstart", "scroll", "input"].forEach(function (name) {
    document.addEventListener(name, activity, { passive: true });
  });
  if (warning) { warning.querySelector("[data-idle-stay]").addEventListener("click", ping); }
  arm(pageLag);
}());
