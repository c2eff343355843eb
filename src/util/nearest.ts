/**
 * "Did you mean …?": the known word nearest to a misspelt one (a CLI flag, an option key). Imports
 * nothing.
 */

/**
 * Edit distance with adjacent transpositions (optimal string alignment): `prot` → `port` is 1, as a
 * typist sees it, where plain Levenshtein says 2. Stops early once every cell passes `limit`.
 */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let before: number[] = [];
  let previous: number[] = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let cell = Math.min((previous[j] as number) + 1, (row[j - 1] as number) + 1, (previous[j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        cell = Math.min(cell, (before[j - 2] as number) + 1);
      }
      row.push(cell);
      best = Math.min(best, cell);
    }
    if (best > limit) return limit + 1;
    before = previous;
    previous = row;
  }
  return previous[b.length] as number;
}

/**
 * The candidate nearest to `word`, or undefined when none is near enough to be what was meant.
 * Case is ignored. Near enough: at most one edit (insert, delete, replace, swap two neighbours) per
 * three letters of `word`, and at least one; failing that, the only candidate that starts with
 * `word` (three letters or more: `--down` → `--download`). Of equally near candidates, the first.
 *
 * @example
 * ```ts
 * nearest('prot', ['host', 'port', 'cors']); // 'port'
 * nearest('maxBodyByte', ['maxBodyBytes', 'headerTimeoutMs']); // 'maxBodyBytes'
 * nearest('xyz', ['port']); // undefined
 * ```
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const limit = Math.max(1, Math.floor(lower.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  const prefixed: string[] = [];
  for (const candidate of candidates) {
    const other = candidate.toLowerCase();
    const d = distance(lower, other, Math.min(limit, bestDistance));
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
    if (lower.length >= 3 && other.startsWith(lower)) prefixed.push(candidate);
  }
  if (best !== undefined) return best;
  return prefixed.length === 1 ? prefixed[0] : undefined;
}
