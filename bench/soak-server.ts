/**
 * The demo app of `npm start` (examples/demo) under the soak (`bench/soak.sh`), unchanged, plus one
 * route the demo lacks: `GET /soak/events`, an SSE stream of a tick every 100 ms, so subscribers that
 * come and go are part of the mix, and `/soak/ws`, a WebSocket route (permessage-deflate offered)
 * that echoes each message and subscribes every client to the topic `soak`, published every 100 ms.
 * It samples itself once a second into `SOAK_SAMPLES` (JSON lines:
 * RSS, heap, external memory, active handles, open file descriptors): the demo has no diagnostic
 * endpoint, and the soak adds none to it.
 *
 *   PORT=0 SOAK_SAMPLES=/tmp/samples.jsonl node --expose-gc dist/bench/soak-server.js
 */
import { appendFileSync, readdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDemoApp } from '../examples/demo/app.js';
import { ItemStore } from '../examples/demo/items.js';

const samplesFile = process.env.SOAK_SAMPLES ?? 'soak-samples.jsonl';
const TICK_MS = 100;
/** Most ticks one subscriber gets (a bound on the loop: subscribers normally leave first). */
const MAX_TICKS = 3_000;

const store = new ItemStore();
store.add({ name: 'Read the README', quantity: 1 });
const app = createDemoApp(store);
app.get('/soak/events', (c) =>
  c.sse(async (stream) => {
    for (let i = 0; i < MAX_TICKS && !stream.closed; i++) {
      await stream.send({ data: { i } });
      await sleep(TICK_MS, undefined, { signal: stream.signal }).catch(() => {});
    }
  }),
);
app.ws('/soak/ws', {
  perMessageDeflate: true,
  open(ws) {
    ws.subscribe('soak');
  },
  message(ws, data) {
    ws.sendNow(data);
  },
});
let ticks = 0;
const publisher = setInterval(() => app.publish('soak', `tick ${ticks++}`), TICK_MS);

interface ProcessWithHandles {
  _getActiveHandles(): unknown[];
}

/** Under `--expose-gc` (as soak.sh runs it) a full collection precedes each sample: heap is then live memory, not garbage. */
const collect = (globalThis as { gc?: () => void }).gc;

function sample(): void {
  collect?.();
  const memory = process.memoryUsage();
  const line = {
    t: Date.now(),
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    handles: (process as unknown as ProcessWithHandles)._getActiveHandles().length,
    fds: readdirSync('/proc/self/fd').length,
  };
  appendFileSync(samplesFile, `${JSON.stringify(line)}\n`);
}

writeFileSync(samplesFile, '');
const server = await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
const sampler = setInterval(sample, 1_000);
const stop = (): void => {
  clearInterval(sampler);
  clearInterval(publisher);
  server.close({ timeoutMs: 5_000 }).then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
process.stdout.write(`soak server listening on ${server.url}\n`);
