// fleet-saga ops console: one small ES module, no framework, no build step (docs/console.md).
//
// Every call goes to order-service (this page's origin) with the signed-in user's HTTP Basic credentials, kept in
// sessionStorage (gone when the tab closes). assignment-service is another origin: it is reached only through
// order-service's pass-through /api/ops/assignment-service/…, which forwards the same credentials.
// Data is put on the page with textContent only (never innerHTML): error texts and ids come from outside.

import { deadLettersView } from './dead-letters.js';

const STORAGE_KEY = 'fleetsaga.console.credentials';
const SERVICES = ['order-service', 'assignment-service'];
const PREFIX = { 'order-service': '', 'assignment-service': '/api/ops/assignment-service' };
const POLL_MS = 1000;
const PARKED_LIMIT = 100;
const DRIFT_LIMIT = 1000;

const $ = (selector, root = document) => root.querySelector(selector);

/** Thrown by a call answered 401/403: the page is back at the sign-in form, nothing else to do. */
class SignedOut extends Error {}

// ---------------------------------------------------------------------------------------------- DOM helpers

function h(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
}

function fill(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

const badge = (status, extra) => h('span', { class: `badge ${status ?? 'UNKNOWN'} ${extra ?? ''}` }, status ?? '—');
const mono = (text) => h('span', { class: 'mono' }, text);
const link = (hash, text) => h('a', { href: hash, class: 'mono' }, text);
const orderLink = (id) => link(`#orders/${encodeURIComponent(id)}`, id);
const taskLink = (id) => link(`#tasks/${encodeURIComponent(id)}`, id);
const errorBox = (text) => h('p', { class: 'message error' }, text);
const dash = (value) => (value === null || value === undefined || value === '' ? '—' : value);

/** 2026-11-22T08:00:00.123456Z → 2026-11-22 08:00:00Z (UTC, like the services' logs). */
function time(iso) {
  return iso ? String(iso).replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—';
}

/** 1 order, 3 orders. */
const n = (count, word) => `${count} ${word}${count === 1 ? '' : 's'}`;

function seconds(value) {
  if (value === null || value === undefined) return '—';
  if (value < 120) return `${Number(value).toFixed(value < 10 ? 1 : 0)} s`;
  if (value < 7200) return `${Math.round(value / 60)} min`;
  return `${(value / 3600).toFixed(1)} h`;
}

/** Label/value pairs; each value carries data-field (a stable hook for tests and scripts). */
function facts(rows) {
  return h(
    'dl',
    { class: 'facts' },
    rows.filter(Boolean).map(([label, value, field]) => [h('dt', {}, label), h('dd', { 'data-field': field }, value)]),
  );
}

function table(headers, rows, props) {
  return h(
    'table',
    props,
    h('thead', {}, h('tr', {}, headers.map((name) => h('th', { class: /^#|count|attempts/i.test(name) ? 'num' : '' }, name)))),
    h('tbody', {}, rows),
  );
}

function notice(text, kind) {
  const box = $('#notice');
  box.className = `message ${kind ?? ''}`;
  fill(box, text);
  box.hidden = !text;
}

// ---------------------------------------------------------------------------------------------- session + HTTP

function credentials() {
  try {
    return JSON.parse(sessionStorage.getItem(STORAGE_KEY));
  } catch {
    return null;
  }
}

function basic(user, password) {
  const bytes = new TextEncoder().encode(`${user}:${password}`);
  return btoa(String.fromCharCode(...bytes));
}

/**
 * One call to a service. Resolves to {status, ok, data} for every answer but 401/403 (data: parsed JSON, or text);
 * status 0 when order-service cannot be reached. 401/403 sign out, show the form with a message and reject with
 * SignedOut.
 */
async function call(service, path, { method = 'GET', json } = {}) {
  const session = credentials();
  if (!session) throw signOut('Please sign in.');
  const headers = { Accept: 'application/json', Authorization: `Basic ${session.token}` };
  let body;
  if (json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(json);
  }
  let response;
  try {
    // credentials 'omit': the browser adds nothing of its own and never pops up its own password dialog on a 401
    response = await fetch(PREFIX[service] + path, { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch (e) {
    return { status: 0, ok: false, data: null, error: `order-service cannot be reached (${e.message})` };
  }
  if (response.status === 401) {
    throw signOut('Wrong user or password (or the session ended). Please sign in again.');
  }
  if (response.status === 403) {
    const where = service === 'assignment-service' ? ' in assignment-service' : '';
    throw signOut(`User "${session.user}" may not use the console${where}: it needs role OPS.`);
  }
  const type = response.headers.get('Content-Type') ?? '';
  const data = type.includes('json') ? await response.json().catch(() => null) : await response.text();
  return { status: response.status, ok: response.ok, data };
}

/** A failed call's message: the problem's title and detail when there is one. */
function problem(result) {
  if (result.status === 0) return result.error;
  const p = result.data;
  if (p && typeof p === 'object' && (p.title || p.detail)) {
    return `${p.title ?? 'Error'} (${result.status})${p.detail ? `: ${p.detail}` : ''}`;
  }
  return `HTTP ${result.status}`;
}

function signOut(message, kind = 'error') {
  sessionStorage.removeItem(STORAGE_KEY);
  stopPolling();
  showLogin(message, kind);
  return new SignedOut(message);
}

function showLogin(message, kind = 'error') {
  $('#app').hidden = true;
  $('#session').hidden = true;
  $('#login').hidden = false;
  const box = $('#login-message');
  box.className = `message ${kind}`;
  fill(box, message ?? '');
  box.hidden = !message;
  $('#login-password').value = '';
  ($('#login-user').value ? $('#login-password') : $('#login-user')).focus();
}

function showApp() {
  $('#login').hidden = true;
  $('#app').hidden = false;
  $('#session').hidden = false;
  fill($('#whoami'), credentials().user);
  route();
}

async function signIn(event) {
  event.preventDefault();
  const user = $('#login-user').value.trim();
  const password = $('#login-password').value;
  sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ user, token: basic(user, password) }));
  const button = $('#login-submit');
  button.disabled = true;
  try {
    // an OPS-only read: proves the password and the role before any view is shown
    const result = await call('order-service', '/api/ops/outbox');
    if (!result.ok) {
      sessionStorage.removeItem(STORAGE_KEY);
      showLogin(`Cannot sign in: ${problem(result)}`);
      return;
    }
    showApp();
  } catch (e) {
    if (!(e instanceof SignedOut)) throw e;
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------- routing

const VIEWS = {
  orders: showOrder,
  tasks: showTask,
  outbox: showOutbox,
  reconciliation: showReconciliation,
  health: showHealth,
  'dead-letters': (argument) => showDeadLetters(argument),
};

/** #view or #view/argument, e.g. #orders/o-1, #reconciliation/42. */
function route() {
  if (!credentials()) {
    showLogin();
    return;
  }
  const [view, ...rest] = location.hash.replace(/^#/, '').split('/');
  const name = VIEWS[view] ? view : 'orders';
  const argument = rest.length ? decodeURIComponent(rest.join('/')) : null;
  stopPolling();
  notice('');
  for (const section of document.querySelectorAll('.view')) section.hidden = section.id !== `view-${name}`;
  for (const tab of document.querySelectorAll('#tabs a')) tab.classList.toggle('active', tab.dataset.view === name);
  VIEWS[name](argument).catch(failed);
}

function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function failed(error) {
  if (error instanceof SignedOut) return;
  console.error(error);
  notice(`Something went wrong: ${error.message ?? error}`, 'error');
}

// ---------------------------------------------------------------------------------------------- orders

async function showOrder(orderId) {
  const result = $('#order-result');
  if (!orderId) {
    $('#order-id').focus();
    return;
  }
  $('#order-id').value = orderId;
  fill(result, h('p', { class: 'muted' }, 'Loading…'));
  const answer = await call('order-service', `/api/orders/${encodeURIComponent(orderId)}`);
  if (answer.status === 404) return fill(result, errorBox(`No order "${orderId}".`));
  if (!answer.ok) return fill(result, errorBox(problem(answer)));
  const order = answer.data;
  const saga = order.assignment;
  fill(
    result,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { class: 'panel', 'data-order-id': order.orderId },
        h('h2', {}, 'Order ', mono(order.orderId)),
        facts([
          ['Status', badge(order.status), 'status'],
          ['Version', order.version, 'version'],
          ['Task', order.taskId ? taskLink(order.taskId) : '—', 'taskId'],
          ['Status reason', dash(order.statusReason), 'statusReason'],
          ['Created', time(order.createdAt), 'createdAt'],
          ['Updated', time(order.updatedAt), 'updatedAt'],
        ]),
      ),
      h(
        'div',
        { class: 'panel', 'data-saga': saga ? saga.status : 'none' },
        h('h2', {}, 'Saga "assign order"'),
        saga
          ? facts([
              ['Status', badge(saga.status), 'sagaStatus'],
              ['Saga id', mono(saga.sagaId), 'sagaId'],
              ['Task', taskLink(saga.taskId), 'sagaTaskId'],
              ['Attempts', saga.attempts, 'sagaAttempts'],
              saga.status === 'STARTED' && ['Command', dash(saga.command), 'sagaCommand'],
              saga.status === 'STARTED' && [
                'Deadline',
                saga.deadlineAt ? time(saga.deadlineAt) : 'none until the command reaches the broker',
                'sagaDeadline',
              ],
              ['Reason', dash(saga.reason), 'sagaReason'],
              ['Started', time(saga.createdAt), 'sagaCreatedAt'],
              ['Updated', time(saga.updatedAt), 'sagaUpdatedAt'],
            ])
          : h('p', { class: 'muted' }, 'This order has had no assignment saga.'),
      ),
    ),
    h(
      'div',
      { class: 'panel', style: 'margin-top:16px' },
      h('h2', {}, 'History'),
      table(
        ['Version', 'Action', 'From', 'To', 'Reason', 'At'],
        (order.history ?? []).map((change) =>
          h(
            'tr',
            {},
            h('td', {}, change.version),
            h('td', {}, change.action),
            h('td', {}, change.from ? badge(change.from) : '—'),
            h('td', {}, badge(change.to)),
            h('td', {}, dash(change.reason)),
            h('td', {}, time(change.at)),
          ),
        ),
      ),
    ),
  );
}

// ---------------------------------------------------------------------------------------------- tasks

async function showTask(taskId) {
  const result = $('#task-result');
  if (!taskId) {
    $('#task-id').focus();
    return;
  }
  $('#task-id').value = taskId;
  fill(result, h('p', { class: 'muted' }, 'Loading…'));
  const answer = await call('assignment-service', `/api/tasks/${encodeURIComponent(taskId)}`);
  if (answer.status === 404) return fill(result, errorBox(`No task "${taskId}" (${problem(answer)}).`));
  if (!answer.ok) return fill(result, errorBox(problem(answer)));
  const task = answer.data;
  const counts = Object.entries(task.countsByStatus ?? {});
  fill(
    result,
    h(
      'div',
      { class: 'columns' },
      h(
        'div',
        { class: 'panel', 'data-task-id': task.taskId },
        h('h2', {}, 'Task ', mono(task.taskId)),
        h(
          'div',
          { class: 'stats' },
          stat('assigned', `${task.assignedCount} / ${task.capacity}`, 'assignedCount'),
          stat('delivered', task.deliveredCount, 'deliveredCount'),
          stat('orders listed', (task.orders ?? []).length, 'orderCount'),
        ),
        facts([
          ['Status', badge(task.status), 'status'],
          ['Courier', mono(task.courierId), 'courierId'],
          ['Created', time(task.createdAt), 'createdAt'],
          ['Updated', time(task.updatedAt), 'updatedAt'],
          task.closedAt && ['Closed', time(task.closedAt), 'closedAt'],
        ]),
        h('h3', {}, 'Orders by status'),
        table(
          ['Status', 'Count'],
          counts.map(([status, count]) =>
            h('tr', {}, h('td', {}, badge(status)), h('td', { class: 'num', 'data-count': status }, count)),
          ),
        ),
      ),
      h(
        'div',
        { class: 'panel' },
        h('h2', {}, 'Orders on the task'),
        (task.orders ?? []).length === 0
          ? h('p', { class: 'muted' }, 'No orders.')
          : table(
              ['Order', 'Status', 'Version'],
              task.orders.map((order) =>
                h(
                  'tr',
                  { 'data-order-id': order.orderId },
                  h('td', {}, orderLink(order.orderId)),
                  h('td', {}, badge(order.status)),
                  h('td', {}, order.orderVersion),
                ),
              ),
            ),
      ),
    ),
  );
}

function stat(label, value, field, alert) {
  return h(
    'div',
    { class: `stat ${alert ? 'alert' : ''}` },
    h('div', { class: 'value', 'data-field': field }, value),
    h('div', { class: 'label' }, label),
  );
}

// ---------------------------------------------------------------------------------------------- outbox

async function showOutbox() {
  await Promise.all(SERVICES.map(loadOutbox));
}

/** The parked page shown per service: the `after` of each page seen, so "Previous" can go back. */
const parkedPages = { 'order-service': [0], 'assignment-service': [0] };
/** Calls of one bulk requeue at most (each requeues up to its limit): a bound, not a loop forever. */
const BULK_CALLS = 50;

async function loadOutbox(service) {
  const panel = $(`.outbox[data-service="${service}"]`);
  const pages = parkedPages[service];
  const after = pages[pages.length - 1];
  const [backlog, parked] = await Promise.all([
    call(service, '/api/ops/outbox'),
    call(service, `/api/ops/outbox/parked?limit=${PARKED_LIMIT}&after=${after}`),
  ]);
  const content = [h('h2', {}, service)];
  if (backlog.ok) {
    const b = backlog.data;
    const lanes = b.lanes ?? [];
    content.push(
      h(
        'div',
        { class: 'stats' },
        stat('pending', b.pending, 'pending'),
        stat('oldest pending', seconds(b.oldestPendingAgeSeconds), 'oldestPendingAge', b.oldestPendingAgeSeconds > 60),
        stat('parked', b.parked, 'parked', b.parked > 0),
        stat(
          'lanes backing off',
          lanes.filter((lane) => lane.status === 'BACKING_OFF').length,
          'lanesBackingOff',
          lanes.some((lane) => lane.status === 'BACKING_OFF'),
        ),
      ),
    );
    content.push(lanesTable(lanes));
  } else {
    content.push(errorBox(`Backlog: ${problem(backlog)}`));
  }
  content.push(h('h3', {}, 'Parked events'));
  if (!parked.ok) {
    content.push(errorBox(problem(parked)));
  } else if (parked.data.events.length === 0 && pages.length === 1) {
    content.push(h('p', { class: 'muted parked-empty' }, 'No parked events.'));
  } else {
    const events = parked.data.events;
    const reasons = [...new Set(events.map((event) => event.failureReason).filter(Boolean))];
    content.push(
      h(
        'div',
        { class: 'actions bulk-requeue' },
        reasons.map((reason) =>
          bulkButton(service, `Requeue all "${reason}"`, { reason }, 'requeue-reason', { 'data-reason': reason }),
        ),
        bulkButton(service, 'Requeue all parked', { all: 'true' }, 'requeue-all', {}, 'Re-queue every parked event?'),
      ),
      table(
        ['Event', 'Aggregate', 'Attempts', 'Reason', 'Last error', 'Parked', ''],
        events.map((event) =>
          h(
            'tr',
            { 'data-event-id': event.eventId },
            h('td', {}, mono(event.eventId), h('div', { class: 'muted' }, `${event.eventType} → ${event.topic}`)),
            h(
              'td',
              {},
              `${event.aggregateType} `,
              event.aggregateType === 'order' ? orderLink(event.aggregateId) : mono(event.aggregateId),
              event.aggregateVersion === null ? '' : ` v${event.aggregateVersion}`,
            ),
            h('td', { class: 'num' }, event.attempts),
            h('td', { 'data-field': 'reason' }, dash(event.failureReason), h('div', { class: 'muted' }, dash(event.failureKind))),
            h('td', { class: 'error-text' }, dash(event.lastError)),
            h('td', {}, time(event.parkedAt)),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: 'secondary requeue',
                  onclick: (e) => requeue(service, event.eventId, e.currentTarget).catch(failed),
                },
                'Requeue',
              ),
              bulkButton(
                service,
                'Requeue its aggregate',
                { aggregateType: event.aggregateType, aggregateId: event.aggregateId },
                'requeue-aggregate',
              ),
            ),
          ),
        ),
      ),
      h(
        'div',
        { class: 'actions pager' },
        pages.length > 1
          ? h('button', { type: 'button', class: 'secondary previous-page', onclick: () => page(service, -1) }, 'Previous')
          : null,
        parked.data.next !== null && parked.data.next !== undefined
          ? h(
              'button',
              { type: 'button', class: 'secondary next-page', onclick: () => page(service, parked.data.next) },
              `Next ${PARKED_LIMIT}`,
            )
          : null,
        h('span', { class: 'muted' }, `Page ${pages.length}`),
      ),
    );
  }
  fill(panel, content);
}

/** Each relay lane of the service: up, or backing off since when, after which error, probing next when. */
function lanesTable(lanes) {
  if (lanes.length === 0) return h('p', { class: 'muted lanes-none' }, 'No relay runs in this instance.');
  return table(
    ['Lane', 'State', 'Since', 'Backing off for', 'Failures', 'Last error', 'Next probe'],
    lanes.map((lane) =>
      h(
        'tr',
        { 'data-lane': lane.lane },
        h('td', {}, mono(lane.lane)),
        h('td', { 'data-field': 'laneStatus' }, badge(lane.status === 'BACKING_OFF' ? 'DOWN' : 'UP', 'lane'), ` ${lane.status}`),
        h('td', {}, time(lane.since)),
        h('td', { class: 'num' }, lane.status === 'BACKING_OFF' ? seconds(lane.backingOffSeconds) : '—'),
        h('td', { class: 'num' }, lane.consecutiveFailures),
        h('td', { class: 'error-text' }, dash(lane.lastError)),
        h('td', {}, time(lane.nextProbeAt)),
      ),
    ),
    { class: 'lanes' },
  );
}

async function page(service, next) {
  const pages = parkedPages[service];
  if (next === -1) pages.pop();
  else pages.push(next);
  await loadOutbox(service).catch(failed);
}

function bulkButton(service, label, filter, cls, props = {}, confirmation) {
  return h(
    'button',
    {
      type: 'button',
      class: `secondary ${cls}`,
      ...props,
      onclick: (e) => {
        if (confirmation && !window.confirm(confirmation)) return;
        requeueBulk(service, filter, label, e.currentTarget).catch(failed);
      },
    },
    label,
  );
}

/** Bulk requeue: the API does a bounded number per call and says whether more match; call again while it does. */
async function requeueBulk(service, filter, label, button) {
  button.disabled = true;
  const query = new URLSearchParams(filter).toString();
  let total = 0;
  let more = true;
  for (let calls = 0; more && calls < BULK_CALLS; calls++) {
    const answer = await call(service, `/api/ops/outbox/parked/requeue?${query}`, { method: 'POST' });
    if (!answer.ok) {
      notice(`${label} in ${service} failed after ${n(total, 'event')}: ${problem(answer)}`, 'error');
      parkedPages[service] = [0];
      await loadOutbox(service);
      return;
    }
    total += answer.data.requeued;
    more = answer.data.more;
  }
  notice(`${label} in ${service}: re-queued ${n(total, 'event')}${more ? ' (more remain: run it again)' : ''}.`, 'ok');
  parkedPages[service] = [0];
  await loadOutbox(service);
}

async function requeue(service, eventId, button) {
  button.disabled = true;
  const answer = await call(service, `/api/ops/outbox/parked/${encodeURIComponent(eventId)}/requeue`, {
    method: 'POST',
  });
  if (answer.ok) notice(`Re-queued event ${eventId} in ${service}: ${answer.data.status}.`, 'ok');
  else notice(`Requeue of ${eventId} in ${service} failed: ${problem(answer)}`, 'error');
  await loadOutbox(service);
}

// ---------------------------------------------------------------------------------------------- reconciliation

let pollTimer = null;
let generation = 0;
/** Drift entries of finished runs (they never change), by run id. */
const driftCache = new Map();

function stopPolling() {
  generation += 1;
  clearTimeout(pollTimer);
  pollTimer = null;
}

/** Shows the recent runs and one run's report (the given one, else the newest); refreshes while one is RUNNING. */
async function showReconciliation(runId) {
  const mine = generation;
  const runs = await call('order-service', '/api/ops/reconciliation/runs?limit=20');
  if (mine !== generation) return;
  if (!runs.ok) {
    fill($('#runs'), errorBox(problem(runs)));
    return;
  }
  let list = runs.data.runs;
  const selected = runId ? Number(runId) : list[0]?.id;
  let report = null;
  if (selected) {
    const answer = await call('order-service', `/api/ops/reconciliation/runs/${selected}`);
    if (mine !== generation) return;
    if (!answer.ok) {
      fill($('#run-report'), errorBox(problem(answer)));
    } else {
      report = answer.data;
      const entries = report.status === 'RUNNING' ? null : await driftEntries(report);
      if (mine !== generation) return;
      renderReport(report, entries);
      // the report was read after the list: the list shows the selected run as the report does
      list = list.map((run) => (run.id === report.id ? report : run));
    }
  } else {
    fill($('#run-report'), h('p', { class: 'muted' }, 'No runs yet. Start a dry run to compare both services.'));
    delete $('#run-report').dataset.runId;
  }
  renderRuns(list, selected);
  if (report?.status === 'RUNNING' || list.some((run) => run.status === 'RUNNING')) {
    pollTimer = setTimeout(() => showReconciliation(runId).catch(failed), POLL_MS);
  }
}

function renderRuns(list, selected) {
  if (list.length === 0) {
    fill($('#runs'), h('p', { class: 'muted' }, 'No runs yet.'));
    return;
  }
  fill(
    $('#runs'),
    table(
      ['#', 'Started', 'Mode', 'Status', 'Drift', 'By'],
      list.map((run) =>
        h(
          'tr',
          { class: run.id === selected ? 'selected' : '', 'data-run-id': run.id, 'data-status': run.status },
          h('td', { class: 'num' }, link(`#reconciliation/${run.id}`, run.id)),
          h('td', { class: 'nowrap' }, time(run.startedAt)),
          h('td', {}, run.mode, h('div', { class: 'muted' }, run.trigger.toLowerCase())),
          h('td', {}, badge(run.status)),
          h('td', { class: 'num' }, run.status === 'COMPLETED' ? run.driftTotal : '—'),
          h('td', {}, dash(run.requestedBy)),
        ),
      ),
    ),
  );
}

/** A finished run's drift entries by type (the first DRIFT_LIMIT of each), fetched per type with drift. */
async function driftEntries(run) {
  if (driftCache.has(run.id)) return driftCache.get(run.id);
  const types = Object.entries(run.drift ?? {})
    .filter(([, count]) => count > 0)
    .map(([type]) => type);
  const pages = await Promise.all(
    types.map((type) =>
      call('order-service', `/api/ops/reconciliation/runs/${run.id}/drift?type=${type}&limit=${DRIFT_LIMIT}`),
    ),
  );
  const entries = {};
  types.forEach((type, i) => {
    entries[type] = pages[i].ok ? pages[i].data : { error: problem(pages[i]) };
  });
  driftCache.set(run.id, entries);
  return entries;
}

function renderReport(run, entries) {
  const panel = $('#run-report');
  panel.dataset.runId = run.id;
  panel.dataset.status = run.status;
  const drift = Object.entries(run.drift ?? {});
  const repairs = Object.entries(run.repairs ?? {});
  const allEntries = Object.values(entries ?? {}).flatMap((page) => page.items ?? []);
  fill(
    panel,
    h(
      'h2',
      {},
      `Run #${run.id} `,
      badge(run.status),
      run.status === 'COMPLETED' && run.driftTotal > 0 ? [' ', badge(`${run.driftTotal} drift`, 'drift')] : null,
      run.status === 'RUNNING' ? h('span', { class: 'muted' }, ' — refreshing every second') : null,
    ),
    run.error ? errorBox(run.error) : null,
    facts([
      ['Mode', `${run.mode} · ${run.trigger}${run.requestedBy ? ` by ${run.requestedBy}` : ''}`, 'mode'],
      [
        'Scope',
        `${run.scope}${run.scopeOrderCount == null ? '' : ` (${run.scopeOrderCount} orders)`}${
          run.changedSince ? ` since ${time(run.changedSince)}` : ''
        } · ${run.method}`,
        'scope',
      ],
      ['Started', `${time(run.startedAt)} on ${dash(run.instance)}`, 'startedAt'],
      ['Finished', run.finishedAt ? `${time(run.finishedAt)} (${(run.durationMillis / 1000).toFixed(1)} s)` : '—', 'finishedAt'],
      ['Checked', `${n(run.ordersChecked, 'order')}, ${n(run.linksChecked, 'link')}`, 'checked'],
      [
        'Compared',
        `${run.bucketsDiffering} of ${n(run.bucketCount, 'bucket')} differed, ${n(run.rowsCompared, 'row')} compared`,
        'compared',
      ],
      [
        'Differences',
        `${n(run.candidates, 'candidate')}, ${run.inFlight} in flight, ${run.unsettled} unsettled, ${run.lagging} lagging${
          run.candidatesTruncated ? ' (truncated)' : ''
        }`,
        'differences',
      ],
      ['Drift', run.status === 'RUNNING' ? '…' : run.driftTotal, 'driftTotal'],
    ]),
    h('h3', {}, 'Drift by type'),
    table(
      ['Type', 'Count', 'Affected'],
      drift.map(([type, count]) => {
        const page = entries?.[type];
        return h(
          'tr',
          { 'data-drift-type': type },
          h('td', {}, type),
          h('td', { class: 'num count' }, count),
          h('td', {}, h('div', { class: 'affected' }, affected(type, count, page))),
        );
      }),
    ),
    run.mode === 'REPAIR'
      ? [
          h('h3', {}, 'Repairs'),
          table(
            ['Result', 'Count'],
            repairs.map(([result, count]) =>
              h('tr', { 'data-repair': result }, h('td', {}, badge(result)), h('td', { class: 'num' }, count)),
            ),
          ),
        ]
      : null,
    allEntries.length > 0
      ? [
          h('h3', {}, 'Entries'),
          h('div', { class: 'entries' }, table(
            ['Type', 'Order', 'Task', 'Expected', 'Actual', 'Repair'],
            allEntries.map((entry) =>
              h(
                'tr',
                { 'data-drift-entry': entry.id },
                h('td', { class: 'nowrap' }, entry.type),
                h('td', {}, entry.orderId ? orderLink(entry.orderId) : '—'),
                h('td', {}, entry.taskId ? taskLink(entry.taskId) : '—'),
                h('td', { class: 'mono' }, dash(entry.expected)),
                h('td', { class: 'mono' }, dash(entry.actual)),
                h(
                  'td',
                  {},
                  entry.repair ? badge(entry.repair) : '—',
                  entry.repairDetail ? h('div', { class: 'muted' }, entry.repairDetail) : null,
                ),
              ),
            ),
          )),
        ]
      : null,
  );
}

function affected(type, count, page) {
  if (count === 0) return '';
  if (!page) return h('span', { class: 'muted' }, '…');
  if (page.error) return h('span', { class: 'error-text' }, page.error);
  const ids = page.items.map((entry) =>
    type === 'COUNTER_MISMATCH' ? taskLink(entry.taskId) : orderLink(entry.orderId),
  );
  return [ids, page.next == null ? null : h('span', { class: 'muted' }, `(first ${page.items.length})`)];
}

async function startRun(mode) {
  if (mode === 'REPAIR' && !confirm('Start a repair? Every drifted order\'s current state is re-published.')) return;
  const message = $('#run-message');
  const say = (text, kind, extra) => {
    message.className = `message ${kind}`;
    fill(message, text, extra ?? '');
    message.hidden = false;
  };
  for (const button of [$('#run-dry'), $('#run-repair')]) button.disabled = true;
  try {
    const answer = await call('order-service', '/api/ops/reconciliation/runs', { method: 'POST', json: { mode } });
    if (answer.status === 202) {
      say(`Started ${mode === 'REPAIR' ? 'a repair' : 'a dry run'}: run #${answer.data.id}.`, 'ok');
      go(`#reconciliation/${answer.data.id}`);
    } else if (answer.status === 409) {
      const running = answer.data?.runningRunId;
      say('A run is in progress', 'error', running ? [' (', link(`#reconciliation/${running}`, `run #${running}`), '); start again when it has finished.'] : '.');
    } else {
      say(`Could not start the run: ${problem(answer)}`, 'error');
    }
  } finally {
    for (const button of [$('#run-dry'), $('#run-repair')]) button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------- health

async function showHealth() {
  await Promise.all(SERVICES.map(loadHealth));
}

async function loadHealth(service) {
  const panel = $(`.health[data-service="${service}"]`);
  const answer = await call(service, '/actuator/health');
  const health = answer.data;
  // 503 (DOWN) carries the same document as 200
  if (!health || typeof health !== 'object' || !health.status) {
    fill(panel, h('h2', {}, service), errorBox(problem(answer)));
    return;
  }
  panel.dataset.status = health.status;
  const components = Object.entries(health.components ?? {});
  const listeners = health.components?.kafkaListeners;
  fill(
    panel,
    h('h2', {}, `${service} `, badge(health.status)),
    components.length === 0
      ? h('p', { class: 'muted' }, 'No component details: the service shows them to role OPS only when '
          + 'management.endpoint.health.show-details is when-authorized with roles OPS.')
      : table(
          ['Component', 'Status'],
          components.map(([name, component]) =>
            h('tr', { 'data-component': name }, h('td', {}, name), h('td', {}, badge(component.status))),
          ),
        ),
    h('h3', {}, 'Kafka listeners ', listeners ? badge(listeners.status) : ''),
    !listeners
      ? h('p', { class: 'muted' }, 'No kafkaListeners component.')
      : table(
          ['Listener', 'Status', 'Consumers', 'Paused', 'Lag', 'Last poll', 'Records', 'Last record'],
          Object.entries(listeners.details ?? {}).map(([id, d]) =>
            h(
              'tr',
              { 'data-listener': id, 'data-status': d.status },
              h('td', { class: 'mono' }, id, d.optional ? h('span', { class: 'muted' }, ' (optional)') : ''),
              h('td', {}, badge(d.status), d.problem ? h('div', { class: 'error-text' }, d.problem) : null),
              h('td', {}, `${d.consumers}${d.running ? '' : ' (stopped)'}`),
              h('td', {}, d.paused ? `yes${d.pausedForSeconds == null ? '' : `, ${d.pausedForSeconds} s`}` : 'no'),
              h('td', { class: 'mono' }, lag(d.lag)),
              h('td', {}, d.secondsSinceLastPoll == null ? '—' : `${d.secondsSinceLastPoll} s ago`),
              h('td', { class: 'num' }, dash(d.records)),
              h(
                'td',
                {},
                d.lastRecordAgeSeconds == null ? dash(d.lastRecordAt) : `${seconds(d.lastRecordAgeSeconds)} ago`,
              ),
            ),
          ),
        ),
  );
}

function lag(byPartition) {
  const entries = Object.entries(byPartition ?? {});
  if (entries.length === 0) return '—';
  const total = entries.reduce((sum, [, behind]) => sum + behind, 0);
  return h('span', { title: entries.map(([partition, behind]) => `${partition}: ${behind}`).join('\n') }, total);
}

// ---------------------------------------------------------------------------------------------- dead letters

// dead-letters.js; it gets the helpers it shares with the other views
const showDeadLetters = deadLettersView({
  $, h, fill, table, mono, time, dash, errorBox, notice, problem, stat, failed, badge, call, SERVICES,
});

// ---------------------------------------------------------------------------------------------- wiring

$('#login-form').addEventListener('submit', (event) => signIn(event).catch(failed));
$('#logout').addEventListener('click', () => signOut('Signed out.', 'ok'));
$('#order-search').addEventListener('submit', (event) => {
  event.preventDefault();
  go(`#orders/${encodeURIComponent($('#order-id').value.trim())}`);
});
$('#task-search').addEventListener('submit', (event) => {
  event.preventDefault();
  go(`#tasks/${encodeURIComponent($('#task-id').value.trim())}`);
});
$('#outbox-refresh').addEventListener('click', () => showOutbox().catch(failed));
$('#health-refresh').addEventListener('click', () => showHealth().catch(failed));
$('#dead-letters-refresh').addEventListener('click', () => showDeadLetters().catch(failed));
$('#run-dry').addEventListener('click', () => startRun('DRY_RUN').catch(failed));
$('#run-repair').addEventListener('click', () => startRun('REPAIR').catch(failed));
window.addEventListener('hashchange', route);

if (credentials()) showApp();
else showLogin();
