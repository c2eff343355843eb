/**
 * Three wirekit nodes (processes on 127.0.0.2–4), one Redis, nginx in front — all on loopback:
 * WebSocket clients and event-stream clients connected through nginx to different nodes all
 * receive a message published on any node (over HTTP, or by a socket on each node); a rate limit
 * holds across the nodes; killing a node mid-traffic loses no idempotent request of a client with
 * retries, and the killed node's WebSocket and stream clients reconnect to the others and hear the
 * next message. Every loop is bounded.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Agent } from '../../src/client/agent.js';
import { request } from '../../src/client/request.js';
import { StreamClient } from '../helpers/event-stream.js';
import { trackLeaks } from '../helpers/leaks.js';
import { needsRedis, startRedis } from '../helpers/redis-server.js';
import { eventually } from '../helpers/wait.js';
import { probeUntilHeard, ReconnectingWebSocket } from '../helpers/ws-client.js';
import { needs, startNginx, startNodes } from './deploy-helpers.js';

const leaks = trackLeaks({ settleMs: 50 });

describe('three nodes, Redis, nginx', { skip: needsRedis || needs('nginx') }, () => {
  test('topics reach every socket and stream on every node, limits hold across nodes, a killed node loses nothing', async () => {
    const redis = await startRedis(leaks);
    const { port, nodes } = await startNodes(leaks, { REDIS_URL: redis.url });
    const nginx = await startNginx(leaks, port);
    const dispatcher = new Agent();
    leaks.defer(() => dispatcher.close());

    // Stream clients land on different nodes (nginx round robin): open until all three are covered.
    const clients: StreamClient[] = [];
    for (let i = 0; i < 12 && new Set(clients.map((c) => c.node)).size < 3; i++) {
      const client = new StreamClient(nginx.url, leaks);
      clients.push(client);
      await eventually(() => client.node !== '', 'the stream says its node', 20_000);
    }
    assert.equal(new Set(clients.map((c) => c.node)).size, 3, 'streams on every node');
    // WebSockets through nginx, on every node too.
    const sockets: ReconnectingWebSocket[] = [];
    for (let i = 0; i < 30 && new Set(sockets.map((c) => c.node)).size < 3; i++) {
      const socket = new ReconnectingWebSocket(`${nginx.url.replace('http:', 'ws:')}/ws`, leaks);
      sockets.push(socket);
      await eventually(() => socket.node !== '', 'the socket says its node', 20_000);
    }
    assert.equal(new Set(sockets.map((c) => c.node)).size, 3, 'sockets on every node');
    const everyone = [...clients, ...sockets];

    // Published on whichever node nginx picks: every stream and socket on every node hears it.
    const broadcast = async (text: string) => {
      const res = await request(`${nginx.url}/broadcast`, { method: 'POST', body: text, dispatcher });
      assert.equal(res.status, 202);
      await res.body.dump();
    };
    await probeUntilHeard(
      broadcast,
      everyone.map((c) => () => c.messages),
    );
    await broadcast('first');
    await eventually(() => everyone.every((c) => c.messages.includes('first')), 'everyone got it', 20_000);
    // A socket on each node publishes: everyone on every node hears each, once.
    const fromSockets = ['n1', 'n2', 'n3'].map((node) => {
      const text = `from a socket on ${node}`;
      sockets.find((c) => c.node === node)?.send(`publish ${text}`);
      return text;
    });
    await eventually(
      () => everyone.every((c) => fromSockets.every((t) => c.messages.includes(t))),
      'everyone heard every socket',
      20_000,
    );
    await broadcast('after the sockets');
    await eventually(() => everyone.every((c) => c.messages.includes('after the sockets')), 'the next one', 20_000);
    for (const c of everyone) {
      for (const text of ['first', ...fromSockets]) assert.equal(c.messages.filter((m) => m === text).length, 1);
    }

    // The limit (5 a minute per client) is one count across the three nodes.
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      const res = await request(`${nginx.url}/limited`, { headers: { connection: 'close' }, dispatcher });
      statuses.push(res.status);
      await res.body.dump();
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);

    // Kill n2 mid-traffic: a client that retries idempotent requests sees every one answered.
    let running = true;
    let ok = 0;
    const failures: string[] = [];
    const load = (async () => {
      for (let i = 0; i < 50_000 && running; i++) {
        try {
          const res = await request(`${nginx.url}/`, { dispatcher, retry: true });
          if (res.status === 200) ok++;
          else failures.push(`status ${res.status}`);
          await res.body.dump();
        } catch (error) {
          failures.push(String((error as Error).message));
        }
      }
    })();
    await eventually(() => ok > 100, 'traffic flows', 20_000);
    const victim = nodes[1];
    const socketsOnN2 = sockets.filter((c) => c.node === 'n2');
    victim?.child.kill('SIGKILL');
    await victim?.exited;
    const afterKill = ok;
    await eventually(() => ok > afterKill + 300, 'traffic flows after the kill', 30_000);
    running = false;
    await load;
    assert.deepEqual(failures, []);

    // The killed node's stream clients reconnected elsewhere and hear the next message.
    const orphans = clients.filter((c) => c.reconnects > 0);
    assert.ok(orphans.length > 0, 'some streams were on n2');
    await eventually(() => orphans.every((c) => c.node !== '' && c.node !== 'n2'), 'reconnected to n1 or n3', 20_000);
    // Its WebSockets too: they saw the connection drop (1006: no close frame from a killed node).
    const orphanSockets = sockets.filter((c) => c.closes.length > 0);
    assert.ok(socketsOnN2.length > 0, 'some sockets were on n2');
    assert.deepEqual(orphanSockets, socketsOnN2, 'the sockets of n2, and only those, lost their connection');
    for (const c of orphanSockets) assert.equal(c.closes[0], 1006);
    await eventually(
      () => orphanSockets.every((c) => c.node !== '' && c.node !== 'n2'),
      'sockets reconnected to n1 or n3',
      20_000,
    );
    await broadcast('second');
    await eventually(() => everyone.every((c) => c.messages.includes('second')), 'everyone got the second', 20_000);
  });
});
