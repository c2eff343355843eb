/**
 * `node:diagnostics_channel` events of the server (docs/architecture.md, Observing): connection open and close,
 * request start and end (with status, body bytes and duration), published for real connections.
 */
import assert from 'node:assert/strict';
import type diagnostics from 'node:diagnostics_channel';
import { test } from 'node:test';
import type { Request } from '../../../src/http/message/index.js';
import { Response } from '../../../src/http/message/index.js';
import { type ConnInfo, channels, type RequestEndMessage } from '../../../src/http/server/index.js';
import { startServer } from '../../helpers/http-server.js';
import { trackLeaks } from '../../helpers/leaks.js';
import { request } from '../../helpers/raw-client.js';

const leaks = trackLeaks();

interface Seen {
  kind: string;
  info: ConnInfo;
  path?: string;
  status?: number;
  bytes?: number;
}

/** Subscribes to every server channel for the test; only events of connections to `port` are kept. */
function record(port: () => number): Seen[] {
  const seen: Seen[] = [];
  const mine = (info: ConnInfo): boolean => info.localAddress?.port === port();
  const subscriptions: [diagnostics.Channel, (message: unknown) => void][] = [
    [
      channels.connectionOpen,
      (m) => {
        const { info } = m as { info: ConnInfo };
        if (mine(info)) seen.push({ kind: 'open', info });
      },
    ],
    [
      channels.connectionClose,
      (m) => {
        const { info } = m as { info: ConnInfo };
        if (mine(info)) seen.push({ kind: 'close', info });
      },
    ],
    [
      channels.requestStart,
      (m) => {
        const { info, request: req } = m as { info: ConnInfo; request: Request };
        if (mine(info)) seen.push({ kind: 'start', info, path: req.path });
      },
    ],
    [
      channels.requestEnd,
      (m) => {
        const { info, request: req, status, bytes } = m as RequestEndMessage;
        if (mine(info)) seen.push({ kind: 'end', info, path: req.path, status, bytes });
      },
    ],
  ];
  for (const [channel, fn] of subscriptions) channel.subscribe(fn);
  leaks.defer(() => {
    for (const [channel, fn] of subscriptions) channel.unsubscribe(fn);
  });
  return seen;
}

test('connection open/close and request start/end are published, in order, per connection', async () => {
  let port = 0;
  const seen = record(() => port);
  const server = await startServer(leaks, (req) =>
    req.path === '/missing' ? new Response('nope', { status: 404 }) : new Response('hello'),
  );
  port = server.port;
  const client = await server.client();
  await client.write(request('GET', '/a') + request('GET', '/missing', ['Connection: close']));
  await client.waitEnded();
  await client.until(() => seen.some((s) => s.kind === 'close'), 'the close event');
  const events = seen.map(({ kind, path, status, bytes }) => ({ kind, path, status, bytes }));
  assert.equal(events[0]?.kind, 'open');
  assert.equal(events[events.length - 1]?.kind, 'close');
  assert.deepEqual(
    events.filter((e) => e.kind === 'start').map((e) => e.path),
    ['/a', '/missing'],
  );
  assert.deepEqual(
    events.filter((e) => e.kind === 'end'),
    [
      { kind: 'end', path: '/a', status: 200, bytes: 5 },
      { kind: 'end', path: '/missing', status: 404, bytes: 4 },
    ],
  );
  const at = (kind: string, path: string): number => events.findIndex((e) => e.kind === kind && e.path === path);
  assert.ok(at('start', '/a') < at('end', '/a') && at('start', '/missing') < at('end', '/missing'));
  assert.ok(
    seen.every((s) => s.info === seen[0]?.info),
    'one connection, one info object',
  );
});

test('two connections are told apart; a refused request still ends with its status', async () => {
  let port = 0;
  const seen = record(() => port);
  const server = await startServer(leaks, () => new Response('ok'));
  port = server.port;
  const first = await server.client();
  const second = await server.client();
  await first.write(request('GET', '/one'));
  await first.read(1);
  await second.write('GET /bad HTTP/1.1\r\nHost: a\r\nBad Field: x\r\n\r\n');
  await second.waitEnded();
  first.destroy();
  await first.until(() => seen.filter((s) => s.kind === 'close').length === 2, 'both closes');
  const opens = seen.filter((s) => s.kind === 'open');
  assert.equal(opens.length, 2);
  assert.notEqual(opens[0]?.info, opens[1]?.info);
  const ends = seen.filter((s) => s.kind === 'end').map((s) => s.status);
  assert.deepEqual(ends.sort(), [200, 400]);
});
