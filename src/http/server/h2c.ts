/**
 * HTTP/2 with prior knowledge (h2c, RFC 9113 §3.3) next to HTTP/1.1 on one cleartext port: the
 * first bytes of each connection decide. h2c is for a server behind a proxy that speaks HTTP/2 to
 * its upstreams; the Upgrade from HTTP/1.1 to h2c (deprecated by RFC 9113 §3.1) is not offered.
 */
import type { Connection } from '../../net/connection.js';
import { concatBytes } from '../../util/bytes.js';
import { type TimerHandle, timerWheel } from '../../util/timer-wheel.js';
import { matchPreface } from '../h2/preface.js';

/**
 * Reads the first bytes of `conn` until they tell an h2c preface (`'h2'`) from anything else
 * (`'http1'`), then puts them back, so the engine that takes the connection reads them again.
 * `'gone'`: the client closed first, or sent nothing for `timeoutMs` (then the connection is
 * closed, as an idle HTTP/1.1 connection would be).
 *
 * @example
 * ```ts
 * const kind = await detectH2c(conn, 5_000);
 * if (kind === 'h2') engine.attach(conn.detach());
 * ```
 */
export async function detectH2c(conn: Connection, timeoutMs: number): Promise<'h2' | 'http1' | 'gone'> {
  const chunks: Uint8Array[] = [];
  const timer: TimerHandle | undefined = timeoutMs > 0 ? timerWheel.after(timeoutMs, () => conn.destroy()) : undefined;
  try {
    for (;;) {
      const chunk = await conn.read();
      if (chunk === null) {
        conn.destroy();
        return 'gone';
      }
      chunks.push(chunk);
      const kind = matchPreface(chunks);
      if (kind === 'more') continue;
      conn.unshift(concatBytes(chunks));
      return kind;
    }
  } catch {
    return 'gone';
  } finally {
    timer?.cancel();
  }
}
