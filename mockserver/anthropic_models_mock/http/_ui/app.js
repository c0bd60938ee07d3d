// The dashboard of anthropic-models-mock: a client of the admin API (/_mock/...) and of the Models API
// (/v1/models), and nothing else: whatever it does, curl and Python can do too. Everything it shows goes
// into the page as text (textContent, append), never as HTML.
"use strict";

const ADMIN = new URL(".", location.href).pathname.replace(/\/$/, ""); // "/_mock"
const ROOT = new URL("..", location.href).pathname.replace(/\/$/, ""); // where /v1/models is
const OWN = "x-mock-dashboard"; // marks the dashboard's own API requests in the journal
const KEPT = 1000; // journal rows kept in the page
const PAGE = 50; // models a page

const $ = (id) => document.getElementById(id);

/** An element with attributes and children; strings become text nodes, never markup. */
function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function say(text, isError = false) {
  const message = $("message");
  message.textContent = text;
  message.className = isError ? "error" : "";
}

async function answer(response) {
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const reason = data && data.error ? data.error.message : `HTTP ${response.status}`;
    throw Object.assign(new Error(reason), { status: response.status });
  }
  return data;
}

/** The admin API: GET, or a change with a JSON body. */
async function admin(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["content-type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  return answer(await fetch(ADMIN + path, options));
}

/** The Models API, as any client calls it (journaled, marked as the dashboard's own). */
async function api(path) {
  const headers = { "x-api-key": apiKey(), "anthropic-version": "2023-06-01", [OWN]: "1" };
  return answer(await fetch(ROOT + path, { headers }));
}

let state = null; // GET /_mock
let askedForKey = false;

function apiKey() {
  return (state && state.api_keys === "configured" && sessionStorage.getItem("mockserver-key")) || "dashboard";
}

const number = (n) => (n === null || n === undefined ? "—" : Number(n).toLocaleString("en-US"));

// -- tabs ----------------------------------------------------------------------------------------------
const tabs = [...document.querySelectorAll('[role="tab"]')];

function show(tab) {
  for (const other of tabs) {
    const selected = other === tab;
    other.setAttribute("aria-selected", String(selected));
    other.tabIndex = selected ? 0 : -1;
    $(other.getAttribute("aria-controls")).hidden = !selected;
  }
  history.replaceState(null, "", `#${tab.getAttribute("aria-controls")}`); // a reload comes back here
  if (tab.id === "tab-catalog") refreshState().then(() => catalog.rows.length || loadModels({}));
  if (tab.id === "tab-faults") refreshFaults();
}

for (const tab of tabs) {
  tab.addEventListener("click", () => show(tab));
  tab.addEventListener("keydown", (event) => {
    const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
    if (step === undefined) return;
    const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
    next.focus();
    show(next);
  });
}

for (const button of document.querySelectorAll("[data-close]")) {
  button.addEventListener("click", () => close(button.dataset.close));
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") for (const id of ["journal-detail", "model-detail"]) close(id);
});

function close(id) {
  const panel = $(id);
  if (panel.hidden) return;
  panel.hidden = true;
  for (const row of document.querySelectorAll(".selected")) row.classList.remove("selected");
}

function open(id) {
  $(id).hidden = false;
  $(id).querySelector(".close").focus();
}

// -- the state: catalog summary, keys ------------------------------------------------------------------
async function refreshState() {
  state = await admin("GET", "");
  const { catalog: c } = state;
  $("base-url").textContent = location.origin + ROOT;
  const clockText = state.clock === null ? "" : ` · clock: ${state.clock}`;
  $("where").textContent = `${location.origin + ROOT} · ${number(c.models)} models · keys: ${state.api_keys}${clockText}`;
  $("model-count").textContent = number(c.models);
  $("catalog-info").replaceChildren(
    `${number(c.models)} models (all lifecycles) · source: `,
    el("code", {}, c.source),
    ` · as of ${c.as_of === null ? "—" : c.as_of}`,
  );
  renderAliases(c.aliases);
}

/** Once, when the fake checks keys: the key the catalog is browsed with (asked after the first paint). */
function askForKey() {
  if (state.api_keys === "configured" && !sessionStorage.getItem("mockserver-key") && !askedForKey) {
    askedForKey = true;
    const key = prompt("This fake only accepts its --api-key keys. The key to browse the catalog with:");
    if (key) sessionStorage.setItem("mockserver-key", key);
  }
}

// -- the journal, live ---------------------------------------------------------------------------------
const journal = { loaded: false, epoch: null, seq: 0, entries: new Map() };

function statusClass(status) {
  return status === 0 ? "s0" : `s${String(status)[0]}xx`;
}

function clock(time) {
  const when = new Date(time);
  const pad = (n, width = 2) => String(n).padStart(width, "0");
  return `${pad(when.getHours())}:${pad(when.getMinutes())}:${pad(when.getSeconds())}.${pad(when.getMilliseconds(), 3)}`;
}

function addRequest(entry) {
  if (journal.entries.has(entry.seq)) return;
  const own = OWN in entry.headers;
  const row = el(
    "tr",
    { class: own ? "own" : "", "data-seq": entry.seq, "data-request-id": entry.request_id, "data-status": entry.status },
    el("td", {}, el("time", { datetime: entry.time }, clock(entry.time))),
    el("td", {}, entry.method),
    el("td", { class: "wrap" }, el("button", { type: "button", class: "link", onclick: () => detail(entry, row) }, entry.path)),
    el("td", { class: "wrap" }, entry.query),
    el("td", {}, el("span", { class: `status ${statusClass(entry.status)}` }, entry.status === 0 ? "none" : String(entry.status))),
    el("td", { class: "wrap" }, entry.key || "—"),
    el("td", { class: "wrap" }, el("code", {}, entry.request_id)),
  );
  row.addEventListener("click", (event) => event.target.closest("button") || detail(entry, row));
  journal.entries.set(entry.seq, row);
  $("journal-rows").prepend(row);
  while (journal.entries.size > KEPT) {
    const [oldest, oldRow] = journal.entries.entries().next().value;
    journal.entries.delete(oldest);
    oldRow.remove();
  }
  journal.seq = Math.max(journal.seq, entry.seq);
}

/** The header's count, the counts by status and the empty notice: of the rows the list shows, nothing else
 * (the dashboard's own requests count only while they are shown). */
function count() {
  if (!journal.loaded) return; // the page still says it is loading
  const showOwn = $("show-own").checked;
  const listed = [...journal.entries.values()].filter((row) => showOwn || !row.classList.contains("own"));
  const statuses = new Map();
  for (const row of listed) {
    const status = Number(row.dataset.status);
    statuses.set(status, (statuses.get(status) || 0) + 1);
  }
  $("journal-count").textContent = number(listed.length);
  $("statuses").replaceChildren(
    `${number(listed.length)} request${listed.length === 1 ? "" : "s"}`,
    ...[...statuses]
      .sort(([a], [b]) => a - b)
      .flatMap(([status, n]) => [" ", el("span", { class: `status ${statusClass(status)}` }, `${status === 0 ? "none" : status} × ${number(n)}`)]),
  );
  $("journal-empty").hidden = listed.length > 0;
}

function detail(entry, row) {
  for (const selected of document.querySelectorAll("#journal-rows .selected")) selected.classList.remove("selected");
  row.classList.add("selected");
  const target = entry.query ? `${entry.path}?${entry.query}` : entry.path;
  $("journal-detail-title").textContent = `${entry.method} ${target} → ${entry.status === 0 ? "no answer" : entry.status}`;
  const facts = { "request id": entry.request_id, key: entry.key || "none sent", time: entry.time, "number (seq)": entry.seq };
  $("journal-detail-facts").replaceChildren(...pairs(facts));
  $("journal-detail-headers").replaceChildren(...pairs(entry.headers));
  open("journal-detail");
}

function pairs(object) {
  return Object.entries(object).flatMap(([name, value]) => [el("dt", {}, name), el("dd", {}, String(value))]);
}

function summarise(summary) {
  if ((journal.epoch !== null && summary.epoch !== journal.epoch) || summary.seq < journal.seq) {
    journal.entries.clear(); // cleared or reset (or another server): start again
    $("journal-rows").replaceChildren();
    close("journal-detail");
    journal.seq = 0;
  }
  journal.epoch = summary.epoch;
  count();
}

/** The journal as it is now, over plain HTTP: shown at once, whether or not the live stream ever connects. */
async function loadJournal() {
  try {
    const first = await admin("GET", `/journal?limit=${KEPT}`);
    summarise(first);
    first.requests.forEach(addRequest);
  } catch (error) {
    $("journal-loading").textContent = `The journal could not be loaded: ${error.message}`;
    throw error;
  }
  journal.loaded = true;
  $("journal-loading").hidden = true;
  count();
}

let stream = null;

/** The requests after those loaded, live. */
function follow() {
  stream = new EventSource(`${ADMIN}/journal/stream?after=${journal.seq}`);
  stream.addEventListener("journal", (event) => summarise(JSON.parse(event.data)));
  stream.addEventListener("request", (event) => {
    addRequest(JSON.parse(event.data));
    count();
    faultsSoon(); // a request may have used up a fault
  });
  stream.addEventListener("open", () => live(true));
  stream.addEventListener("error", () => live(false));
}

function live(on) {
  $("live").textContent = on ? "● live" : "reconnecting…";
  $("live").className = on ? "on" : "off";
}

$("show-own").addEventListener("change", (event) => {
  $("journal-table").classList.toggle("hide-own", !event.target.checked);
  count();
});
$("clear-journal").addEventListener("click", () => act(() => admin("DELETE", "/journal"), "Journal cleared."));

// -- the catalog, a page at a time ---------------------------------------------------------------------
const catalog = { rows: [], cursor: {}, page: 1, hasMore: false };

function lifecycles() {
  return [...document.querySelectorAll("#lifecycles input:checked")].map((box) => box.value);
}

async function loadModels(cursor) {
  const query = new URLSearchParams({ limit: PAGE });
  for (const lifecycle of lifecycles()) query.append("lifecycle[]", lifecycle);
  if (cursor.after_id) query.set("after_id", cursor.after_id);
  if (cursor.before_id) query.set("before_id", cursor.before_id);
  const page = await api(`/v1/models?${query}`);
  catalog.cursor = cursor;
  catalog.rows = page.data;
  catalog.page = cursor.after_id ? catalog.page + 1 : cursor.before_id ? Math.max(catalog.page - 1, 1) : 1;
  catalog.first = page.first_id;
  catalog.last = page.last_id;
  $("model-rows").replaceChildren(...page.data.map(modelRow));
  const newer = cursor.before_id ? page.has_more : Boolean(cursor.after_id);
  const older = cursor.before_id ? true : page.has_more;
  $("newer").disabled = !newer;
  $("older").disabled = !older;
  $("page-info").textContent = page.data.length ? `page ${number(catalog.page)} · ${page.data.length} models` : "no model";
  filterRows();
}

function modelRow(model) {
  return el(
    "tr",
    { "data-id": model.id },
    el("td", { class: "wrap" }, el("button", { type: "button", class: "link", onclick: () => showModel(model.id) }, model.id)),
    el("td", { class: "wrap" }, model.display_name),
    el("td", {}, el("time", { datetime: model.created_at }, model.created_at.slice(0, 10))),
    el("td", {}, el("span", { class: `lifecycle ${model.lifecycle}` }, model.lifecycle)),
    el("td", { class: "number" }, number(model.max_input_tokens)),
    el("td", { class: "number" }, number(model.max_tokens)),
  );
}

function renderAliases(aliases) {
  const shown = Object.entries(aliases).slice(0, 500);
  $("alias-rows").replaceChildren(
    ...shown.map(([alias, target]) =>
      el("tr", {}, el("td", { class: "wrap" }, alias), el("td", { class: "wrap" }, el("button", { type: "button", class: "link", onclick: () => showModel(target) }, target))),
    ),
  );
  if (!shown.length) $("alias-rows").append(el("tr", {}, el("td", { colspan: "2" }, "No alias.")));
}

async function showModel(id) {
  try {
    const model = await api(`/v1/models/${encodeURIComponent(id)}`);
    $("model-detail-title").textContent = model.id === id ? model.id : `${id} → ${model.id}`;
    $("model-json").textContent = JSON.stringify(model, null, 2);
  } catch (error) {
    $("model-detail-title").textContent = id;
    $("model-json").textContent = error.status === 404 ? "No model or alias with this id." : String(error.message);
  }
  open("model-detail");
}

function filterRows() {
  const text = $("lookup-id").value.trim().toLowerCase();
  for (const row of $("model-rows").children) row.hidden = Boolean(text) && !row.dataset.id.toLowerCase().includes(text);
}

$("lookup-id").addEventListener("input", filterRows);
$("lookup").addEventListener("submit", (event) => {
  event.preventDefault();
  const id = $("lookup-id").value.trim();
  if (id) showModel(id);
});
$("lifecycles").addEventListener("change", (event) => {
  if (!lifecycles().length) event.target.checked = true; // at least one
  act(() => loadModels({}));
});
$("newer").addEventListener("click", () => act(() => loadModels({ before_id: catalog.first })));
$("older").addEventListener("click", () => act(() => loadModels({ after_id: catalog.last })));

// -- faults --------------------------------------------------------------------------------------------
function describeAnswer(fault) {
  const parts = [fault.kind === "status" ? String(fault.status) : `${fault.kind} (${fault.status})`];
  if (fault.retry_after !== null) parts.push(`retry-after ${fault.retry_after} s`);
  if (fault.retry_after_ms !== null) parts.push(`retry-after-ms ${fault.retry_after_ms}`);
  if (fault.should_retry !== null) parts.push(`x-should-retry ${fault.should_retry}`);
  if (fault.message !== null) parts.push(`message “${fault.message}”`);
  return parts.join(", ");
}

const where = (route, modelId) => (modelId ? `retrieve of ${modelId}` : route || "list and retrieve");

async function refreshFaults() {
  const faults = await admin("GET", "/faults");
  const items = [];
  for (const rule of faults.scripted) {
    const times = rule.times === null ? "every request" : `${rule.times} more request${rule.times === 1 ? "" : "s"}`;
    items.push(el("li", { class: "fault" }, `${describeAnswer(rule)} · ${times} · ${where(rule.route, rule.model_id)}`));
  }
  if (faults.fail_rate.rate > 0) {
    const rate = faults.fail_rate;
    items.push(el("li", { class: "fault" }, `fail rate ${rate.rate * 100}% → ${describeAnswer(rate)} · ${where(rate.route)}`));
  }
  for (const latency of faults.latency) {
    items.push(el("li", { class: "fault" }, `latency ${latency.seconds} s + jitter up to ${latency.jitter} s · ${where(latency.route)}`));
  }
  $("fault-count").textContent = items.length ? String(items.length) : "";
  $("faults-now").replaceChildren(
    items.length ? el("ul", { id: "fault-list" }, ...items) : el("p", { id: "no-faults" }, "None: every request gets its real answer."),
    el("p", { class: "hint" }, `Random faults and jitter are seeded: seed ${faults.seed}.`),
  );
}

let faultsTimer = null;
function faultsSoon() {
  clearTimeout(faultsTimer);
  faultsTimer = setTimeout(() => refreshFaults().catch(() => {}), 150);
}

/** Run a change, then show what it did (or why not) and refresh what it may have changed. */
async function act(change, done) {
  try {
    await change();
    if (done) say(done);
  } catch (error) {
    say(error.message, true);
  }
  await refreshFaults().catch(() => {});
}

function optional(input) {
  return input.value === "" ? undefined : Number(input.value);
}

function onSubmit(id, handler) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    handler();
  });
}

onSubmit("add-sequence", () => {
  const statuses = $("sequence-statuses").value.split(/[\s,]+/).filter(Boolean).map(Number);
  const body = { sequence: statuses, route: $("sequence-route").value || null };
  const retryAfter = optional($("sequence-retry-after"));
  if (retryAfter !== undefined) body.retry_after = retryAfter;
  act(() => admin("POST", "/faults", body), `Added: ${statuses.join(", ")}.`);
});
onSubmit("set-rate", () => {
  const body = { rate: Number($("rate").value), status: Number($("rate-status").value) };
  act(() => admin("PUT", "/faults/rate", body), "Fail rate set.");
});
onSubmit("set-latency", () => {
  const body = { seconds: Number($("latency-seconds").value), jitter: optional($("latency-jitter")) || 0 };
  act(() => admin("PUT", "/faults/latency", body), "Latency set.");
});
$("clear-faults").addEventListener("click", () => act(() => admin("DELETE", "/faults"), "Faults cleared."));
$("reset").addEventListener("click", () =>
  act(async () => {
    await admin("POST", "/reset");
    await refreshState();
    if (catalog.rows.length) await loadModels({});
  }, "Reset: the catalog, keys and faults it started with, and an empty journal."),
);

// -- start ---------------------------------------------------------------------------------------------
async function start() {
  await Promise.all([refreshState(), refreshFaults(), loadJournal().then(follow)]);
  askForKey();
  const wanted = tabs.find((tab) => `#${tab.getAttribute("aria-controls")}` === location.hash);
  if (wanted && wanted.id !== "tab-journal") show(wanted);
  document.body.dataset.ready = "true";
}

start().catch((error) => say(`The admin API did not answer: ${error.message}`, true));
