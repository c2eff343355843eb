/**
 * wirekit's entry for the client benchmark harness (`client-bench.mjs`, see its header and
 * docs/benchmarks.md): one keep-alive GET per call through a pooled client, body fully consumed,
 * the same work as the harness's `undici-pool` entry.
 *
 *   node $WIREKIT_BENCH/client-bench.mjs --client wirekit=$PWD/dist/bench/client-entry.js
 */
import { Pool } from '../src/client/index.js';

let pool: Pool | undefined;

/** Makes the pool (one connection per concurrent loop) and returns the per-call function. */
export function setup(options: { url: string; concurrency: number }): (url: string) => Promise<void> {
  const target = new URL(options.url);
  const path = `${target.pathname}${target.search}`;
  const current = new Pool(target.origin, { connections: options.concurrency });
  pool = current;
  return async () => {
    const { status, body } = await current.request({ path });
    await body.text();
    if (status !== 200) throw new Error(`status ${status}`);
  };
}

/** Closes the pool after the run. */
export async function close(): Promise<void> {
  await pool?.close();
}
