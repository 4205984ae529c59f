// importer serve: the little JavaScript the page needs (upload, cell correction, import progress).
"use strict";
const csrf = () => document.querySelector('meta[name="csrf-token"]').content;

async function post(url, body, raw) {
  const headers = { "X-CSRF-Token": csrf() };
  if (!raw) headers["Content-Type"] = "application/json";
  const response = await fetch(url, { method: "POST", headers: raw ? { ...headers, ...raw.headers } : headers,
    body: raw ? raw.body : JSON.stringify(body || {}), credentials: "same-origin" });
  let data = {};
  try { data = await response.json(); } catch (e) { data = { error: "The page did not answer as expected; reload it." }; }
  data.status = response.status;
  return data;
}

function say(element, text, bad) {
  if (!element) return;
  element.textContent = text || "";
  element.classList.toggle("bad", !!bad);
}

function setupUpload() {
  const form = document.querySelector("[data-upload]");
  if (!form) return;
  const input = form.querySelector("input[type=file]");
  const message = document.getElementById("upload-message");
  const send = async (file) => {
    if (!file) { say(message, "Choose a file first.", true); return; }
    say(message, "Checking " + file.name + " ...");
    const data = await post("/upload", null, { body: file, headers: { "X-Filename": encodeURIComponent(file.name) } });
    if (data.url) { window.location = data.url; } else { say(message, data.error, true); }
  };
  form.addEventListener("submit", (e) => { e.preventDefault(); send(input.files[0]); });
  ["dragenter", "dragover"].forEach((t) => form.addEventListener(t, (e) => { e.preventDefault(); form.classList.add("over"); }));
  ["dragleave", "drop"].forEach((t) => form.addEventListener(t, (e) => { e.preventDefault(); form.classList.remove("over"); }));
  form.addEventListener("drop", (e) => { if (e.dataTransfer.files.length) send(e.dataTransfer.files[0]); });
}

function setupRecheck() {
  document.querySelectorAll("[data-recheck]").forEach((select) => select.addEventListener("change", async () => {
    const entity = document.getElementById("entity"), sheet = document.getElementById("sheet");
    const data = await post("/u/" + select.dataset.recheck + "/recheck",
      { entity: entity ? entity.value : "", sheet: sheet ? sheet.value : "" });
    window.location = data.url || window.location.href;
  }));
}

function setupColumns() {
  const form = document.querySelector("[data-columns]");
  if (!form) return;
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const map = {};
    form.querySelectorAll("select[data-header]").forEach((s) => { if (s.value) map[s.dataset.header] = s.value; });
    const save = form.querySelector("input[name=save]").checked;
    const data = await post("/u/" + form.dataset.columns + "/columns", { map, save_as: save ? form.dataset.entity : "" });
    if (data.status >= 400) { say(document.getElementById("columns-message"), data.error, true); return; }
    window.location = data.url + (data.saved ? "?saved=1" : "");
  });
}

function setupEditing() {
  const grid = document.getElementById("grid");
  const dialog = document.getElementById("editor");
  if (!grid || !dialog) return;
  const input = document.getElementById("editor-value");
  let target = null;
  const save = async (letter, row, value) => {
    const data = await post("/u/" + grid.dataset.upload + "/cell", { letter, row: Number(row), value });
    if (data.error) return data.error;
    const old = document.getElementById("row-" + row);
    if (old && data.row_html) old.outerHTML = data.row_html;
    const counts = document.getElementById("counts");
    if (counts && data.summary_html) counts.outerHTML = data.summary_html;
    if (!document.getElementById("download-corrected")) {
      const link = document.createElement("a");
      link.className = "button"; link.id = "download-corrected"; link.textContent = "Download the corrected file";
      link.href = "/u/" + grid.dataset.upload + "/corrected";
      document.querySelector(".actions").prepend(link);
    }
    return null;
  };
  grid.addEventListener("click", async (e) => {
    const apply = e.target.closest("[data-apply]");
    if (apply) { await save(apply.dataset.letter, apply.dataset.row, apply.dataset.value); return; }
    const edit = e.target.closest("[data-edit]");
    if (!edit) return;
    target = edit;
    document.getElementById("editor-title").textContent = "Correct cell " + edit.dataset.letter + edit.dataset.row;
    document.getElementById("editor-message").textContent = edit.closest("td").title || "";
    say(document.getElementById("editor-error"), "");
    input.value = edit.dataset.value;
    dialog.showModal();
    input.select();
  });
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  document.getElementById("editor-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const error = await save(target.dataset.letter, target.dataset.row, input.value);
    if (error) { say(document.getElementById("editor-error"), error, true); return; }
    dialog.close();
    const cell = document.querySelector("#row-" + target.dataset.row + " [data-letter='" + target.dataset.letter + "']");
    if (cell) { cell.setAttribute("tabindex", "-1"); cell.focus(); }
  });
}

function setupDecisions() {
  const card = document.querySelector("[data-accept]");
  if (!card) return;
  const message = document.getElementById("accept-message");
  const accept = async (row) => {
    say(message, "Accepting ...");
    const data = await post("/u/" + card.dataset.accept + "/accept", { target: card.dataset.target, row });
    if (data.error) { say(message, data.error, true); return; }
    window.location.reload();  // the preview again: accepted rows are no longer held
  };
  card.querySelectorAll("[data-accept-row]").forEach((b) => b.addEventListener("click", () => accept(Number(b.dataset.acceptRow))));
  const all = card.querySelector("[data-accept-all]");
  if (all) all.addEventListener("click", () => accept(null));
}

function setupHistory() {
  const dialog = document.getElementById("history");
  if (!dialog) return;
  dialog.querySelector("[data-close-history]").addEventListener("click", () => dialog.close());
  document.querySelectorAll("[data-history]").forEach((b) => b.addEventListener("click", async () => {
    const list = document.getElementById("history-lines");
    document.getElementById("history-title").textContent = "History of row " + b.dataset.history;
    list.replaceChildren();
    const response = await fetch("/u/" + dialog.dataset.upload + "/history/" + b.dataset.history, { credentials: "same-origin" });
    const data = await response.json();
    const lines = data.lines && data.lines.length ? data.lines : [data.error || "No run of this journal created or changed this record."];
    lines.forEach((text) => { const item = document.createElement("li"); item.textContent = text; list.append(item); });
    dialog.showModal();
  }));
}

function setupImport() {
  const form = document.querySelector("[data-import]");
  if (form) form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fields = new FormData(form);
    const message = document.getElementById("import-message");
    say(message, "Starting the import ...");
    const data = await post("/u/" + form.dataset.import + "/import",
      { target: fields.get("target"), password: fields.get("password") || "", mode: fields.get("mode"),
        skip_unchanged: fields.get("skip_unchanged") === "on" });
    if (data.error) { say(message, data.error, true); if (data.url) setTimeout(() => { window.location = data.url; }, 1500); return; }
    window.location = data.url;
  });
  const revert = document.querySelector("[data-revert]");
  if (revert) revert.addEventListener("submit", async (e) => {
    e.preventDefault();
    const fields = new FormData(revert);
    const message = document.getElementById("revert-message");
    say(message, "Starting the revert ...");
    const data = await post("/runs/" + revert.dataset.revert + "/revert",
      { force: fields.get("force") === "on", password: fields.get("password") || "" });
    if (data.error) { say(message, data.error, true); return; }
    window.location = data.url;
  });
  document.querySelectorAll("[data-retry]").forEach((button) => button.addEventListener("click", async () => {
    const data = await post("/u/" + button.dataset.retry + "/import", { target: button.dataset.target });
    if (data.url) window.location = data.url;
  }));
}

function setupProgress() {
  const job = document.getElementById("job");
  if (!job) return;
  const stop = document.getElementById("stop");
  if (stop) stop.addEventListener("click", async () => { stop.disabled = true; stop.textContent = "Stopping ..."; await post("/jobs/" + job.dataset.job + "/stop"); });
  if (!["running", "stopping"].includes(job.dataset.state)) return;
  const source = new EventSource("/jobs/" + job.dataset.job + "/events");
  source.onmessage = (event) => {
    const s = JSON.parse(event.data);
    const pct = s.total ? Math.round(100 * s.done / s.total) : 0;
    document.getElementById("bar").style.width = pct + "%";
    job.querySelector("[role=progressbar]").setAttribute("aria-valuenow", s.done);
    const eta = s.eta_seconds ? " · about " + s.eta_seconds + " s left" : "";
    document.getElementById("progress-text").textContent = s.total
      ? s.done + " of " + s.total + " rows · " + s.rate + " rows/s" + eta
      : "Starting: logging in and reading the file ...";
    document.getElementById("progress-counts").textContent = Object.entries(s.counts).map(([k, v]) => k + " " + v).join("  ");
    if (!["running", "stopping"].includes(s.state)) { source.close(); window.location.reload(); }
  };
}

document.addEventListener("DOMContentLoaded", () => { setupUpload(); setupRecheck(); setupColumns(); setupEditing(); setupDecisions(); setupHistory(); setupImport(); setupProgress(); });
