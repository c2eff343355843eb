/**
 * Chromium's `WebSocket` against wirekit's server (an `app.ws` route): permessage-deflate offered
 * by the browser, negotiated and used both ways, text and binary echoes, and close codes both
 * ways (the page closing, the server closing).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { AppServer } from '../../src/index.js';
import { App } from '../../src/web/index.js';
import type { WebSocketConnection } from '../../src/ws/connection.js';
import { launchChromium } from '../helpers/browser.js';
import { eventually } from '../helpers/wait.js';

let browser: Browser;
let server: AppServer;
const sockets: WebSocketConnection[] = [];
const closes: { code: number; reason: string }[] = [];

before(async () => {
  const app = new App();
  app.get('/', (c) => c.html('<!doctype html><title>ws</title><p>ws interop</p>'));
  app.ws('/echo', {
    perMessageDeflate: { thresholdBytes: 0 },
    open: (ws) => {
      sockets.push(ws as WebSocketConnection);
    },
    message: (ws, data) => void ws.send(data),
    close: (_ws, code, reason) => {
      closes.push({ code, reason });
    },
  });
  server = await app.listen({ port: 0 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close({ timeoutMs: 2000 });
});

async function openPage(): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${server.url}/`);
  return page;
}

test('Chromium: permessage-deflate negotiated and used both ways, text and binary echoes, the page closes with 4000', async () => {
  const page = await openPage();
  try {
    const before = sockets.length;
    const text = 'chromium, compressed '.repeat(500);
    const result = await page.evaluate(
      ({ url, text }) =>
        new Promise<{ extensions: string; echoes: string[]; close: string }>((resolve, reject) => {
          const ws = new WebSocket(url);
          ws.binaryType = 'arraybuffer';
          const echoes: string[] = [];
          ws.onerror = () => reject(new Error('WebSocket error'));
          ws.onopen = () => {
            ws.send(text);
            ws.send(new Uint8Array([1, 2, 3, 250]));
          };
          ws.onmessage = (event) => {
            echoes.push(typeof event.data === 'string' ? event.data : Array.from(new Uint8Array(event.data)).join(','));
            if (echoes.length === 2) ws.close(4000, 'page done');
          };
          ws.onclose = (event) =>
            resolve({ extensions: ws.extensions, echoes, close: `${event.code}:${event.reason}:${event.wasClean}` });
        }),
      { url: `${server.url.replace('http', 'ws')}/echo`, text },
    );
    assert.match(result.extensions, /^permessage-deflate/);
    assert.deepEqual(result.echoes, [text, '1,2,3,250']);
    assert.equal(result.close, '4000:page done:true');
    const ws = sockets[before];
    assert.ok(ws !== undefined);
    assert.ok(ws.bytesReceived < text.length / 4, `Chromium compressed: ${ws.bytesReceived} bytes received`);
    assert.ok(ws.bytesSent < text.length / 4, `we compressed: ${ws.bytesSent} bytes sent`);
    await eventually(() => closes.length > 0, 'the server saw the close');
    assert.deepEqual(closes.at(-1), { code: 4000, reason: 'page done' });
  } finally {
    await page.close();
  }
});

test('Chromium sees the close code and reason the server sends', async () => {
  const page = await openPage();
  try {
    const before = sockets.length;
    await page.evaluate(
      (url) => {
        const ws = new WebSocket(url);
        (globalThis as unknown as { wsClosed: Promise<string> }).wsClosed = new Promise((resolve) => {
          ws.onclose = (event) => resolve(`${event.code}:${event.reason}:${event.wasClean}`);
        });
      },
      `${server.url.replace('http', 'ws')}/echo`,
    );
    await eventually(() => sockets.length > before, 'the server end');
    sockets[before]?.close(4321, 'server done');
    const closed = await page.evaluate(() => (globalThis as unknown as { wsClosed: Promise<string> }).wsClosed);
    assert.equal(closed, '4321:server done:true');
  } finally {
    await page.close();
  }
});
