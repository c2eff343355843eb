import { parseQualities } from '../static/negotiate.js';

/** What `Accept-Encoding` allows: the coding to use (undefined: send it unencoded) and whether identity is refused. */
export interface Negotiated {
  readonly coding: string | undefined;
  /** `identity;q=0` (or `*;q=0` without identity): the client asked us not to send it unencoded. */
  readonly identityRefused: boolean;
}

/**
 * Chooses a content-coding from `Accept-Encoding` (RFC 9110 §12.5.3) among `offered`, which is in
 * the server's order of preference (that order breaks ties of q). `*` stands for every coding the
 * header does not name, `x-gzip` is gzip (§8.4.1.3), q=0 refuses, and identity wins when the client
 * weighs it (by name or through `*`) above every coding we offer; on a tie we compress.
 *
 * No header at all: RFC 9110 allows any coding, but clients that send none are often ones that
 * cannot decode one (scripts, health checks), so we send the content unencoded, as nginx and
 * Fastify do. An empty header means identity only.
 *
 * @example
 * ```ts
 * negotiateEncoding('gzip;q=0.8, br;q=0.8, zstd;q=0.5', ['br', 'zstd', 'gzip']); // { coding: 'br', … }
 * negotiateEncoding('gzip;q=0.5, identity', ['br', 'gzip']); // { coding: undefined, … }
 * ```
 */
export function negotiateEncoding(header: string | null, offered: readonly string[]): Negotiated {
  if (header === null) return { coding: undefined, identityRefused: false };
  const q = parseQualities(header);
  const star = q.get('*');
  const weigh = (coding: string): number | undefined =>
    q.get(coding) ?? (coding === 'gzip' ? q.get('x-gzip') : undefined) ?? star;
  // identity is always acceptable unless excluded by name or by `*;q=0` (§12.5.3); it competes with
  // the codings only when the client weighs it (by name or through `*`), else `gzip;q=0.8` would
  // mean "rather not", which no client means by it.
  const identity = q.get('identity') ?? star;
  let best: string | undefined;
  let bestQ = 0;
  for (const coding of offered) {
    const weight = weigh(coding) ?? 0;
    if (weight > bestQ) {
      best = coding;
      bestQ = weight;
    }
  }
  const wins = best !== undefined && (identity === undefined || bestQ >= identity);
  return { coding: wins ? best : undefined, identityRefused: identity === 0 };
}
