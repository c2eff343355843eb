// The demo page: lists, creates and deletes items through the JSON API, showing the API's
// validation errors next to the fields they name. A WebSocket on /api/live brings every change
// made by any page (this one included), so every open page shows it at once.
const form = document.querySelector('#add-form');
const list = document.querySelector('#items');
/** The items shown, by id, in the order they were added. */
let items = new Map();
/** Changes heard while a list request is in flight: its answer may predate them, so they are applied again. */
let loading = 0;
let heard = [];

async function api(path, init) {
  const response = await fetch(`/api${path}`, {
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    ...init,
  });
  const body = response.status === 204 ? null : await response.json();
  return { ok: response.ok, status: response.status, body };
}

function render() {
  list.replaceChildren(
    ...[...items.values()].map((item) => {
      const li = document.createElement('li');
      li.dataset.id = item.id;
      const text = document.createElement('span');
      text.className = 'name';
      text.textContent = item.name;
      const qty = document.createElement('span');
      qty.className = 'qty';
      qty.textContent = `× ${item.quantity}`;
      const remove = document.createElement('button');
      remove.type = 'button';
      remove.className = 'delete';
      remove.textContent = 'Delete';
      remove.setAttribute('aria-label', `Delete ${item.name}`);
      remove.addEventListener('click', () => removeItem(item.id));
      li.append(text, qty, remove);
      return li;
    }),
  );
  document.querySelector('#count').textContent = `(${items.size})`;
  document.querySelector('#empty').hidden = items.size > 0;
}

async function refresh() {
  loading++;
  try {
    const { body } = await api('/items');
    items = new Map(body.map((item) => [item.id, item]));
    for (const change of heard) update(change);
  } finally {
    if (--loading === 0) heard = [];
  }
  render();
}

/** A change published by the server: `added` with the item, `deleted` with its id (both idempotent). */
function update(change) {
  if (change.type === 'added') items.set(change.item.id, change.item);
  else if (change.type === 'deleted') items.delete(change.id);
}

function apply(change) {
  if (loading > 0) heard.push(change);
  update(change);
  render();
}

/** Listens for changes; after a drop (the server restarted), reconnects and reloads the list. */
function live(delayMs = 500) {
  const status = document.querySelector('#live');
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/api/live`);
  socket.onopen = () => {
    status.textContent = 'live';
    delayMs = 500;
    refresh(); // what changed while we were away
  };
  socket.onmessage = (event) => apply(JSON.parse(event.data));
  socket.onclose = () => {
    status.textContent = 'offline, reconnecting…';
    setTimeout(() => live(Math.min(delayMs * 2, 10_000)), delayMs);
  };
}

function showErrors(issues) {
  for (const field of ['name', 'quantity', 'form']) document.querySelector(`#${field}-error`).textContent = '';
  for (const issue of issues) {
    const field = issue.path === 'name' || issue.path === 'quantity' ? issue.path : 'form';
    document.querySelector(`#${field}-error`).textContent = issue.message;
  }
}

async function removeItem(id) {
  await api(`/items/${encodeURIComponent(id)}`, { method: 'DELETE' });
  await refresh();
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  const { ok, body } = await api('/items', { method: 'POST', body: JSON.stringify(data) });
  if (!ok) {
    showErrors(body.issues ?? [{ path: 'form', message: body.error }]);
    return;
  }
  showErrors([]);
  form.reset();
  await refresh();
});

refresh();
live();
