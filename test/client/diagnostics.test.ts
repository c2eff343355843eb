/** The client's diagnostics channels: request start, response, end and error; connection open and close. */
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { test } from 'node:test';
import { type ClientResponse, type DispatchRequest, Pool } from '../../src/client/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { rawServer, reply } from './helpers.js';

const leaks = trackLeaks();

const NAMES = [
  'wirekit:http.client.request.start',
  'wirekit:http.client.response',
  'wirekit:http.client.request.end',
  'wirekit:http.client.request.error',
  'wirekit:http.client.connection.open',
  'wirekit:http.client.connection.close',
];

test('a request and its connection are published on the client channels', async () => {
  const seen: [string, unknown][] = [];
  const listeners = NAMES.map((name) => {
    const listener = (message: unknown): void => void seen.push([name.replace('wirekit:http.client.', ''), message]);
    diagnostics.subscribe(name, listener);
    return () => diagnostics.unsubscribe(name, listener);
  });
  leaks.defer(() => {
    for (const off of listeners) off();
  });
  const server = await rawServer(leaks, (req, socket) =>
    socket.write(req.path === '/fail' ? 'garbage\r\n\r\n' : reply('ok')),
  );
  const pool = new Pool(server.url);
  const res = await pool.request({ path: '/ok' });
  await res.body.text();
  await assert.rejects(pool.request({ path: '/fail' }));
  await pool.close();
  const kinds = seen.map(([kind]) => kind);
  assert.deepEqual(kinds.slice(0, 4), ['request.start', 'connection.open', 'response', 'request.end']);
  assert.ok(kinds.includes('request.error'));
  assert.ok(kinds.includes('connection.close'));
  const end = seen[3]?.[1] as { request: DispatchRequest; response: ClientResponse };
  assert.equal(end.request.path, '/ok');
  assert.ok(end.response.timings.total >= end.response.timings.ttfb);
  const open = seen[1]?.[1] as { origin: string; remoteAddress: { port: number } };
  assert.equal(open.origin, server.url);
  assert.equal(open.remoteAddress.port, server.port);
});
