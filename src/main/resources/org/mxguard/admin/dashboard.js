'use strict';
// The dashboard polls the admin API. Everything shown comes from clients and senders, so it is
// set as text (textContent), never as HTML.
const POLL_MS = 5000;
const SAMPLES = 720; // one hour at one sample every 5 s
const history = { accepted: [], tempfailed: [], relayed: [], queue: [] };
let previous = null;

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

function push(series, value) {
  series.push(value);
  if (series.length > SAMPLES) {
    series.shift();
  }
}

function draw(id, series) {
  const svg = document.getElementById(id);
  svg.replaceChildren();
  if (series.length < 2) {
    return;
  }
  const max = Math.max(1, ...series);
  const points = series.map((v, i) => (i * 300 / (series.length - 1)).toFixed(1) + ',' + (78 - v * 74 / max).toFixed(1));
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', points.join(' '));
  const label = document.createElementNS('http://www.w3.org/2000/svg', 'text');
  label.setAttribute('x', '2');
  label.setAttribute('y', '10');
  label.setAttribute('font-size', '9');
  label.textContent = 'max ' + max.toFixed(max < 10 ? 1 : 0);
  svg.append(line, label);
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

/** Blocks and primaries exist only while the MX-skip rule is on; a 404 leaves their tables empty. */
async function optional(path) {
  try {
    return await api('GET', path);
  } catch (e) {
    return [];
  }
}

async function refresh() {
  const [status, counters, queue, rules] = await Promise.all(
    [api('GET', '/api/status'), api('GET', '/api/counters'), api('GET', '/api/queue'), api('GET', '/api/rules')]);
  document.getElementById('version').textContent = status.version;
  document.getElementById('listeners').textContent = 'SMTP ' + status.smtp_listeners.join(', ') + ' for '
      + status.protected_domains.join(', ');
  const tiles = [tile('queue_messages', status.queue_messages)];
  for (const [name, value] of Object.entries(counters)) {
    tiles.push(tile(name, value));
  }
  document.getElementById('tiles').replaceChildren(...tiles);
  const now = Date.now();
  if (previous) {
    const minutes = (now - previous.at) / 60000;
    for (const name of ['accepted', 'tempfailed', 'relayed']) {
      push(history[name], Math.max(0, counters[name] - previous.counters[name]) / minutes);
    }
  }
  push(history.queue, status.queue_messages);
  previous = { at: now, counters };
  for (const name of Object.keys(history)) {
    draw('chart-' + name, history[name]);
  }
  showQueue(queue);
  showRules(rules);
  showBlocks(await optional('/api/blocks'));
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
