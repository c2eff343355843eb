/**
 * The chat example (examples/ws-chat), run as a user runs it: the page, a 401 without a name, two
 * `ws` clients in a room seeing each other's messages, and SIGTERM closing them with 1001.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { trackLeaks } from '../helpers/leaks.js';
import { peer } from '../ws/helpers.js';
import { startExample, stopExample } from './run.js';

const leaks = trackLeaks();

test('the chat example: page, 401 without a name, a room of two, 1001 on stop', async () => {
  const chat = startExample('ws-chat/main', { PORT: '0' });
  leaks.defer(() => stopExample(chat));
  const [, base] = await chat.waitFor(/chat running at (http:\/\/\S+)\//);
  const page = await fetch(`${base}/`);
  assert.match(await page.text(), /new WebSocket/);
  const ws = (base as string).replace('http', 'ws');
  const anonymous = new WebSocket(`${ws}/chat/lobby`);
  leaks.defer(() => anonymous.terminate());
  const status = await new Promise<number | undefined>((resolve) => {
    anonymous.on('unexpected-response', (_req, res) => resolve(res.statusCode));
    anonymous.on('error', () => {});
  });
  assert.equal(status, 401);
  const ada = await peer(leaks, `${ws}/chat/lobby?name=ada`);
  assert.equal((await ada.message(1)).data.toString(), 'ada joined');
  const bob = await peer(leaks, `${ws}/chat/lobby?name=bob`);
  assert.equal((await ada.message(2)).data.toString(), 'bob joined');
  bob.ws.send('hi ada');
  assert.equal((await ada.message(3)).data.toString(), 'bob: hi ada');
  assert.equal((await bob.message(2)).data.toString(), 'bob: hi ada');
  assert.equal(await stopExample(chat), 0);
  assert.equal((await ada.closed).code, 1001);
  assert.equal((await bob.closed).code, 1001);
});
