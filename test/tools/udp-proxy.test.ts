/**
 * The UDP fault proxy on real sockets: loss, duplication, reordering and delay per direction,
 * replies routed back to each client, and seeded draws that repeat.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bind, type UdpSocket } from '../../src/net/udp.js';
import { type UdpFaultProxy, type UdpFaultProxyOptions, udpFaultProxy } from '../../src/tools/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { until } from './helpers.js';

const leaks = trackLeaks();

/** An echo server behind a UDP fault proxy, the order it saw datagrams in, and a client. */
async function setup(options: Partial<UdpFaultProxyOptions> = {}) {
  const server = await bind();
  leaks.defer(() => server.close());
  const seen: string[] = [];
  void (async () => {
    for await (const d of server) {
      seen.push(Buffer.from(d.data).toString());
      await server.send(d.data, d.port, d.address);
    }
  })();
  const proxy: UdpFaultProxy = await udpFaultProxy({
    upstream: `127.0.0.1:${server.address.port}`,
    seed: 11,
    ...options,
  });
  leaks.defer(() => proxy.close());
  const client: UdpSocket = await bind();
  leaks.defer(() => client.close());
  await client.connect(proxy.address.port);
  return { proxy, seen, client };
}

async function sendAll(client: UdpSocket, names: string[]): Promise<void> {
  for (const name of names) await client.send(name);
}

async function receive(client: UdpSocket, n: number): Promise<string[]> {
  const out: string[] = [];
  while (out.length < n) out.push(Buffer.from((await client.receive({ timeoutMs: 5_000 }))?.data ?? []).toString());
  return out;
}

test('no faults: datagrams go up and replies come back to their client', async () => {
  const { client } = await setup();
  await sendAll(client, ['a', 'b']);
  assert.deepEqual((await receive(client, 2)).sort(), ['a', 'b']);
});

test('loss 100% upstream: nothing reaches the server, and the proxy counts the losses', async () => {
  const { proxy, seen, client } = await setup({ upstreamFaults: { loss: 1 } });
  await sendAll(client, ['1', '2', '3']);
  await until(() => proxy.counts.upstream.lost === 3, 'three datagrams lost');
  assert.deepEqual(seen, []);
});

test('duplicate 100% downstream: each reply arrives twice', async () => {
  const { proxy, client } = await setup();
  proxy.set('downstream', { duplicate: 1 });
  await sendAll(client, ['x']);
  assert.deepEqual(await receive(client, 2), ['x', 'x']);
});

test('reorder 100% upstream: neighbours swap places', async () => {
  const { seen, client } = await setup({ upstreamFaults: { reorder: 1, delayMs: 5_000 } });
  await sendAll(client, ['1', '2', '3', '4']);
  await until(() => seen.length === 4, 'four datagrams at the server');
  assert.deepEqual(seen, ['2', '1', '4', '3']);
});

test('delay: replies come back at least delayMs later', async () => {
  const { client } = await setup({ downstreamFaults: { delay: 1, delayMs: 200 } });
  const started = performance.now();
  await sendAll(client, ['late']);
  assert.deepEqual(await receive(client, 1), ['late']);
  assert.ok(performance.now() - started >= 199);
});

test('the same seed loses the same datagrams', async () => {
  const survivors: string[] = [];
  for (let run = 0; run < 2; run++) {
    const { proxy, seen, client } = await setup({ seed: 1234, upstreamFaults: { loss: 0.5 } });
    const names = Array.from({ length: 20 }, (_, i) => String(i));
    await sendAll(client, names);
    await until(() => proxy.counts.upstream.received === 20, 'twenty datagrams at the proxy');
    await until(() => seen.length === 20 - proxy.counts.upstream.lost, 'the survivors at the server');
    survivors.push([...seen].sort((a, b) => Number(a) - Number(b)).join(','));
    if (run === 0) assert.ok(proxy.counts.upstream.lost > 0 && proxy.counts.upstream.lost < 20);
  }
  assert.equal(survivors[0], survivors[1]);
});
