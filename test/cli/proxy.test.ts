/**
 * `wirekit proxy` as users run it: a TCP proxy with faults from flags, listed by its own
 * Toxiproxy-compatible API; a UDP proxy; usage errors; Ctrl-C (SIGTERM) stops it with exit 0.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent, request } from '../../src/client/index.js';
import { connect } from '../../src/net/connect.js';
import { listen } from '../../src/net/tcp-server.js';
import { bind } from '../../src/net/udp.js';
import { trackLeaks } from '../helpers/leaks.js';
import { echo, readText } from '../tools/helpers.js';
import { wirekit } from './processes.js';

const leaks = trackLeaks();

test('TCP: flags set the faults, the API lists them, SIGTERM stops it', async () => {
  const server = await listen({ port: 0 }, echo);
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const upstream = `127.0.0.1:${server.address.port}`;
  const proxy = wirekit(leaks, ['proxy', '--listen', '0', '--upstream', upstream, '--latency', '200ms', '--api', '0']);
  const port = Number((await proxy.waitFor(/Proxying 127\.0\.0\.1:(\d+)/, true))[1]);
  const api = (await proxy.waitFor(/API on (http:\S+)/, true))[1] as string;
  const conn = await connect({ port });
  leaks.defer(() => conn.destroy());
  const started = performance.now();
  await conn.write('ping');
  assert.equal(await readText(conn, 4), 'ping');
  assert.ok(performance.now() - started >= 199);
  const agent = new Agent();
  leaks.defer(() => agent.destroy());
  const listed = (await (await request(`${api}/proxies`, { dispatcher: agent })).body.json()) as Record<
    string,
    { upstream: string; toxics: { type: string; attributes: unknown }[] }
  >;
  assert.equal(listed.wirekit?.upstream, upstream);
  assert.deepEqual(
    listed.wirekit?.toxics.map((t) => [t.type, t.attributes]),
    [['latency', { latency: 200, jitter: 0 }]],
  );
  conn.destroy();
  proxy.child.kill('SIGTERM');
  assert.equal(await proxy.exited, 0);
});

test('UDP: --duplicate 100% doubles every reply', async () => {
  const server = await bind();
  leaks.defer(() => server.close());
  void (async () => {
    for await (const d of server) await server.send(d.data, d.port, d.address);
  })();
  const proxy = wirekit(leaks, [
    'proxy',
    '--udp',
    '--listen',
    '0',
    '--upstream',
    `127.0.0.1:${server.address.port}`,
    '--duplicate',
    '100%',
  ]);
  const port = Number((await proxy.waitFor(/Proxying UDP 127\.0\.0\.1:(\d+)/, true))[1]);
  const client = await bind();
  leaks.defer(() => client.close());
  await client.connect(port);
  await client.send('twice');
  const replies = [await client.receive({ timeoutMs: 5_000 }), await client.receive({ timeoutMs: 5_000 })];
  assert.deepEqual(
    replies.map((r) => Buffer.from(r?.data ?? []).toString()),
    ['twice', 'twice'],
  );
  proxy.child.kill('SIGTERM');
  assert.equal(await proxy.exited, 0);
});

test('usage errors exit 2', async () => {
  const missing = wirekit(leaks, ['proxy', '--listen', '8001']);
  assert.equal(await missing.exited, 2);
  assert.match(missing.stderr(), /--listen and --upstream go together/);
  const bad = wirekit(leaks, ['proxy', '--listen', '0', '--upstream', '127.0.0.1:1', '--latency', 'soon']);
  assert.equal(await bad.exited, 2);
});
