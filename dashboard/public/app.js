// biome-ignore lint/suspicious/noRedundantUseStrict: kept so the file stays strict if loaded as a classic script.
'use strict';
// The first dispatch page: log in, see the live queue of open and acknowledged alerts, acknowledge.
// Every piece of text that comes from the server goes in through textContent, never innerHTML.

const SEVERITIES = ['critical', 'high', 'medium', 'low'];
const STATES = ['open', 'acknowledged', 'resolved'];
const TYPE_LABELS = {
  sos: 'SOS / 一键呼叫',
  fall: 'Fall / 跌倒',
  smoke: 'Smoke / 烟雾报警',
  gas: 'Gas leak / 燃气泄漏',
  water_leak: 'Water leak / 漏水',
  service_request: 'Service request / 服务请求',
  wearable_off: 'Wearable removed / 手环摘下',
  low_battery: 'Low battery / 电量低',
  tamper: 'Tamper / 设备被拆',
  door_open: 'Door open / 门未关',
  absence: 'Absence / 离家未归',
  gateway_offline: 'Gateway offline / 网关离线',
  device_offline: 'Device offline / 设备离线',
  vitals: 'Abnormal vitals / 生命体征异常',
  inactivity: 'Inactivity / 长时间无活动',
  missed_checkin: 'Missed check-in / 未按时报平安',
  night_door: 'Night door opening / 夜间开门',
};
const COLUMNS = ['severity', 'type', 'elder', 'address', 'region', 'age', 'state', 'action'];
const TOKEN_KEY = 'eldercare.dispatch.token';
const USER_KEY = 'eldercare.dispatch.user';
const NOTICE_KEY = 'eldercare.dispatch.notice';
const TITLE = 'Dispatch · 养老服务调度';
const LOGIN_ERRORS = { 0: 'Cannot reach the server', 401: 'Wrong username or password' };

const $ = (id) => document.getElementById(id);
const element = (name, props) => Object.assign(document.createElement(name), props);
const tag = (className, textContent) => element('span', { className, textContent });
const queue = new Map(); // alert id → { alert, tr, cells, since }
const gone = new Set(); // resolved ids: a late REST answer must not bring them back
let touched = new Set(); // ids the socket changed while a REST load was in flight: the socket is newer
let socket = null;
let loadSeq = 0;

async function api(method, path, body) {
  const headers = { accept: 'application/json' };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.authorization = `Bearer ${token}`;
  if (body) headers['content-type'] = 'application/json';
  const init = { method, headers, body: body && JSON.stringify(body), credentials: 'same-origin' };
  init.keepalive = method === 'DELETE'; // so logging out still reaches the server across the reload
  const res = await fetch(path, init);
  if (!res.ok) throw Object.assign(new Error(`HTTP ${res.status}`), { status: res.status });
  return res.status === 204 ? null : res.json();
}

async function login(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const button = form.querySelector('button[type=submit]');
  $('login-error').textContent = '';
  button.disabled = true;
  try {
    const { token, user } = await api('POST', '/api/session', Object.fromEntries(new FormData(form)));
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.setItem(USER_KEY, JSON.stringify(user));
    form.reset();
    enter(user);
  } catch (err) {
    const status = err.status ?? 0;
    $('login-error').textContent = LOGIN_ERRORS[status] ?? `Sign-in failed (HTTP ${status})`;
  } finally {
    button.disabled = false;
  }
}

function enter(user) {
  $('login-view').hidden = true;
  $('queue-view').hidden = false;
  $('session-bar').hidden = false;
  $('who').textContent = `${user.username} · ${user.role} · ${user.scope}`;
  setInterval(tick, 1000);
  connect(sessionStorage.getItem(TOKEN_KEY));
  void load();
}

/** Back to the login form. A reload is the surest way to drop every socket, timer and row. */
function leave(notice = '') {
  socket = null; // so the closing socket does not raise the banner on its way out
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
  if (notice) sessionStorage.setItem(NOTICE_KEY, notice);
  location.reload();
}

function logout() {
  // api() reads the token before its first await, so forgetting it right after is safe.
  api('DELETE', '/api/session').catch(() => {});
  leave();
}

const expired = () => leave('Session expired — please sign in again');

function setBanner(shown) {
  $('banner').hidden = !shown;
}

function connect(token) {
  if (typeof io !== 'function') return setBanner(true); // the Socket.IO script did not load
  const s = io('/dispatch', { auth: { token } });
  socket = s;
  s.on('connect', () => {
    setBanner(false);
    void load(); // whatever happened while we were away, REST has it
  });
  s.on('disconnect', (reason) => {
    if (s !== socket) return;
    setBanner(true);
    if (reason === 'io server disconnect') s.connect(); // the server hung up: the client will not retry alone
  });
  s.on('connect_error', (err) => {
    if (s !== socket) return;
    if (err?.message === 'unauthorized') return expired();
    setBanner(true);
    if (!s.active) setTimeout(() => s === socket && s.connect(), 3000);
  });
  s.on('alert:raised', (alert) => live(alert, true));
  s.on('alert:updated', (alert) => live(alert, false));
}

function live(alert, flash) {
  touched.add(alert.id);
  upsert(alert, flash);
  render();
}

async function load() {
  const seq = ++loadSeq;
  touched = new Set();
  try {
    const lists = await Promise.all(
      ['open', 'acknowledged'].map((s) => api('GET', `/api/alerts?state=${s}`)),
    );
    if (seq !== loadSeq) return;
    const fresh = new Map(lists.flat().map((a) => [a.id, a]));
    for (const id of [...queue.keys()]) if (!fresh.has(id) && !touched.has(id)) drop(id);
    for (const alert of fresh.values()) if (!touched.has(alert.id)) upsert(alert, false);
    $('queue-error').textContent = '';
    render();
  } catch (err) {
    if (seq !== loadSeq) return;
    if (err.status === 401) return expired();
    $('queue-error').textContent = 'Could not load alerts — retrying…';
    setTimeout(() => seq === loadSeq && load(), 5000);
  }
}

function upsert(alert, flash) {
  const old = queue.get(alert.id)?.alert;
  if (gone.has(alert.id) || (old && STATES.indexOf(old.state) > STATES.indexOf(alert.state))) return;
  if (alert.state === 'resolved') {
    gone.add(alert.id);
    return drop(alert.id);
  }
  const row = queue.get(alert.id) ?? createRow(alert.id);
  fillRow(row, alert);
  if (flash) {
    row.tr.classList.remove('flash');
    void row.tr.offsetWidth; // restart the animation when the same alert flashes twice
    row.tr.classList.add('flash');
  }
}

function drop(id) {
  queue.get(id)?.tr.remove();
  queue.delete(id);
}

function createRow(id) {
  const tr = element('tr');
  tr.dataset.testid = 'alert-row';
  tr.dataset.alertId = id;
  tr.addEventListener('animationend', () => tr.classList.remove('flash'));
  const cells = Object.fromEntries(COLUMNS.map((c) => [c, element('td', { className: `col-${c}` })]));
  tr.append(...Object.values(cells));
  const row = { tr, cells, since: Date.now() };
  queue.set(id, row);
  return row;
}

function fillRow(row, a) {
  const { tr, cells } = row;
  row.alert = a;
  row.since = Date.parse(a.occurredAt ?? a.raisedAt) || row.since;
  tr.dataset.severity = a.severity;
  tr.dataset.state = a.state;
  const badge = tag('badge', a.severity);
  badge.dataset.severity = a.severity;
  cells.severity.replaceChildren(badge);
  cells.type.textContent = TYPE_LABELS[a.type] ?? a.type;
  if (a.escalationLevel > 0) cells.type.append(tag('escalated', `↑${a.escalationLevel}`));
  cells.elder.textContent = a.elderName ?? a.elderId;
  cells.elder.title = a.elderId;
  cells.address.textContent = a.address ?? a.householdId;
  cells.region.textContent = a.regionName ?? a.region;
  const by = a.state === 'acknowledged' && a.acknowledgedBy ? ` · ${a.acknowledgedBy}` : '';
  cells.state.textContent = `${a.state}${by}`;
  if (a.state !== 'open') cells.action.replaceChildren();
  else if (!cells.action.querySelector('button')) cells.action.replaceChildren(ackButton(a.id));
}

function ackButton(id) {
  const button = element('button', { type: 'button', textContent: 'Acknowledge' });
  button.dataset.testid = 'ack-button';
  button.dataset.alertId = id;
  button.addEventListener('click', () => void acknowledge(id, button));
  return button;
}

async function acknowledge(id, button) {
  button.disabled = true;
  button.parentElement?.querySelector('.note')?.remove();
  try {
    upsert(await api('POST', `/api/alerts/${encodeURIComponent(id)}/ack`, {}), false);
    render();
  } catch (err) {
    if (err.status === 401) return expired();
    if (err.status === 409 || err.status === 404) {
      button.replaceWith(tag('note', err.status === 409 ? 'already resolved' : 'no longer available'));
      gone.add(id);
      setTimeout(() => void load(), 4000); // the fresh list no longer holds it, so the row goes
      return;
    }
    button.disabled = false;
    button.after(tag('note', 'failed — try again'));
  }
}

function compare(a, b) {
  const bySeverity = SEVERITIES.indexOf(a.alert.severity) - SEVERITIES.indexOf(b.alert.severity);
  return bySeverity || a.since - b.since || a.alert.id.localeCompare(b.alert.id);
}

function render() {
  const body = $('queue-body');
  const sorted = [...queue.values()].sort(compare);
  // Move only rows that are out of place, so a flashing row keeps its animation.
  sorted.forEach(({ tr }, i) => {
    if (body.children[i] !== tr) body.insertBefore(tr, body.children[i] ?? null);
  });
  const open = sorted.filter((row) => row.alert.state === 'open').length;
  $('open-count').textContent = `${open} open`;
  $('open-count').classList.toggle('has-open', open > 0);
  document.title = open > 0 ? `(${open}) ${TITLE}` : TITLE;
  $('queue-empty').hidden = sorted.length > 0;
  tick();
}

function formatAge(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const two = (n) => String(n).padStart(2, '0');
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${two(m)}:${two(s % 60)}` : `${m}:${two(s % 60)}`;
}

function tick() {
  const now = Date.now();
  for (const row of queue.values()) row.cells.age.textContent = formatAge(now - row.since);
}

$('login-form').addEventListener('submit', (event) => void login(event));
$('logout').addEventListener('click', logout);
$('login-error').textContent = sessionStorage.getItem(NOTICE_KEY) ?? '';
sessionStorage.removeItem(NOTICE_KEY);
const user = sessionStorage.getItem(TOKEN_KEY) && JSON.parse(sessionStorage.getItem(USER_KEY) ?? 'null');
if (user) enter(user);
else render();
