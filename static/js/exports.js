// Exports page: keep the visit count current as choices change, and show progress while a file
// downloads. Without this script the form's "Count" button and the plain download link
// do the same work; the script only adds the live count and the progress bar.
(function () {
  "use strict";

  const panel = document.querySelector("[data-export-panel]");
  const form = document.querySelector("[data-export-form]");
  if (!panel || !form) {
    return;
  }
  const link = panel.querySelector("[data-export-download]");
  const countText = panel.querySelector("[data-export-count]");
  const jobForm = panel.querySelector("[data-export-job-form]");
  const empty = panel.querySelector("[data-export-empty]");
  const formatLabels = panel.querySelectorAll("[data-export-format]");
  const progress = panel.querySelector("[data-export-progress]");
  const bar = panel.querySelector("[data-export-bar]");
  const status = panel.querySelector("[data-export-status]");
  const numbers = new Intl.NumberFormat();
  const QR_MARK = '{"resourceType":"QuestionnaireResponse"';
  let pending = null;
  let busy = false;

  function query() {
    return new URLSearchParams(new FormData(form)).toString();
  }

  function selectedFormat() {
    const checked = form.querySelector("input[name=format]:checked");
    if (!checked) {
      return { value: "", label: "" };
    }
    const label = form.querySelector('label[for="' + checked.id + '"]');
    return { value: checked.value, label: label ? label.textContent.trim() : checked.value };
  }

  function rowsNoun() {
    const checked = form.querySelector("input[name=dataset]:checked");
    return checked && checked.value === "instruments" ? " instruments (" : " visits (";
  }

  function show(element, visible) {
    element.hidden = !visible;
  }

  function showCount(data) {
    countText.textContent = data.text;
    show(empty, data.count === 0);
    show(link, data.count > 0 && !data.job);
    show(jobForm, data.count > 0 && Boolean(data.job));
    link.dataset.rows = String(data.count);
  }

  function refreshCount() {
    // the link follows the choices at once; only the count waits for the server
    link.href = panel.dataset.downloadUrl + "?" + query();
    formatLabels.forEach(function (label) {
      label.textContent = selectedFormat().label;
    });
    if (pending) {
      pending.abort();
    }
    pending = new AbortController();
    fetch(panel.dataset.countUrl + "?" + query(), {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: pending.signal,
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        if (result.ok) {
          showCount(result.data);
        } else {
          countText.textContent =
            "Correct the choices above (press “Count”) to see how many match.";
          show(link, false);
          show(jobForm, false);
          show(empty, false);
        }
      })
      .catch(function (error) {
        if (error.name !== "AbortError") {
          countText.textContent = "Could not count: press “Count”.";
        }
      });
  }

  function sizeText(bytes) {
    if (bytes < 1048576) {
      return Math.max(1, Math.round(bytes / 1024)) + " KB";
    }
    return (bytes / 1048576).toFixed(1) + " MB";
  }

  function fileName(response) {
    const header = response.headers.get("Content-Disposition") || "";
    const match = /filename="([^"]+)"/.exec(header);
    return match ? match[1] : "export";
  }

  function save(chunks, type, name) {
    const url = URL.createObjectURL(new Blob(chunks, { type: type }));
    const anchor = document.createElement("a");
    anchor.href = url;
    anchor.download = name;
    anchor.hidden = true;
    document.body.appendChild(anchor);
    anchor.click();
    anchor.remove();
    // the browser has taken its copy once the click is handled; free ours afterwards
    window.setTimeout(function () {
      URL.revokeObjectURL(url);
    }, 60000);
  }

  // Counts what has arrived: CSV rows (lines after the header), FHIR visits (one
  // QuestionnaireResponse each), or only bytes for Excel, whose length is known.
  function Counter(type) {
    this.kind = type.indexOf("csv") >= 0 ? "csv" : type.indexOf("ndjson") >= 0 ? "fhir" : "bytes";
    this.lines = 0;
    this.visits = 0;
    this.tail = "";
    this.decoder = new TextDecoder();
  }
  Counter.prototype.add = function (chunk) {
    if (this.kind === "csv") {
      for (let i = 0; i < chunk.length; i += 1) {
        if (chunk[i] === 10) {
          this.lines += 1;
        }
      }
      this.visits = Math.max(0, this.lines - 1);
    } else if (this.kind === "fhir") {
      const text = this.tail + this.decoder.decode(chunk, { stream: true });
      let at = text.indexOf(QR_MARK);
      while (at >= 0) {
        this.visits += 1;
        at = text.indexOf(QR_MARK, at + QR_MARK.length);
      }
      this.tail = text.slice(-(QR_MARK.length - 1));
    }
  };

  function report(counter, received, rows, length, done) {
    let fraction = 0;
    let text;
    if (counter.kind === "bytes") {
      fraction = length ? received / length : 0;
      text = sizeText(received) + (length ? " of " + sizeText(length) : "");
    } else {
      fraction = rows ? counter.visits / rows : 1;
      text =
        numbers.format(counter.visits) + " of " + numbers.format(rows) + rowsNoun() +
        sizeText(received) + ")";
    }
    bar.value = Math.min(100, Math.round(fraction * 100));
    status.textContent = (done ? "Downloaded " : "Downloading: ") + text + (done ? "." : "…");
  }

  async function download() {
    busy = true;
    link.classList.add("disabled");
    link.setAttribute("aria-disabled", "true");
    show(progress, true);
    bar.removeAttribute("value"); // indeterminate until the first bytes arrive
    status.textContent =
      selectedFormat().value === "xlsx" ? "Building the workbook…" : "Starting the export…";
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok) {
        // the server explains on its page (a refused or invalid export); show it
        window.location.assign(link.href);
        return;
      }
      const rows = Number(response.headers.get("X-Export-Rows") || link.dataset.rows || 0);
      const length = Number(response.headers.get("Content-Length") || 0);
      const type = response.headers.get("Content-Type") || "application/octet-stream";
      const counter = new Counter(type);
      const reader = response.body.getReader();
      const chunks = [];
      let received = 0;
      let shown = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) {
          break;
        }
        chunks.push(value);
        received += value.length;
        counter.add(value);
        if (Date.now() - shown > 150) {
          report(counter, received, rows, length, false);
          shown = Date.now();
        }
      }
      report(counter, received, rows, length, true);
      save(chunks, type.split(";")[0], fileName(response));
      status.textContent += " Saved as " + fileName(response) + ".";
    } catch (error) {
      bar.value = 0;
      status.textContent = "The download stopped before the end. Try again, or use the link.";
    } finally {
      busy = false;
      link.classList.remove("disabled");
      link.removeAttribute("aria-disabled");
    }
  }

  const streams = "ReadableStream" in window && "fetch" in window && "TextDecoder" in window;
  if (streams) {
    link.addEventListener("click", function (event) {
      event.preventDefault();
      if (!busy) {
        download();
      }
    });
  }
  // the background job takes the choices as they are now, not as the page was served
  jobForm.addEventListener("submit", function () {
    const choices = jobForm.querySelector("[data-export-job-choices]");
    choices.replaceChildren();
    new FormData(form).forEach(function (value, name) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      choices.appendChild(input);
    });
  });
  form.addEventListener("change", refreshCount);
  form.addEventListener("input", function (event) {
    if (event.target.type === "date") {
      refreshCount();
    }
  });
})();
