// Background export page: while the job is queued or running, ask its status every 2 seconds
// and show the rows written; reload the page once it has finished (for its download link or its
// reason). Without this script the page reloads itself (a meta refresh) and has a refresh link.
(function () {
  "use strict";

  const panel = document.querySelector("[data-export-job]");
  if (!panel || panel.dataset.active !== "true") {
    return;
  }
  const label = panel.querySelector("[data-job-label]");
  const bar = panel.querySelector("[data-job-bar]");
  const rows = panel.querySelector("[data-job-rows]");
  const numbers = new Intl.NumberFormat();

  function poll() {
    fetch(panel.dataset.statusUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) {
          return;
        }
        label.textContent = data.label;
        bar.max = Math.max(1, data.rows_announced);
        bar.value = data.rows_written;
        rows.textContent =
          numbers.format(data.rows_written) + " of " + numbers.format(data.rows_announced) +
          " visits written.";
        if (!data.active) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, 2000);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }

  window.setTimeout(poll, 1000);
})();
