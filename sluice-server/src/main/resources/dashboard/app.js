// Sluice dashboard: a static page that calls the /v1 API with the operator's bearer token.
// Every value from the API reaches the DOM through textContent (via el()/text()), never innerHTML,
// so a record property or an error message cannot inject markup. The token lives in
// sessionStorage only; it is never put in a URL query, logged, or shown back.

const TOKEN_KEY = 'sluice.apiToken';
const REFRESH_MS = 2000;
const ACTIVE = new Set(['pending', 'processing', 'retrying']);
const RESUMABLE = new Set(['failed', 'cancelled', 'partially_completed']);
const STATES = ['ready', 'scheduled', 'processing', 'retryable', 'completed', 'dead', 'cancelled'];
const MAX_EVENTS = 300;

const $ = (id) => document.getElementById(id);

const state = {
  selectedRun: null, // run id the detail panel follows
  events: [],        // events of the selected run, oldest first
  eventsAfter: 0,
  eventsRun: null,
  connections: [],
  timer: null,
  busy: false,
  recordFromLink: false,
};

// ---------- token ----------

function takeTokenFromFragment() {
  // For scripted use (tests, links from `sluice demo`): #token=... is not sent to the server;
  // it is stored and then removed from the address bar and the history entry.
  const hash = window.location.hash;
  if (!hash || hash.length < 2) return;
  const params = new URLSearchParams(hash.slice(1));
  const t = params.get('token');
  if (t !== null && t.trim()) sessionStorage.setItem(TOKEN_KEY, t.trim());
  // #run=ID selects that run for the detail panel (otherwise the newest one).
  const run = Number(params.get('run'));
  if (Number.isSafeInteger(run) && run > 0) state.selectedRun = run;
  // #record=connection/type/id opens that record's timeline (a link from a log line or a test).
  const record = params.get('record');
  if (record !== null) {
    const [conn, type, ...id] = record.split('/');
    $('record-connection').value = conn || '';
    $('record-type').value = type || '';
    $('record-id').value = id.join('/');
    state.recordFromLink = true;
  }
  history.replaceState(null, '', window.location.pathname + window.location.search);
}

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function showTokenState() {
  text($('token-state'), token() ? 'token set (hidden)' : 'no token');
}

// ---------- API ----------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path) {
  const t = token();
  if (!t) throw new ApiError(0, 'enter the API token (server.api_token or SLUICE_API_TOKEN) above');
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: { 'Authorization': 'Bearer ' + t, 'Accept': 'application/json' },
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch (e) {
    throw new ApiError(0, 'the server did not answer (' + (e && e.message ? e.message : 'network error') + ')');
  }
  let body = null;
  const type = response.headers.get('Content-Type') || '';
  if (type.startsWith('application/json')) {
    try { body = await response.json(); } catch (e) { body = null; }
  }
  if (response.status === 401) {
    throw new ApiError(401, 'token refused: the server answered 401' + (body && body.error ? ' (' + body.error + ')' : '')
      + '. Enter the API token again.');
  }
  if (!response.ok) {
    const reason = body && typeof body.error === 'string' ? body.error : response.statusText || 'no reason given';
    throw new ApiError(response.status, method + ' ' + path.split('?')[0] + ' failed with ' + response.status + ': ' + reason);
  }
  return body;
}

// ---------- DOM helpers (textContent only) ----------

function text(node, value) {
  node.textContent = value === null || value === undefined ? '' : String(value);
  return node;
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  if (props) {
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k === 'class') node.className = v;
      else if (k === 'onclick') node.addEventListener('click', v);
      else if (k === 'dataset') Object.assign(node.dataset, v);
      else if (k === 'title') node.title = String(v);
      else node.setAttribute(k, String(v));
    }
  }
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

function num(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

function duration(seconds) {
  if (seconds === null || seconds === undefined) return '—';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return s + ' s';
  if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
  return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min';
}

function millis(ms) {
  if (ms === null || ms === undefined) return '—';
  if (ms < 1000) return ms + ' ms';
  if (ms < 60000) return (Math.round(ms / 100) / 10) + ' s';
  return duration(ms / 1000);
}

function bar(fraction, done) {
  const b = el('span', { class: 'bar' + (done ? ' done' : '') + (fraction === null ? ' unknown' : '') }, el('span'));
  if (fraction !== null) b.firstChild.style.width = Math.max(0, Math.min(1, fraction)) * 100 + '%';
  return b;
}

function statusCell(status) {
  return el('span', { class: 'status status-' + String(status).replace(/[^a-z_]/g, '') }, status);
}

function showError(message) {
  const box = $('error');
  if (!message) {
    box.hidden = true;
    text(box, '');
    delete document.body.dataset.error;
    return;
  }
  text(box, message);
  box.hidden = false;
  document.body.dataset.error = 'true';
}

// ---------- panels ----------

function streamFraction(s) {
  if (s.status === 'completed') return 1;
  if (s.estimated_total && s.estimated_total > 0) return s.counts.fetched / s.estimated_total;
  return null;
}

function runFraction(run) {
  if (!run.streams || run.streams.length === 0) return null;
  if (run.status === 'completed') return 1;
  const parts = run.streams.map(streamFraction);
  if (parts.some((p) => p === null) && ACTIVE.has(run.status)) {
    // Unknown sizes: count finished streams only.
    return run.streams.filter((s) => s.status === 'completed').length / run.streams.length;
  }
  return parts.reduce((a, p) => a + (p === null ? 0 : p), 0) / parts.length;
}

async function runAction(id, action, button) {
  if (action === 'cancel' && !window.confirm('Cancel run ' + id + '? Streams stop after the page in flight.')) return;
  button.disabled = true;
  try {
    await api('POST', '/v1/sync-runs/' + encodeURIComponent(id) + '/' + action);
    showError(null);
  } catch (e) {
    showError(e.message);
  }
  refresh();
}

function renderRuns(runs, details) {
  const tbody = $('runs').tBodies[0];
  tbody.replaceChildren();
  $('runs-empty').hidden = runs.length > 0;
  for (const r of runs) {
    const d = details.get(r.run_id);
    const fraction = d ? runFraction(d) : (r.status === 'completed' ? 1 : null);
    const actions = el('td');
    if (ACTIVE.has(r.status)) {
      const b = el('button', { type: 'button', class: 'cancel' }, 'Cancel');
      b.addEventListener('click', (ev) => { ev.stopPropagation(); runAction(r.run_id, 'cancel', b); });
      actions.append(b);
    } else if (RESUMABLE.has(r.status)) {
      const b = el('button', { type: 'button', class: 'resume' }, 'Resume');
      b.addEventListener('click', (ev) => { ev.stopPropagation(); runAction(r.run_id, 'resume', b); });
      actions.append(b);
    }
    const row = el('tr', { dataset: { runId: String(r.run_id) }, class: r.run_id === state.selectedRun ? 'selected' : null },
      el('td', { class: 'num' }, '#' + r.run_id),
      el('td', null, r.connection),
      el('td', null, r.mode),
      el('td', null, statusCell(r.status)),
      el('td', null, bar(fraction, r.status === 'completed'), fraction === null ? '' : Math.floor(fraction * 100) + '%'),
      el('td', { class: 'num' }, num(r.totals ? r.totals.fetched : null)),
      el('td', null, d && ACTIVE.has(r.status) ? duration(d.eta_seconds) : '—'),
      el('td', null, when(r.created_at)),
      actions);
    row.addEventListener('click', () => { selectRun(r.run_id); });
    tbody.append(row);
  }
}

function selectRun(id) {
  if (state.selectedRun !== id) {
    state.selectedRun = id;
    state.events = [];
    state.eventsAfter = 0;
    state.eventsRun = id;
  }
  refresh();
}

function renderRunDetail(run) {
  const panel = $('run-detail');
  if (!run) { panel.hidden = true; return; }
  panel.hidden = false;
  panel.dataset.runId = String(run.run_id);
  text($('run-detail-id'), '#' + run.run_id);
  const st = $('run-detail-status');
  st.className = 'status status-' + String(run.status).replace(/[^a-z_]/g, '');
  text(st, run.status);
  const meta = [run.connection, run.mode, 'objects: ' + run.objects.join(', '), 'requests: ' + num(run.requests)];
  if (run.phase) meta.push('phase: ' + run.phase + (run.current_object ? ' (' + run.current_object + ')' : ''));
  if (ACTIVE.has(run.status)) meta.push('ETA: ' + duration(run.eta_seconds));
  meta.push('started ' + when(run.started_at));
  if (run.finished_at) meta.push('finished ' + when(run.finished_at) + (run.duration_ms !== null ? ' (' + duration(run.duration_ms / 1000) + ')' : ''));
  text($('run-detail-meta'), meta.join(' · '));
  const err = $('run-detail-error');
  err.hidden = !run.last_error;
  text(err, run.last_error ? 'last error: ' + run.last_error : '');

  const tbody = $('streams').tBodies[0];
  tbody.replaceChildren();
  for (const s of run.streams) {
    const f = streamFraction(s);
    const c = s.counts;
    const progress = f === null ? num(c.fetched) + ' so far' : Math.floor(f * 100) + '%' + (s.estimated_total ? ' of ~' + num(s.estimated_total) : '');
    tbody.append(el('tr', { dataset: { object: s.object } },
      el('td', null, s.object),
      el('td', null, statusCell(s.status)),
      el('td', null, bar(f, s.status === 'completed'), progress),
      el('td', { class: 'num' }, num(c.fetched)),
      el('td', { class: 'num' }, num(c.created)),
      el('td', { class: 'num' }, num(c.updated)),
      el('td', { class: 'num' }, num(c.unchanged)),
      el('td', { class: 'num' }, num(c.archived)),
      el('td', { class: 'num' }, num(c.failed)),
      el('td', { class: 'num' }, num(s.pages)),
      el('td', { class: 'num' }, num(s.requests))));
    if (s.last_error) tbody.append(el('tr', null, el('td'), el('td', { class: 'wrap bad', colspan: 10 }, s.last_error)));
  }
}

function summarizePayload(p) {
  if (!p || typeof p !== 'object') return '';
  const s = JSON.stringify(p);
  return s === '{}' ? '' : (s.length > 300 ? s.slice(0, 300) + '…' : s);
}

function renderEvents() {
  const list = $('events');
  list.replaceChildren();
  for (let i = state.events.length - 1; i >= 0; i--) {
    const e = state.events[i];
    list.append(el('li', { dataset: { type: e.type } },
      el('span', { class: 'muted' }, '#' + e.seq),
      el('span', null, when(e.at)),
      el('strong', null, e.type),
      el('span', null, e.stream || ''),
      el('code', null, summarizePayload(e.payload))));
  }
  if (state.events.length === 0) list.append(el('li', { class: 'muted' }, 'no events yet'));
}

async function loadEvents(id) {
  if (state.eventsRun !== id) {
    state.eventsRun = id;
    state.events = [];
    state.eventsAfter = 0;
  }
  // Follow the log with ?after=; a few pages per refresh at most so one busy run cannot stall the page.
  for (let i = 0; i < 5; i++) {
    const page = await api('GET', '/v1/sync-runs/' + encodeURIComponent(id) + '/events?after=' + state.eventsAfter);
    if (state.eventsRun !== id) return;
    state.events.push(...page.events);
    if (state.events.length > MAX_EVENTS) state.events.splice(0, state.events.length - MAX_EVENTS);
    const next = page.next_after === null || page.next_after === undefined ? state.eventsAfter : page.next_after;
    if (page.events.length < 1000 || next === state.eventsAfter) { state.eventsAfter = next; break; }
    state.eventsAfter = next;
  }
  renderEvents();
}

function renderQueue(stats) {
  const table = $('queue-stats');
  const kinds = Object.keys(stats.kinds || {}).sort();
  const present = new Set();
  for (const k of kinds) for (const s of Object.keys(stats.kinds[k])) present.add(s);
  for (const s of Object.keys(stats.totals || {})) present.add(s);
  const columns = STATES.filter((s) => present.has(s)).concat([...present].filter((s) => !STATES.includes(s)).sort());
  table.tHead.replaceChildren(el('tr', null, el('th', null, 'kind'), ...columns.map((c) => el('th', { class: 'num' }, c))));
  const tbody = table.tBodies[0];
  tbody.replaceChildren();
  for (const k of kinds) {
    tbody.append(el('tr', { dataset: { kind: k } }, el('td', null, k),
      ...columns.map((c) => el('td', { class: 'num' }, num(stats.kinds[k][c] || 0)))));
  }
  tbody.append(el('tr', { class: 'total' }, el('th', null, 'total'),
    ...columns.map((c) => el('th', { class: 'num' }, num((stats.totals || {})[c] || 0)))));
  text($('queue-oldest'), stats.oldest_ready_age_ms === null || stats.oldest_ready_age_ms === undefined
    ? 'no job waiting' : 'oldest ready job waits ' + duration(stats.oldest_ready_age_ms / 1000));
}

async function retryJob(id, button) {
  button.disabled = true;
  try {
    await api('POST', '/v1/jobs/' + encodeURIComponent(id) + '/retry');
    showError(null);
  } catch (e) {
    showError(e.message);
  }
  refresh();
}

function renderDead(jobs) {
  const tbody = $('dead-jobs').tBodies[0];
  tbody.replaceChildren();
  $('dead-empty').hidden = jobs.length > 0;
  for (const j of jobs) {
    const b = el('button', { type: 'button', class: 'retry' }, 'Retry');
    b.addEventListener('click', () => retryJob(j.job_id, b));
    tbody.append(el('tr', { dataset: { jobId: String(j.job_id) } },
      el('td', { class: 'num' }, '#' + j.job_id),
      el('td', null, j.kind),
      el('td', { class: 'num' }, j.attempt + ' / ' + j.max_attempts),
      el('td', { class: 'wrap' }, el('code', null, j.last_error || '')),
      el('td', null, when(j.finished_at)),
      el('td', null, b)));
  }
}

async function switchKind(kind, to, button) {
  button.disabled = true;
  try {
    await api('POST', '/v1/kinds/' + encodeURIComponent(kind) + '/' + to);
    showError(null);
  } catch (e) {
    showError(e.message);
  }
  refresh();
}

function renderKinds(kinds) {
  const tbody = $('kind-switches').tBodies[0];
  tbody.replaceChildren();
  for (const k of kinds) {
    const pause = el('button', { type: 'button' }, k.paused ? 'Resume' : 'Pause');
    pause.addEventListener('click', () => switchKind(k.kind, k.paused ? 'resume' : 'pause', pause));
    const shadow = el('button', { type: 'button' }, k.shadow ? 'Unshadow' : 'Shadow');
    shadow.addEventListener('click', () => switchKind(k.kind, k.shadow ? 'unshadow' : 'shadow', shadow));
    tbody.append(el('tr', { dataset: { kind: k.kind } }, el('td', null, k.kind),
      el('td', null, k.paused ? 'paused' : '—'), el('td', null, k.shadow ? 'shadow' : '—'), el('td', null, pause, shadow)));
  }
  $('kind-names').replaceChildren(...kinds.map((k) => el('option', { value: k.kind })));
}

async function bulkDead(action, button) {
  const params = new URLSearchParams();
  const kind = $('dead-kind').value.trim();
  const error = $('dead-error').value.trim();
  if (kind) params.set('kind', kind);
  if (error) params.set('error_contains', error);
  const what = (kind ? kind : 'all kinds') + (error ? ' with errors containing "' + error + '"' : '');
  if (!window.confirm(action + ' every dead job of ' + what + '?')) return;
  button.disabled = true;
  try {
    await api('POST', '/v1/jobs/dead/' + action + (params.toString() ? '?' + params : ''));
    showError(null);
  } catch (e) {
    showError(e.message);
  } finally {
    button.disabled = false;
  }
  refresh();
}

function renderLimits(limits) {
  const box = $('rate-limits');
  box.replaceChildren();
  $('limits-empty').hidden = limits.length > 0;
  for (const l of limits) {
    const avail = Math.max(0, l.available);
    const f = l.capacity > 0 ? avail / l.capacity : 0;
    const shape = l.kind === 'rolling'
      ? 'rolling window: ' + num(l.capacity) + ' per ' + millis(l.window_ms)
      : 'token bucket: capacity ' + num(l.capacity) + ', refill ' + num(l.refill_tokens) + ' per ' + millis(l.refill_period_ms);
    const debt = l.available < 0 ? ' · in debt ' + num(-l.available) : '';
    box.append(el('div', { class: 'gauge', dataset: { bucket: l.name } },
      el('span', { class: 'name' }, l.name),
      el('span', null, bar(f, false), num(Math.floor(avail)) + ' / ' + num(l.capacity) + ' available'),
      el('span', { class: 'detail' }, shape + ' · granted ' + num(l.granted_total) + debt + ' · updated ' + when(l.updated_at))));
  }
}

function renderConnections(connections) {
  const names = $('connection-names');
  names.replaceChildren(...connections.map((c) => el('option', { value: c.name })));
  const types = new Set();
  for (const c of connections) for (const o of c.objects || []) types.add(o);
  $('object-types').replaceChildren(...[...types].sort().map((t) => el('option', { value: t })));
  if (!$('record-connection').value && connections.length === 1) $('record-connection').value = connections[0].name;
}

async function showDecisions(ev) {
  if (ev) ev.preventDefault();
  const id = $('decisions-event').value.trim();
  const out = $('decisions-result');
  out.replaceChildren(el('p', { class: 'muted' }, 'loading…'));
  try {
    if (!/^[0-9]+$/.test(id)) throw new ApiError(0, 'enter a stored event id (./sluice events list)');
    const r = await api('GET', '/v1/events/' + encodeURIComponent(id) + '/decisions');
    if (r.decisions.length === 0) {
      out.replaceChildren(el('p', { class: 'muted' }, 'no rule evaluated event ' + id + ' (none listens to it, or its job has not run yet)'));
      return;
    }
    const tbody = el('tbody', null);
    for (const d of r.decisions) {
      const jobs = d.jobs.map((j) => '#' + j.job_id + ' ' + j.kind + (j.created ? '' : ' (held)')
        + (j.throttled_until ? ' throttled until ' + j.throttled_until : '')
        + (j.debounced ? ' debounced until ' + j.debounced.runs_at : '')).join(', ');
      tbody.append(el('tr', { dataset: { decision: String(d.decision_id) } },
        el('td', null, d.rule), el('td', null, el('strong', null, d.outcome)),
        el('td', { class: 'wrap' }, el('code', null, d.decided_by || d.error || '')),
        el('td', { class: 'wrap' }, el('code', null, d.dedupe_key || '')),
        el('td', { class: 'wrap' }, jobs), el('td', null, when(d.evaluated_at))));
    }
    out.replaceChildren(el('table', null,
      el('thead', null, el('tr', null, ...['rule', 'outcome', 'decided by', 'dedupe key', 'jobs', 'evaluated'].map((h) => el('th', null, h)))),
      tbody));
  } catch (e) {
    out.replaceChildren(el('p', { class: 'error' }, e.message));
  }
}

async function showRecord(ev) {
  if (ev) ev.preventDefault();
  const conn = $('record-connection').value.trim();
  const type = $('record-type').value.trim();
  const id = $('record-id').value.trim();
  const out = $('record-result');
  out.replaceChildren(el('p', { class: 'muted' }, 'loading…'));
  try {
    if (!conn || !type || !id) throw new ApiError(0, 'enter a connection, an object type and a record id');
    const h = await api('GET', '/v1/records/' + [conn, type, id].map(encodeURIComponent).join('/'));
    const parts = [];
    if (!h.current) {
      parts.push(el('p', { class: 'muted' }, 'never synced: no mirror row for ' + type + ' ' + id + ' in ' + conn));
    } else {
      const c = h.current;
      parts.push(el('dl', { class: 'kv' },
        el('dt', null, 'archived'), el('dd', null, String(c.archived)),
        el('dt', null, 'source updated'), el('dd', null, when(c.source_updated_at)),
        el('dt', null, 'first seen in run'), el('dd', null, '#' + c.first_seen_run),
        el('dt', null, 'last changed in run'), el('dd', null, '#' + c.last_changed_run),
        el('dt', null, 'synced at'), el('dd', null, when(c.synced_at)),
        el('dt', null, 'content hash'), el('dd', null, el('code', null, c.content_hash || '')),
        el('dt', null, 'properties'), el('dd', null, el('code', null, JSON.stringify(c.properties, null, 1))),
        el('dt', null, 'associations'), el('dd', null, el('code', null, JSON.stringify(c.associations)))));
    }
    const rows = h.changes.map((ch) => el('tr', null,
      el('td', null, when(ch.at)),
      el('td', { class: 'num' }, ch.source === 'webhook' ? 'webhook event ' + ch.event_id : '#' + ch.run_id),
      el('td', null, ch.run_mode || ''),
      el('td', { class: 'num' }, ch.page === null ? '—' : ch.page),
      el('td', null, ch.kind),
      el('td', { class: 'wrap' }, (ch.changed_properties || []).join(', '))));
    parts.push(el('h3', null, 'Changes (' + h.changes.length + ')'));
    parts.push(el('table', { id: 'record-changes' },
      el('thead', null, el('tr', null, el('th', null, 'at'), el('th', null, 'run / source'), el('th', null, 'mode'),
        el('th', null, 'page'), el('th', null, 'change'), el('th', null, 'changed properties'))),
      el('tbody', null, ...rows)));
    out.replaceChildren(...parts);
    out.dataset.record = conn + '/' + type + '/' + id;
  } catch (e) {
    out.replaceChildren(el('p', { class: 'bad' }, e.message));
  }
}

// ---------- refresh loop ----------

const LEAD_STATES = ['received', 'sending', 'sent', 'rejected', 'retrying'];

// Lead counts per source and state; the panel stays hidden when the server takes no leads (404).
async function refreshLeads() {
  let counts;
  try {
    counts = await api('GET', '/v1/leads/stats');
  } catch (e) {
    if (e.status === 404) {
      $('leads-panel').hidden = true;
      return;
    }
    throw e;
  }
  $('leads-panel').hidden = false;
  const tbody = $('lead-stats').tBodies[0];
  tbody.replaceChildren();
  const sources = Object.keys(counts.by_source || {}).sort();
  for (const s of sources) {
    tbody.append(el('tr', { dataset: { source: s } }, el('td', null, s),
      ...LEAD_STATES.map((st) => el('td', { class: 'num' }, num(counts.by_source[s][st] || 0)))));
  }
  if (sources.length > 0) {
    tbody.append(el('tr', { class: 'total' }, el('th', null, 'total'),
      ...LEAD_STATES.map((st) => el('th', { class: 'num' }, num(counts.total[st] || 0)))));
  }
  $('leads-empty').hidden = sources.length > 0;
}

async function refresh() {
  if (state.busy) return;
  state.busy = true;
  try {
    const [runList, stats, dead, limits, kinds] = await Promise.all([
      api('GET', '/v1/sync-runs?limit=20'),
      api('GET', '/v1/jobs/stats'),
      api('GET', '/v1/jobs/dead?limit=50'),
      api('GET', '/v1/rate-limits'),
      api('GET', '/v1/kinds'),
    ]);
    const runs = runList.runs;
    if (state.selectedRun === null && runs.length > 0) state.selectedRun = runs[0].run_id;
    // Full run documents (per-object counts, ETA) for the active runs and the selected one.
    const wanted = runs.filter((r) => ACTIVE.has(r.status) || r.run_id === state.selectedRun).slice(0, 10).map((r) => r.run_id);
    if (state.selectedRun !== null && !wanted.includes(state.selectedRun)) wanted.push(state.selectedRun);
    const docs = await Promise.all(wanted.map((id) => api('GET', '/v1/sync-runs/' + encodeURIComponent(id))));
    const details = new Map(docs.map((d) => [d.run_id, d]));
    renderRuns(runs, details);
    renderRunDetail(state.selectedRun === null ? null : details.get(state.selectedRun));
    if (state.selectedRun !== null) await loadEvents(state.selectedRun);
    renderQueue(stats);
    renderDead(dead.jobs);
    renderKinds(kinds.kinds);
    renderLimits(limits.rate_limits);
    await refreshLeads();
    if (state.connections.length === 0) {
      state.connections = (await api('GET', '/v1/connections')).connections;
      renderConnections(state.connections);
    }
    showError(null);
    text($('refresh-state'), 'updated ' + new Date().toLocaleTimeString('en-GB'));
    document.body.dataset.loaded = 'true';
  } catch (e) {
    showError(e.message);
    if (e.status === 401) {
      document.body.dataset.auth = 'refused';
      stopPolling();
    }
  } finally {
    state.busy = false;
  }
}

function startPolling() {
  stopPolling();
  delete document.body.dataset.auth;
  refresh();
  state.timer = window.setInterval(refresh, REFRESH_MS);
}

function stopPolling() {
  if (state.timer !== null) window.clearInterval(state.timer);
  state.timer = null;
}

function init() {
  takeTokenFromFragment();
  showTokenState();
  $('token-form').addEventListener('submit', (ev) => {
    ev.preventDefault();
    const input = $('token-input');
    const t = input.value.trim();
    input.value = '';
    if (!t) return;
    sessionStorage.setItem(TOKEN_KEY, t);
    showTokenState();
    startPolling();
  });
  $('token-forget').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    showTokenState();
    stopPolling();
    document.body.dataset.loaded = 'false';
    showError('no token: enter the API token above');
  });
  $('record-form').addEventListener('submit', showRecord);
  $('decisions-form').addEventListener('submit', showDecisions);
  $('dead-retry-all').addEventListener('click', (ev) => bulkDead('retry', ev.currentTarget));
  $('dead-cancel-all').addEventListener('click', (ev) => bulkDead('cancel', ev.currentTarget));
  if (token()) {
    startPolling();
    if (state.recordFromLink) showRecord(null);
  }
  else showError('enter the API token (server.api_token or SLUICE_API_TOKEN) above');
}

init();
