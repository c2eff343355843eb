/** Content negotiation helpers (RFC 9110 §12.5): q-values of `Accept` and `Accept-Encoding`. */

/** The precompressed encodings we look for, best first, with their file suffixes. */
export const ENCODINGS = [
  { coding: 'br', suffix: '.br' },
  { coding: 'gzip', suffix: '.gz' },
] as const;

/** A content-coding we can serve from a sibling file. */
export type Coding = (typeof ENCODINGS)[number]['coding'];

/**
 * Parses a list of `token;q=value` elements into a map of lower-cased token → q (RFC 9110 §12.4.2);
 * an element without q has q=1, a malformed q makes the element count as q=0.
 *
 * @example
 * ```ts
 * parseQualities('gzip;q=0.5, br'); // Map { 'gzip' => 0.5, 'br' => 1 }
 * ```
 */
export function parseQualities(value: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const element of value.split(',')) {
    const [token = '', ...params] = element.split(';');
    const name = token.trim().toLowerCase();
    if (name === '') continue;
    let q = 1;
    for (const param of params) {
      const [key = '', raw = ''] = param.split('=');
      if (key.trim().toLowerCase() !== 'q') continue;
      q = /^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$/.test(raw.trim()) ? Number(raw.trim()) : 0;
    }
    out.set(name, Math.max(q, out.get(name) ?? 0));
  }
  return out;
}

/**
 * The content-codings an `Accept-Encoding` value allows, best first (ties keep our order: br before
 * gzip). `x-gzip` counts as gzip (RFC 9110 §8.4.1.3); `*` covers codings not named.
 *
 * @example
 * ```ts
 * acceptedCodings('gzip, br;q=0.5'); // ['gzip', 'br']
 * acceptedCodings('identity'); // []
 * ```
 */
export function acceptedCodings(value: string | null): Coding[] {
  if (value === null || value === '') return [];
  const q = parseQualities(value);
  const star = q.get('*') ?? 0;
  const scored = ENCODINGS.map(({ coding }, order) => {
    const own = coding === 'gzip' ? (q.get('gzip') ?? q.get('x-gzip')) : q.get(coding);
    return { coding, order, q: own ?? star };
  });
  return scored
    .filter((s) => s.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order)
    .map((s) => s.coding);
}

/**
 * The q-value `Accept` gives `type`, media ranges `type/*` and `*\/*` included (0 when absent).
 * Used to choose a JSON listing over HTML.
 *
 * @example
 * ```ts
 * acceptQuality('text/html,application/xhtml+xml,*\/*;q=0.8', 'text/html'); // 1
 * ```
 */
export function acceptQuality(accept: string | null, type: string): number {
  if (accept === null || accept.trim() === '') return 0;
  const q = parseQualities(accept);
  const major = type.slice(0, type.indexOf('/'));
  return q.get(type) ?? q.get(`${major}/*`) ?? q.get('*/*') ?? 0;
}

/**
 * Whether `Accept` names `type` itself with q > 0. The SPA fallback asks this: browsers name
 * `text/html` when they load a page, while `fetch()` and API clients send `*\/*`, and those must get
 * a 404 for a missing resource, not the app's HTML.
 *
 * @example
 * ```ts
 * namesType('text/html,*\/*;q=0.8', 'text/html'); // true
 * namesType('*\/*', 'text/html'); // false
 * ```
 */
export function namesType(accept: string | null, type: string): boolean {
  if (accept === null) return false;
  return (parseQualities(accept).get(type) ?? 0) > 0;
}
