// importer serve: the JavaScript the page needs (upload, the grid and its edits, import progress, fixes from the results).
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

function setupGrid() {
  const grid = document.getElementById("grid");
  if (!grid) return;
  const upload = grid.dataset.upload, editable = grid.dataset.editable === "1";
  const base = "/u/" + upload;
  const dialog = document.getElementById("editor"), input = document.getElementById("editor-value");
  const detail = document.getElementById("cell-detail");
  const lastStep = document.getElementById("last-step");
  const buttons = { edit: document.getElementById("edit-cell"), fill: document.getElementById("fill-down"),
    skip: document.getElementById("skip-row") };
  const key = "importer-selected:" + upload;
  let sel = null, anchor = null;
  const pager = document.querySelector(".pager[data-pages]");
  const pages = pager ? Number(pager.dataset.pages) : 1;
  const current = pager ? Number(pager.dataset.page) : 1;
  const rows = () => Array.from(grid.querySelectorAll("tbody tr[data-row]"));
  const cellAt = (tr, letter) => tr ? tr.querySelector("td[data-letter='" + letter + "']") : null;
  const rowOf = (td) => Number(td.closest("tr").dataset.row);
  const header = (letter) => {
    const index = Array.from(grid.querySelectorAll("thead tr:first-child th")).findIndex((th) => th.textContent === letter);
    const th = grid.querySelectorAll("thead tr:nth-child(2) th")[index];
    return th ? (th.title && th.title !== "not sent" ? th.title : th.textContent) : letter;
  };

  const change = async (body, error) => {
    say(lastStep, "Checking the file again ...");
    const data = await post(base + "/edit", body);
    if (data.status >= 400) { say(error || lastStep, data.error, true); return false; }
    if (sel) sessionStorage.setItem(key, sel.dataset.letter + ":" + rowOf(sel));
    window.location.replace(window.location.href.split("#")[0]);
    return true;
  };

  function range() {
    if (!sel) return [];
    if (!anchor || anchor.dataset.letter !== sel.dataset.letter) return [sel];
    const all = rows(), a = all.indexOf(anchor.closest("tr")), b = all.indexOf(sel.closest("tr"));
    return all.slice(Math.min(a, b), Math.max(a, b) + 1).map((tr) => cellAt(tr, sel.dataset.letter));
  }

  function show(td) {
    const letter = td.dataset.letter, row = rowOf(td);
    detail.innerHTML = "";
    const h = document.createElement("h3"); h.textContent = "Cell " + letter + row + " · " + header(letter);
    const v = document.createElement("p"); v.className = "detail-value"; v.textContent = td.dataset.value || "(blank)";
    detail.append(h, v);
    const messages = (td.title || "").split("\n").filter(Boolean);
    const rowMessages = (td.closest("tr").querySelector("th").title || "").split("\n").filter(Boolean);
    [...messages, ...rowMessages].forEach((m) => {
      const p = document.createElement("p"); p.className = td.classList.contains("error") ? "problem" : "warning-text";
      p.textContent = m; detail.append(p);
    });
    if (!messages.length && !rowMessages.length) {
      const p = document.createElement("p"); p.className = "muted"; p.textContent = "No issue in this cell."; detail.append(p);
    }
  }

  function select(td, extend) {
    if (!td) return;
    grid.querySelectorAll(".selected, .in-range").forEach((e) => e.classList.remove("selected", "in-range"));
    if (sel) sel.tabIndex = -1;
    if (!extend || !anchor || anchor.dataset.letter !== td.dataset.letter) anchor = td;
    sel = td; td.tabIndex = 0; td.classList.add("selected"); td.focus();
    const cells = range();
    cells.forEach((c) => c.classList.add("in-range"));
    buttons.edit.disabled = !editable;
    buttons.fill.disabled = !editable || cells.length < 2;
    buttons.skip.disabled = false;
    buttons.skip.textContent = td.closest("tr").classList.contains("skipped") ? "Send row " + rowOf(td) + " again" : "Skip row " + rowOf(td);
    say(document.getElementById("selection"), cells.length > 1
      ? cells.length + " cells selected: " + cells[0].dataset.letter + rowOf(cells[0]) + " to " + cells[0].dataset.letter + rowOf(cells[cells.length - 1])
      : "");
    show(td);
  }

  async function openEditor(td) {
    if (!td || !editable) return;
    const letter = td.dataset.letter, row = rowOf(td);
    select(td);
    document.getElementById("editor-title").textContent = "Correct cell " + letter + row + " (" + header(letter) + ")";
    document.getElementById("editor-message").textContent = td.title || "";
    say(document.getElementById("editor-error"), "");
    input.value = td.dataset.value || "";
    const all = document.getElementById("editor-all");
    all.checked = false; all.closest("p").hidden = true;
    dialog.showModal();
    input.select();
    const data = await fetch(base + "/count?letter=" + encodeURIComponent(letter) + "&row=" + row, { credentials: "same-origin" }).then((r) => r.json()).catch(() => ({}));
    if (data.count > 1) {
      document.getElementById("editor-all-label").textContent = "Apply to all " + data.count + " cells of " + header(letter) + " holding " + JSON.stringify(td.dataset.value || "") + " (one step)";
      all.closest("p").hidden = false;
    }
  }

  grid.addEventListener("click", async (e) => {
    const apply = e.target.closest("[data-apply]");
    const td = e.target.closest("td.cell");
    const applyAll = e.target.closest("[data-apply-all]");
    if (apply || applyAll) {
      const b = apply || applyAll;
      select(td);
      await change({ op: apply ? "set" : "same", letter: b.dataset.letter, row: Number(b.dataset.row), value: b.dataset.value });
      return;
    }
    if (e.target.closest("[data-edit]")) { openEditor(td); return; }
    if (td) select(td, e.shiftKey);
  });
  grid.addEventListener("dblclick", (e) => { const td = e.target.closest("td.cell"); if (td) openEditor(td); });
  grid.addEventListener("keydown", (e) => {
    if (!sel || dialog.open) return;
    const tr = sel.closest("tr"), letter = sel.dataset.letter;
    let next = null;
    if (e.key === "ArrowDown") next = cellAt(tr.nextElementSibling, letter);
    else if (e.key === "ArrowUp") next = cellAt(tr.previousElementSibling, letter);
    else if (e.key === "ArrowRight") next = sel.nextElementSibling;
    else if (e.key === "ArrowLeft") next = sel.previousElementSibling && sel.previousElementSibling.matches("td") ? sel.previousElementSibling : null;
    else if (e.key === "Enter" || e.key === "F2") { e.preventDefault(); openEditor(sel); return; }
    else if (e.key === "Escape") { anchor = sel; select(sel); return; }
    else return;
    e.preventDefault();
    if (next) { select(next, e.shiftKey && (e.key === "ArrowDown" || e.key === "ArrowUp")); return; }
    const vertical = e.key === "ArrowDown" ? ["next-page", "first"] : e.key === "ArrowUp" ? ["prev-page", "last"] : null;
    const link = vertical && document.getElementById(vertical[0]);
    if (link && pager && ((vertical[1] === "first" && current < pages) || (vertical[1] === "last" && current > 1))) {
      sessionStorage.setItem(key, letter + ":" + vertical[1]);  // the next page, same column
      window.location = link.href;
    }
  });

  buttons.edit.addEventListener("click", () => openEditor(sel));
  buttons.fill.addEventListener("click", () => {
    const cells = range();
    if (cells.length < 2) return;
    change({ op: "fill", letter: cells[0].dataset.letter, row: rowOf(cells[0]), last: rowOf(cells[cells.length - 1]) });
  });
  buttons.skip.addEventListener("click", () => {
    if (!sel) return;
    const skipped = sel.closest("tr").classList.contains("skipped");
    change({ op: skipped ? "unskip" : "skip", row: rowOf(sel) });
  });
  document.querySelectorAll("[data-op]").forEach((b) => b.addEventListener("click", () => change({ op: b.dataset.op })));
  document.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.target.closest("input, select, textarea, dialog")) return;
    const op = e.key === "z" && !e.shiftKey ? "undo" : (e.key === "y" || (e.key === "Z" && e.shiftKey)) ? "redo" : null;
    const button = op && document.getElementById(op);
    if (button && !button.disabled) { e.preventDefault(); change({ op }); }
  });

  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (sel) sel.focus(); });
  document.getElementById("editor-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const all = document.getElementById("editor-all");
    const ok = await change({ op: all.checked && !all.closest("p").hidden ? "same" : "set", letter: sel.dataset.letter,
      row: rowOf(sel), value: input.value }, document.getElementById("editor-error"));
    if (ok) dialog.close();
  });

  setupReplace(base, change);
  const pageBox = document.getElementById("page-number");
  if (pageBox) pageBox.addEventListener("change", () => pageBox.form.submit());
  document.querySelectorAll("[data-autosubmit]").forEach((s) => s.addEventListener("change", () => s.form.submit()));

  // the cell chosen before the page was reloaded, or the one an issue link names
  const wanted = (window.location.hash.match(/^#cell-([A-Z]+)(\d+)$/) || []).slice(1);
  const stored = (sessionStorage.getItem(key) || "").split(":");
  sessionStorage.removeItem(key);
  const [letter, row] = wanted.length ? wanted : stored;
  const edge = row === "first" ? grid.querySelector("tbody tr[data-row]") : row === "last" ? rows().pop() : null;
  const start = letter && cellAt(edge || document.getElementById("row-" + row), letter);
  if (start) select(start);
  else { const first = grid.querySelector("tbody td.cell"); if (first) first.tabIndex = 0; }
}

function setupReplace(base, change) {
  const dialog = document.getElementById("replacer");
  const open = document.getElementById("open-replace");
  if (!dialog || !open) return;
  const column = document.getElementById("replace-column"), find = document.getElementById("replace-find");
  const replacement = document.getElementById("replace-with"), whole = document.getElementById("replace-whole");
  const count = document.getElementById("replace-count");
  let timer = null;
  const preview = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      if (!find.value) { say(count, ""); return; }
      const data = await fetch(base + "/count?letter=" + encodeURIComponent(column.value) + "&find=" + encodeURIComponent(find.value)
        + (whole.checked ? "&whole=1" : ""), { credentials: "same-origin" }).then((r) => r.json()).catch(() => ({}));
      say(count, data.error || (data.count + " cell" + (data.count === 1 ? "" : "s") + " will change"), !!data.error);
      count.dataset.count = data.count || 0;
    }, 200);
  };
  [column, whole].forEach((e) => e.addEventListener("change", preview));
  find.addEventListener("input", preview);
  open.addEventListener("click", () => {
    const selected = document.querySelector("#grid td.selected");
    if (selected) column.value = selected.dataset.letter;
    say(document.getElementById("replace-error"), "");
    dialog.showModal(); find.focus(); preview();
  });
  dialog.querySelector("[data-close]").addEventListener("click", () => dialog.close());
  document.getElementById("replace-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const ok = await change({ op: "replace", letter: column.value, find: find.value, value: replacement.value, whole: whole.checked },
      document.getElementById("replace-error"));
    if (ok) dialog.close();
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

function setupFixes() {
  document.querySelectorAll("[data-fix]").forEach((button) => button.addEventListener("click", () => {
    const row = document.getElementById("fix-" + button.dataset.fix);
    row.hidden = !row.hidden;
    button.setAttribute("aria-expanded", String(!row.hidden));
    if (!row.hidden) row.querySelector("input").focus();
  }));
  document.querySelectorAll("[data-fix-cancel]").forEach((button) => button.addEventListener("click", () => {
    document.getElementById("fix-" + button.dataset.fixCancel).hidden = true;
  }));
  document.querySelectorAll("[data-fix-form]").forEach((form) => form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const row = Number(form.dataset.row), message = form.querySelector(".message");
    const cells = Array.from(form.querySelectorAll("input[data-old]")).filter((i) => i.value !== i.dataset.old)
      .map((i) => ({ letter: i.name, row, value: i.value }));
    const password = form.querySelector("input[name=password]");
    say(message, "Sending row " + row + " again ...");
    const data = await post("/jobs/" + form.dataset.fixForm + "/fix", { cells, password: password ? password.value : "" });
    if (data.error) { say(message, data.error, true); if (data.url) setTimeout(() => { window.location = data.url; }, 1500); return; }
    window.location = data.url;
  }));
  document.querySelectorAll(".page-box [data-autosubmit]").forEach((s) => s.addEventListener("change", () => s.form.submit()));
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

document.addEventListener("DOMContentLoaded", () => { setupUpload(); setupRecheck(); setupColumns(); setupGrid(); setupDecisions(); setupHistory(); setupImport(); setupFixes(); setupProgress(); });
