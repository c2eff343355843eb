/**
 * examples/deploy: nginx and HAProxy, run with the example configurations, in front of three
 * wirekit nodes (processes on 127.0.0.2–4): requests spread over the nodes, the client's address
 * reaches the app (nginx: X-Forwarded-For through trustProxy; HAProxy: the PROXY protocol v2),
 * server-sent events arrive unbuffered, Upgrade connections become tunnels (WebSockets), and a
 * draining node leaves HAProxy's rotation through its health check with no failed request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent } from '../../src/client/agent.js';
import { request } from '../../src/client/request.js';
import { trackLeaks } from '../helpers/leaks.js';
import { exchange, needs, startHaproxy, startNginx, startNodes } from './deploy-helpers.js';

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

const TUNNEL = [
  'GET /tunnel HTTP/1.1',
  'Upgrade: websocket',
  'Connection: Upgrade',
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
  'Sec-WebSocket-Version: 13',
].join('\r\n');

describe('nginx in front (examples/deploy/nginx.conf)', { skip: needs('nginx') }, () => {
  test('HTTP over every node, the client address via X-Forwarded-For, SSE unbuffered, Upgrade tunnels', async () => {
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
    const tunnel = await exchange(leaks, nginx.url, TUNNEL, /n\d\nping over the tunnel/, {
      afterUpgrade: 'ping over the tunnel',
    });
    assert.match(tunnel, /^HTTP\/1\.1 101 /);
  });
});

describe('HAProxy in front (examples/deploy/haproxy.cfg)', { skip: needs('haproxy') }, () => {
  test('HTTP over every node, the client address via the PROXY protocol, SSE, Upgrade tunnels', async () => {
    const { port } = await startNodes(leaks, { PROXY_PROTOCOL: '1' });
    const haproxy = await startHaproxy(leaks, port);
    assert.deepEqual([...(await nodesSeen(haproxy.url))].sort(), ['n1', 'n2', 'n3']);
    const who = await exchange(leaks, haproxy.url, 'GET / HTTP/1.1\r\nConnection: close', /\}$/, {
      localAddress: '127.0.0.5',
    });
    assert.match(who, /"ip":"127\.0\.0\.5"/, who);
    assert.match(who, /"proxiedBy":"127\.0\.0\.1"/, 'the TCP peer is HAProxy');
    await exchange(leaks, haproxy.url, 'GET /events HTTP/1.1', /event: hello\ndata: n\d\n\n/);
    await exchange(leaks, haproxy.url, TUNNEL, /n\d\nping over the tunnel/, { afterUpgrade: 'ping over the tunnel' });
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
