/**
 * "Did you mean …?": the known word nearest to a misspelt one, for a CLI flag (`--prot` →
 * `--port`) and an options key (`idleTimeout` → `idleTimeoutMs`) alike. Imports nothing.
 */

/**
 * Edit distance with adjacent transpositions (optimal string alignment): `prot` → `port` is 1, as a
 * typist sees it, where plain Levenshtein says 2. Gives up (returns `limit + 1`) once every cell of
 * a row passes `limit`: rows never get smaller.
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
 * Case is ignored. Nearest first: the same word but for case; then one edit (insert, delete,
 * replace, swap two neighbours: `prot` → `port`); then a candidate that contains the word (three
 * letters or more), the usual slip being a missing unit or ending (`idleTimeout` → `idleTimeoutMs`,
 * `--down` → `--download`); then more edits, at most one per three letters of the longer word and
 * at least two; last, a
 * candidate the word contains (`portNumber` → `port`), the closest in length, so that a typo in
 * a longer name wins (`--slice-dealy` is `--slice-delay`, not `--slice`). Of equally near
 * candidates, the first.
 *
 * @example
 * ```ts
 * nearest('prot', ['host', 'port', 'cors']); // 'port'
 * nearest('idleTimeout', ['idleTimeoutMs', 'headerTimeoutMs']); // 'idleTimeoutMs'
 * nearest('xyz', ['port']); // undefined
 * ```
 */
export function nearest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const score = closeness(lower, candidate.toLowerCase());
    if (score < bestScore) {
      bestScore = score;
      best = candidate;
    }
  }
  return best;
}

/** A candidate inside the word ranks after any edit distance allowed (lengths are far below this). */
const INSIDE_WORD = 1_000_000;

/** How far `other` is from `word` (lower is nearer), or Infinity when it is not near. */
function closeness(word: string, other: string): number {
  if (other === word) return 0;
  // Between one edit and two: `prot` is `port` with two letters swapped, though `proxyProtocol` contains it.
  if (word.length >= 3 && other.includes(word)) return 1.5;
  const limit = Math.max(2, Math.floor(Math.max(word.length, other.length) / 3));
  const d = distance(word, other, limit);
  if (d <= limit) return d;
  if (word.length >= 3 && word.includes(other)) return INSIDE_WORD + word.length - other.length;
  return Number.POSITIVE_INFINITY;
}
