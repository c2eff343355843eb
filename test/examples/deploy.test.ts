/**
 * examples/deploy: nginx and HAProxy, run with the example configurations, in front of three
 * wirekit nodes (processes on 127.0.0.2–4): requests spread over the nodes, the client's address
 * reaches the app (nginx: X-Forwarded-For through trustProxy; HAProxy: the PROXY protocol v2),
 * server-sent events arrive unbuffered, WebSockets pass (text and large binary messages echoed), a
 * draining node closes its WebSockets with 1001 and they reconnect to the others, and a draining
 * node leaves HAProxy's rotation through its health check with no failed request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent } from '../../src/client/agent.js';
import { request } from '../../src/client/request.js';
import { trackLeaks } from '../helpers/leaks.js';
import { eventually } from '../helpers/wait.js';
import { ReconnectingWebSocket } from '../helpers/ws-client.js';
import { peer } from '../ws/helpers.js';
import { exchange, needs, type Proc, startHaproxy, startNginx, startNodes } from './deploy-helpers.js';

const leaks = trackLeaks({ settleMs: 50 });

function agent(): Agent {
  const a = new Agent();
  leaks.defer(() => a.close());
  return a;
}

/** GET / on new connections until every node answered (bounded). */
async function nodesSeen(url: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const dispatcher = agent();
  for (let i = 0; i < 60 && seen.size < 3; i++) {
    const res = await request(`${url}/`, { headers: { connection: 'close' }, dispatcher });
    seen.add(((await res.body.json()) as { node: string }).node);
  }
  return seen;
}

/** A WebSocket through the proxy: the node's hello, then text and a large binary message echoed. */
async function echoThrough(url: string): Promise<void> {
  const p = await peer(leaks, `${url.replace('http:', 'ws:')}/ws`);
  assert.match((await p.message(1)).data.toString(), /^hello n\d$/);
  p.ws.send('ping over the proxy');
  const big = Buffer.alloc(256 * 1024, 7); // many TCP segments through the tunnel
  p.ws.send(big);
  assert.equal((await p.message(2)).data.toString(), 'ping over the proxy');
  const echoed = await p.message(3);
  assert.ok(echoed.isBinary && echoed.data.equals(big), 'the bytes came back');
}

/**
 * SIGTERM to n1 (the example's stop: drain): its WebSockets, reached through the proxy, get 1001
 * and reconnect to the other nodes; the others' sockets stay open.
 */
async function drainMovesWebSockets(url: string, nodes: Proc[]): Promise<void> {
  const clients: ReconnectingWebSocket[] = [];
  for (let i = 0; i < 30 && new Set(clients.map((c) => c.node)).size < 3; i++) {
    const client = new ReconnectingWebSocket(`${url.replace('http:', 'ws:')}/ws`, leaks);
    clients.push(client);
    await eventually(() => client.node !== '', 'the socket says its node', 20_000);
  }
  assert.equal(new Set(clients.map((c) => c.node)).size, 3, 'sockets on every node');
  const onN1 = clients.filter((c) => c.node === 'n1');
  const others = clients.filter((c) => c.node !== 'n1');
  const n1 = nodes[0] as Proc;
  n1.child.kill('SIGTERM');
  assert.equal(await n1.exited, 0);
  await eventually(
    () => onN1.every((c) => c.closes.length > 0 && c.node !== ''),
    () => `n1's sockets reconnected: ${JSON.stringify(onN1.map((c) => [c.closes, c.node]))}`,
    30_000,
  );
  for (const c of onN1) {
    assert.equal(c.closes[0], 1001, 'going away, through the proxy');
    assert.notEqual(c.node, 'n1');
  }
  for (const c of others) assert.deepEqual(c.closes, [], 'the other nodes keep their sockets');
}

describe('nginx in front (examples/deploy/nginx.conf)', { skip: needs('nginx') }, () => {
  test('HTTP over every node, the client address via X-Forwarded-For, SSE unbuffered, WebSockets', async () => {
    const { port } = await startNodes(leaks);
    const nginx = await startNginx(leaks, port);
    assert.deepEqual([...(await nodesSeen(nginx.url))].sort(), ['n1', 'n2', 'n3']);
    const who = await exchange(leaks, nginx.url, 'GET / HTTP/1.1\r\nConnection: close', /\}$/, {
      localAddress: '127.0.0.5',
    });
    assert.match(who, /"ip":"127\.0\.0\.5"/, who);
    assert.match(who, /"proxiedBy":null/);
    // The first event arrives while the stream stays open (nothing buffers it).
    const events = await exchange(leaks, nginx.url, 'GET /events HTTP/1.1', /event: hello\ndata: n\d\n\n/);
    assert.match(events, /content-type: text\/event-stream/i);
    await echoThrough(nginx.url);
  });

  test('a draining node closes its WebSockets with 1001; they reconnect to the other nodes', async () => {
    const { port, nodes } = await startNodes(leaks);
    const nginx = await startNginx(leaks, port);
    await drainMovesWebSockets(nginx.url, nodes);
  });
});

describe('HAProxy in front (examples/deploy/haproxy.cfg)', { skip: needs('haproxy') }, () => {
  test('HTTP over every node, the client address via the PROXY protocol, SSE, WebSockets', async () => {
    const { port } = await startNodes(leaks, { PROXY_PROTOCOL: '1' });
    const haproxy = await startHaproxy(leaks, port);
    assert.deepEqual([...(await nodesSeen(haproxy.url))].sort(), ['n1', 'n2', 'n3']);
    const who = await exchange(leaks, haproxy.url, 'GET / HTTP/1.1\r\nConnection: close', /\}$/, {
      localAddress: '127.0.0.5',
    });
    assert.match(who, /"ip":"127\.0\.0\.5"/, who);
    assert.match(who, /"proxiedBy":"127\.0\.0\.1"/, 'the TCP peer is HAProxy');
    await exchange(leaks, haproxy.url, 'GET /events HTTP/1.1', /event: hello\ndata: n\d\n\n/);
    await echoThrough(haproxy.url);
  });

  test('a draining node closes its WebSockets with 1001; they reconnect to the other nodes', async () => {
    const { port, nodes } = await startNodes(leaks, { PROXY_PROTOCOL: '1' });
    const haproxy = await startHaproxy(leaks, port);
    await drainMovesWebSockets(haproxy.url, nodes);
  });

  test('a draining node answers 503 to the health check and leaves the rotation: no request fails', async () => {
    const { port, nodes } = await startNodes(leaks, { PROXY_PROTOCOL: '1', DRAIN_DELAY_MS: '2500' });
    const haproxy = await startHaproxy(leaks, port);
    await nodesSeen(haproxy.url);
    (nodes[0] as { child: { kill(s: string): void } }).child.kill('SIGTERM');
    const dispatcher = agent();
    const answered: string[] = [];
    let failures = 0;
    // Until n1 has exited, and a while after: every request answers 200.
    for (let i = 0; i < 2_000 && (nodes[0]?.child.exitCode === null || answered.length < 200); i++) {
      try {
        const res = await request(`${haproxy.url}/`, { dispatcher, retry: true });
        if (res.status !== 200) failures++;
        answered.push(((await res.body.json()) as { node: string }).node);
      } catch {
        failures++;
      }
    }
    assert.equal(await nodes[0]?.exited, 0);
    assert.equal(failures, 0);
    assert.ok(
      answered.slice(-100).every((n) => n !== 'n1'),
      'n1 is out of the rotation',
    );
  });
});
