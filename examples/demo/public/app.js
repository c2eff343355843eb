// The demo page: lists, creates and deletes items through the JSON API, showing the API's
// validation errors next to the fields they name.
const form = document.querySelector('#add-form');
const list = document.querySelector('#items');

async function api(path, init) {
  const response = await fetch(`/api${path}`, {
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    ...init,
  });
  const body = response.status === 204 ? null : await response.json();
  return { ok: response.ok, status: response.status, body };
}

function render(items) {
  list.replaceChildren(
    ...items.map((item) => {
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
  document.querySelector('#count').textContent = `(${items.length})`;
  document.querySelector('#empty').hidden = items.length > 0;
}

async function refresh() {
  const { body } = await api('/items');
  render(body);
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
