/**
 * The demo behind `npm start` (dist/examples/demo/main.js), run as `npm start` runs it, on a free
 * port (PORT=0): the URL it prints, the JSON API as a client sees it (list, get, create with
 * Location, 404s, 400 on invalid input, 409 once the list is full), the page, and a graceful stop;
 * and the README's copy of its app, kept in step.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';
import { startExample, stopExample } from './run.js';

/** What main.ts seeds, and the cap of its ItemStore (examples/demo/items.ts). */
const SEEDED = ['Read the README', 'Run npm test'];
const MAX_ITEMS = 1000;

interface Item {
  id: string;
  name: string;
  quantity: number;
  createdAt: string;
}

function post(base: string, body: unknown): Promise<Response> {
  return fetch(`${base}/api/items`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  });
}

test('npm start runs the demo: it is what package.json starts', () => {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  assert.match(manifest.scripts.start, /node dist\/examples\/demo\/main\.js$/);
});

test("the README's first example is examples/demo/app.ts as it is (imports from 'wirekit')", () => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Quick start'));
  const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
  const source = readFileSync(join(REPO_ROOT, 'examples/demo/app.ts'), 'utf8');
  const code = source.slice(source.indexOf('*/\n') + 3).replace("'../../src/index.js'", "'wirekit'");
  assert.equal(block, code);
});

test('the demo prints its URL, serves the API and the page, and stops on SIGTERM with exit 0', {
  timeout: 120_000,
}, async () => {
  const demo = startExample('demo/main', { PORT: '0' });
  try {
    const match = await demo.waitFor(/wirekit demo running at (http:\/\/127\.0\.0\.1:(\d+))\/ {2}\(Ctrl-C to stop\)/);
    const base = match[1] as string;
    assert.notEqual(match[2], '0', 'PORT=0 picked a free port and the URL shows it');

    const page = await fetch(`${base}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /<h1>wirekit demo<\/h1>/);

    const list = await fetch(`${base}/api/items`);
    assert.equal(list.status, 200);
    const items = (await list.json()) as Item[];
    assert.deepEqual(
      items.map((i) => i.name),
      SEEDED,
    );

    const one = await fetch(`${base}/api/items/${items[0]?.id}`);
    assert.equal(one.status, 200);
    assert.deepEqual(await one.json(), items[0]);
    const none = await fetch(`${base}/api/items/999999`, { headers: { accept: 'application/json' } });
    assert.equal(none.status, 404);
    assert.deepEqual(await none.json(), { error: 'no such item', status: 404 });

    const created = await post(base, { name: 'Buy coffee', quantity: 2 });
    assert.equal(created.status, 201);
    const item = (await created.json()) as Item;
    assert.equal(item.name, 'Buy coffee');
    assert.equal(created.headers.get('location'), `/api/items/${item.id}`);
    assert.deepEqual(await (await fetch(`${base}${created.headers.get('location')}`)).json(), item);

    const invalid = await post(base, { name: '', quantity: 500 });
    assert.equal(invalid.status, 400);
    await invalid.arrayBuffer();

    const deleted = await fetch(`${base}/api/items/${item.id}`, { method: 'DELETE' });
    assert.equal(deleted.status, 204);
    const again = await fetch(`${base}/api/items/${item.id}`, { method: 'DELETE' });
    assert.equal(again.status, 404, 'deleting a missing id');
    await again.arrayBuffer();

    // Fill the list to its cap (a few at a time), then one more is refused.
    const missing = MAX_ITEMS - SEEDED.length;
    for (let added = 0; added < missing; ) {
      const batch = Math.min(16, missing - added);
      const answers = await Promise.all(Array.from({ length: batch }, (_, i) => post(base, { name: `n${added + i}` })));
      for (const answer of answers) {
        assert.equal(answer.status, 201);
        await answer.arrayBuffer();
      }
      added += batch;
    }
    const full = await post(base, { name: 'one too many' });
    assert.equal(full.status, 409);
    assert.deepEqual(await full.json(), { error: 'the list is full', status: 409 });
  } finally {
    assert.equal(await stopExample(demo, 'SIGTERM'), 0, demo.output());
  }
  assert.match(demo.output(), /stopping…/);
});
