/**
 * The Toxiproxy-compatible control API: driven by the real `toxiproxy-node-client` (what existing
 * users run), with traffic through the proxies it creates; and the exact JSON shapes, status codes
 * and error bodies of Toxiproxy 2.x checked request by request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Toxiproxy, ToxiproxyError } from 'toxiproxy-node-client';
import { Agent, request } from '../../src/client/index.js';
import { connect } from '../../src/net/connect.js';
import { listen } from '../../src/net/tcp-server.js';
import { type ControlApi, listenControlApi } from '../../src/tools/index.js';
import { type LeakTracker, trackLeaks } from '../helpers/leaks.js';
import { causeCode, echo, readText } from './helpers.js';

const leaks = trackLeaks();

let agent = new Agent();

async function setup(tracker: LeakTracker): Promise<{ api: ControlApi; upstream: string }> {
  const server = await listen({ port: 0 }, echo);
  tracker.defer(() => server.close({ timeoutMs: 0 }));
  const api = await listenControlApi({ port: 0, proxies: { seed: 3 } });
  tracker.defer(() => api.close());
  agent = new Agent();
  tracker.defer(() => agent.destroy());
  return { api, upstream: `127.0.0.1:${server.address.port}` };
}

/** One round trip through a proxy listening on `listen`; resolves with the ms it took. */
async function roundTrip(listenAddress: string, text = 'ping'): Promise<number> {
  const port = Number(listenAddress.split(':').pop());
  const conn = await connect({ port });
  try {
    const started = performance.now();
    await conn.write(text);
    assert.equal(await readText(conn, text.length), text);
    return performance.now() - started;
  } finally {
    conn.destroy();
  }
}

async function call(api: ControlApi, method: string, path: string, body?: unknown, headers: string[] = []) {
  const res = await request(`${api.url}${path}`, {
    method,
    dispatcher: agent,
    headers: ['content-type', 'application/json', ...headers],
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.body.text();
  const json = res.headers.get('content-type')?.startsWith('application/json')
    ? (JSON.parse(text) as unknown)
    : undefined;
  return { status: res.status, text, json };
}

describe('toxiproxy-node-client drives it unchanged', () => {
  test('proxies, toxics, enable/disable, reset, populate and version', async () => {
    const { api, upstream } = await setup(leaks);
    const toxiproxy = new Toxiproxy(api.url);
    const proxy = await toxiproxy.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream });
    assert.equal(proxy.enabled, true);
    assert.match(proxy.listen, /^127\.0\.0\.1:\d+$/);
    await roundTrip(proxy.listen);

    const latency = await proxy.addToxic({
      name: 'slow',
      type: 'latency',
      stream: 'downstream',
      toxicity: 1,
      attributes: { latency: 200, jitter: 0 },
    });
    assert.deepEqual(latency.toJson(), {
      attributes: { latency: 200, jitter: 0 },
      name: 'slow',
      stream: 'downstream',
      toxicity: 1,
      type: 'latency',
    });
    assert.ok((await roundTrip(proxy.listen)) >= 199, 'the latency toxic delays the answer');
    const updated = await latency.update({ ...latency.toJson(), attributes: { latency: 300, jitter: 0 } });
    assert.deepEqual(updated.attributes, { latency: 300, jitter: 0 });
    assert.deepEqual((await proxy.getToxic('slow')).attributes, { latency: 300, jitter: 0 });
    await latency.remove();

    const down = await proxy.update({ enabled: false, listen: proxy.listen, upstream });
    assert.equal(down.enabled, false);
    await assert.rejects(roundTrip(proxy.listen), (error) => causeCode(error) === 'ECONNREFUSED');

    await proxy.addToxic({
      name: 'cut',
      type: 'limit_data',
      stream: 'upstream',
      toxicity: 1,
      attributes: { bytes: 1 },
    });
    await toxiproxy.reset();
    const again = await toxiproxy.get('echo');
    assert.equal(again.enabled, true);
    assert.equal(again.listen, proxy.listen, 'the port chosen for :0 is kept');
    await roundTrip(again.listen);

    const populated = await toxiproxy.populate([
      { name: 'echo', listen: proxy.listen, upstream },
      { name: 'other', listen: '127.0.0.1:0', upstream, enabled: false },
    ]);
    assert.deepEqual(Object.keys(populated).sort(), ['echo', 'other']);
    assert.equal(populated.other?.enabled, false);
    assert.deepEqual(Object.keys(await toxiproxy.getAll()).sort(), ['echo', 'other']);
    assert.equal(await toxiproxy.getVersion(), '{"version": "2.12.0+wirekit"}\n');

    await assert.rejects(
      toxiproxy.createProxy({ name: 'echo', listen: '127.0.0.1:0', upstream }),
      (error) => error instanceof ToxiproxyError && /409/.test(error.message),
    );
    await (await toxiproxy.get('other')).remove();
    await assert.rejects(
      toxiproxy.get('other'),
      (error) => error instanceof ToxiproxyError && /404/.test(error.message),
    );
  });
});

describe('Toxiproxy 2.x shapes and status codes', () => {
  test('proxy create, show, list, update and delete', async () => {
    const { api, upstream } = await setup(leaks);
    const created = await call(api, 'POST', '/proxies', { name: 'db', listen: 'localhost:0', upstream });
    assert.equal(created.status, 201);
    const listen = (created.json as { listen: string }).listen;
    assert.match(listen, /^127\.0\.0\.1:\d+$/, 'localhost:0 is shown as the address in use');
    assert.deepEqual(created.json, { name: 'db', listen, upstream, enabled: true, toxics: [] });
    assert.deepEqual((await call(api, 'GET', '/proxies')).json, { db: created.json });
    assert.deepEqual((await call(api, 'GET', '/proxies/db')).json, created.json);
    const patched = await call(api, 'PATCH', '/proxies/db', { enabled: false });
    assert.deepEqual([patched.status, (patched.json as { enabled: boolean }).enabled], [200, false]);
    assert.equal((await call(api, 'DELETE', '/proxies/db')).status, 204);
    assert.deepEqual(await call(api, 'GET', '/proxies/db'), {
      status: 404,
      text: '{"error":"proxy not found","status":404}',
      json: { error: 'proxy not found', status: 404 },
    });
  });

  test('create errors: missing fields, duplicates, bad bodies, a taken port', async () => {
    const { api, upstream } = await setup(leaks);
    assert.deepEqual((await call(api, 'POST', '/proxies', { upstream })).json, {
      error: 'missing required field: name',
      status: 400,
    });
    assert.deepEqual((await call(api, 'POST', '/proxies', { name: 'x' })).json, {
      error: 'missing required field: upstream',
      status: 400,
    });
    const bad = await call(api, 'POST', '/proxies', '{nope');
    assert.equal(bad.status, 400);
    assert.match((bad.json as { error: string }).error, /^bad request body: /);
    await call(api, 'POST', '/proxies', { name: 'a', listen: '127.0.0.1:0', upstream });
    assert.deepEqual((await call(api, 'POST', '/proxies', { name: 'a', upstream })).json, {
      error: 'proxy already exists',
      status: 409,
    });
    const taken = await call(api, 'POST', '/proxies', { name: 'b', listen: api.url.slice(7), upstream });
    assert.deepEqual(taken.json, {
      error: `listen tcp ${api.url.slice(7)}: bind: address already in use`,
      status: 500,
    });
  });

  test('toxics: defaults, list, show, update, delete and their errors', async () => {
    const { api, upstream } = await setup(leaks);
    await call(api, 'POST', '/proxies', { name: 'p', listen: '127.0.0.1:0', upstream });
    const added = await call(api, 'POST', '/proxies/p/toxics', { type: 'slicer', attributes: { average_size: 10 } });
    assert.equal(added.status, 200);
    const slicer = {
      attributes: { average_size: 10, size_variation: 0, delay: 0 },
      name: 'slicer_downstream',
      type: 'slicer',
      stream: 'downstream',
      toxicity: 1,
    };
    assert.deepEqual(added.json, slicer);
    const up = await call(api, 'POST', '/proxies/p/toxics', {
      type: 'bandwidth',
      stream: 'upstream',
      toxicity: 0.5,
      attributes: { rate: 64 },
    });
    assert.deepEqual(up.json, {
      attributes: { rate: 64 },
      name: 'bandwidth_upstream',
      type: 'bandwidth',
      stream: 'upstream',
      toxicity: 0.5,
    });
    assert.deepEqual((await call(api, 'GET', '/proxies/p/toxics')).json, [slicer, up.json]);
    assert.deepEqual((await call(api, 'GET', '/proxies/p/toxics/slicer_downstream')).json, slicer);
    const changed = await call(api, 'PATCH', '/proxies/p/toxics/slicer_downstream', { attributes: { delay: 500 } });
    assert.deepEqual((changed.json as typeof slicer).attributes, { average_size: 10, size_variation: 0, delay: 500 });
    assert.deepEqual(
      (await call(api, 'POST', '/proxies/p/toxics', { type: 'slicer', attributes: { average_size: 5 } })).json,
      {
        error: 'toxic already exists',
        status: 409,
      },
    );
    assert.deepEqual((await call(api, 'POST', '/proxies/p/toxics', { type: 'nope' })).json, {
      error: 'invalid toxic type',
      status: 400,
    });
    assert.deepEqual((await call(api, 'POST', '/proxies/p/toxics', { type: 'latency', stream: 'sideways' })).json, {
      error: 'stream was invalid, can be either upstream or downstream',
      status: 400,
    });
    assert.equal((await call(api, 'DELETE', '/proxies/p/toxics/slicer_downstream')).status, 204);
    assert.deepEqual((await call(api, 'GET', '/proxies/p/toxics/slicer_downstream')).json, {
      error: 'toxic not found',
      status: 404,
    });
    assert.deepEqual((await call(api, 'POST', '/reset')).status, 204);
    assert.deepEqual((await call(api, 'GET', '/proxies/p/toxics')).json, []);
  });

  test('populate checks every entry first, then reports what it did', async () => {
    const { api, upstream } = await setup(leaks);
    const refused = await call(api, 'POST', '/populate', [{ name: 'one', upstream }, { upstream }]);
    assert.deepEqual(
      [refused.status, refused.json],
      [400, { error: 'missing required field: name at proxy 2', status: 400 }],
    );
    assert.deepEqual((await call(api, 'GET', '/proxies')).json, {}, 'nothing was created');
    const done = await call(api, 'POST', '/populate', [{ name: 'one', listen: '127.0.0.1:0', upstream }]);
    assert.equal(done.status, 201);
    assert.equal((done.json as { proxies: { name: string }[] }).proxies[0]?.name, 'one');
    const taken = await call(api, 'POST', '/populate', [
      { name: 'two', listen: '127.0.0.1:0', upstream },
      { name: 'three', listen: api.url.slice(7), upstream },
    ]);
    assert.equal(taken.status, 500);
    const body = taken.json as { error: string; status: number; proxies: { name: string }[] };
    assert.deepEqual([body.status, body.proxies.map((p) => p.name)], [500, ['two']]);
  });

  test('a browser is turned away; /version answers like Toxiproxy', async () => {
    const { api } = await setup(leaks);
    const browser = await call(api, 'GET', '/proxies', undefined, ['user-agent', 'Mozilla/5.0 (X11; Linux)']);
    assert.deepEqual([browser.status, browser.text], [403, 'User agent not allowed\n']);
    const version = await request(`${api.url}/version`, { dispatcher: agent });
    assert.equal(version.headers.get('content-type'), 'application/json;charset=utf-8');
    assert.ok(
      [...version.headers].some(([name]) => name === 'Content-Type'),
      'spelled as registered on the wire',
    );
    assert.equal(await version.body.text(), '{"version": "2.12.0+wirekit"}\n');
  });
});
