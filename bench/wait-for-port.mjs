// Waits until something accepts connections on 127.0.0.1:PORT, polling every 100 ms, at most
// `tries` times; resolves whether it did (the WebSocket benchmarks start servers with it).
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export async function waitForPort(port, tries = 150) {
  for (let t = 0; t < tries; t++) {
    const up = await new Promise((r) =>
      net
        .connect(port, '127.0.0.1')
        .on('connect', function () {
          this.destroy();
          r(true);
        })
        .on('error', () => r(false)),
    );
    if (up) return true;
    await sleep(100);
  }
  return false;
}
