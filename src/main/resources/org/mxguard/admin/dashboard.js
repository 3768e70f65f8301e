'use strict';
// The dashboard polls the admin API. Everything shown comes from clients and senders, so it is
// set as text (textContent), never as HTML.
const POLL_MS = 5000;
// The server keeps the charts' history (a day, one sample a minute): a page opened now shows the
// hours before it.
let blocksOn = false;

function token() {
  return document.getElementById('token').value.trim();
}

async function api(method, path) {
  const headers = {};
  if (token()) {
    headers.Authorization = 'Bearer ' + token();
  }
  const response = await fetch(path, { method, headers, cache: 'no-store' });
  const body = await response.json();
  if (!response.ok) {
    throw new Error(response.status + ': ' + (body.error || response.statusText));
  }
  return body;
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text === null || text === undefined ? '' : String(text);
  if (className) {
    td.className = className;
  }
  return td;
}

function tile(name, value) {
  const div = document.createElement('div');
  div.className = 'tile';
  div.dataset.counter = name;
  const v = document.createElement('div');
  v.className = 'value';
  v.textContent = value;
  const n = document.createElement('div');
  n.className = 'name';
  n.textContent = name.replaceAll('_', ' ');
  div.append(v, n);
  return div;
}

function svg(name) {
  return document.createElementNS('http://www.w3.org/2000/svg', name);
}

/**
 * One chart: a line over the minutes, labelled with its total (for counts) or its last value (for
 * the queue) and its maximum. Minutes without a queue sample carry the previous one forward.
 */
function draw(id, series, isCount) {
  const chart = document.getElementById(id);
  chart.replaceChildren();
  const values = [];
  let last = 0;
  for (const v of series) {
    last = v === null || v === undefined ? last : v;
    values.push(last);
  }
  const total = values.reduce((a, b) => a + b, 0);
  chart.dataset.total = String(isCount ? total : last);
  chart.dataset.points = String(values.length);
  const max = Math.max(1, ...values);
  if (values.length === 1) {
    values.push(values[0]); // one minute so far: a flat line at its value
  }
  if (values.length >= 2) {
    const points = values.map((v, i) => (i * 300 / (values.length - 1)).toFixed(1) + ','
        + (78 - v * 66 / max).toFixed(1));
    const line = svg('polyline');
    line.setAttribute('points', points.join(' '));
    chart.append(line);
  }
  const label = svg('text');
  label.setAttribute('x', '2');
  label.setAttribute('y', '9');
  label.setAttribute('font-size', '8');
  label.textContent = (isCount ? 'total ' + total + ', max ' + max + '/min' : 'now ' + last + ', max ' + max);
  chart.append(label);
}

function drawHistory(h) {
  const minutes = h.accepted.length;
  const hours = Math.floor(minutes / 60);
  document.getElementById('history-span').textContent = hours > 0 ? hours + ' h ' + (minutes % 60) + ' min'
      : minutes + ' min';
  document.getElementById('history-start').textContent = new Date(h.start).toLocaleTimeString();
  draw('chart-accepted', h.accepted, true);
  draw('chart-tempfailed', h.tempfailed, true);
  draw('chart-relayed', h.relayed, true);
  draw('chart-queue', h.queue, false);
}

function showSources(id, sources) {
  const body = document.querySelector('#' + id + ' tbody');
  body.replaceChildren();
  for (const s of sources) {
    const row = body.insertRow();
    row.dataset.source = s.source;
    cell(row, s.source);
    cell(row, (s.error > 0 ? '\u2264 ' : '') + s.caught, 'num');
    cell(row, s.tempfailed, 'num');
    cell(row, s.rejected, 'num');
    cell(row, s.last ? s.last.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '');
    const actions = cell(row, '');
    if (blocksOn) {
      actions.append(actionButton('Block', 'POST', '/api/blocks?target=' + encodeURIComponent(s.source)
          + '&reason=' + encodeURIComponent('from the dashboard'), 'block ' + s.source));
    }
  }
}

function say(text, error) {
  const p = document.getElementById('message');
  p.textContent = text;
  p.className = error ? 'error' : '';
}

async function act(method, path, what) {
  try {
    const result = await api(method, path);
    say(what + ': ' + (result.result || 'done'), false);
    await refresh();
  } catch (e) {
    say(what + ' refused: ' + e.message, true);
  }
}

function actionButton(label, method, path, what) {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.dataset.action = label.toLowerCase();
  b.addEventListener('click', () => act(method, path, what));
  return b;
}

function showQueue(entries) {
  const body = document.querySelector('#queue tbody');
  body.replaceChildren();
  for (const e of entries) {
    const row = body.insertRow();
    row.dataset.id = e.id;
    if (e.held) {
      row.className = 'held';
    }
    cell(row, e.id + (e.held ? ' (held)' : ''));
    cell(row, e.arrival);
    cell(row, e.sender || '<>');
    cell(row, e.recipients.join(', '));
    cell(row, e.attempts, 'num');
    cell(row, e.last_error);
    const actions = cell(row, '');
    const base = '/api/queue/' + encodeURIComponent(e.id);
    actions.append(
      e.held ? actionButton('Release', 'POST', base + '/release', 'release ' + e.id)
             : actionButton('Hold', 'POST', base + '/hold', 'hold ' + e.id),
      actionButton('Delete', 'DELETE', base, 'delete ' + e.id));
  }
}

function showRules(rules) {
  const body = document.querySelector('#rules tbody');
  body.replaceChildren();
  for (const r of [...rules].sort((a, b) => b.hits - a.hits)) {
    const row = body.insertRow();
    cell(row, r.rule);
    cell(row, r.hits, 'num');
    cell(row, r.last_hit || 'never');
  }
}

function showBlocks(blocks) {
  const body = document.querySelector('#blocks tbody');
  body.replaceChildren();
  for (const b of blocks) {
    const row = body.insertRow();
    row.dataset.target = b.target;
    cell(row, b.target);
    cell(row, b.origin);
    cell(row, b.expires || 'never');
    cell(row, b.evidence);
    cell(row, '').append(actionButton('Remove', 'DELETE',
      '/api/blocks?target=' + encodeURIComponent(b.target), 'remove block ' + b.target));
  }
}

function showPrimaries(primaries) {
  const list = document.getElementById('primaries');
  list.replaceChildren();
  for (const p of primaries) {
    const item = document.createElement('li');
    item.dataset.domain = p.domain;
    item.className = p.up ? 'up' : 'down';
    item.textContent = p.domain + ': ' + (p.up ? 'up' : 'DOWN');
    list.append(item);
  }
}

const OFF = [];

/** Blocks and primaries exist only while the MX-skip rule is on; a 404 leaves their tables empty. */
async function optional(path) {
  try {
    return await api('GET', path);
  } catch (e) {
    return OFF;
  }
}

async function refresh() {
  const [status, counters, queue, rules, history, sources] = await Promise.all(
    [api('GET', '/api/status'), api('GET', '/api/counters'), api('GET', '/api/queue'), api('GET', '/api/rules'),
      api('GET', '/api/history'), api('GET', '/api/sources')]);
  document.getElementById('version').textContent = status.version;
  document.getElementById('listeners').textContent = 'SMTP ' + status.smtp_listeners.join(', ') + ' for '
      + status.protected_domains.join(', ');
  const tiles = [tile('queue_messages', status.queue_messages)];
  for (const [name, value] of Object.entries(counters)) {
    tiles.push(tile(name, value));
  }
  document.getElementById('tiles').replaceChildren(...tiles);
  const now = Date.now();
  drawHistory(history);
  showQueue(queue);
  showRules(rules);
  const blocks = await optional('/api/blocks');
  blocksOn = blocks !== OFF;
  showBlocks(blocksOn ? blocks : []);
  showSources('networks', sources.networks);
  showSources('subdomains', sources.subdomains);
  showPrimaries(await optional('/api/primaries'));
  document.getElementById('updated').textContent = new Date(now).toLocaleTimeString();
}

document.addEventListener('DOMContentLoaded', () => {
  const field = document.getElementById('token');
  field.value = sessionStorage.getItem('mxguard-token') || '';
  field.addEventListener('change', () => sessionStorage.setItem('mxguard-token', token()));
  document.getElementById('token-form').addEventListener('submit', e => e.preventDefault());
  document.getElementById('flush-all').addEventListener('click', () => act('POST', '/api/queue/flush', 'flush'));
  const tick = () => refresh().catch(e => say('cannot reach the API: ' + e.message, true));
  tick();
  setInterval(tick, POLL_MS);
});
