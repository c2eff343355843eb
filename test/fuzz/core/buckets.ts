/**
 * Buckets of fuzz disagreements: every finding has a signature (which subject, which direction,
 * which rule); a bucket keeps the count, the first input that showed it and, once minimised, the
 * smallest reproducer. The allow-list (`test/fuzz/known-buckets.json`) classifies each known bucket
 * as a deliberate stricter rule (named in docs/conformance.md), a benign difference, or an open bug.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import type { FuzzInput } from './input.js';

/** One disagreement between two implementations on one input. */
export interface Finding {
  /** `subject|kind|rule`: stable across runs, so it can be allow-listed. */
  signature: string;
  /** What each side did, for the report. */
  detail: string;
}

export interface Bucket {
  signature: string;
  count: number;
  /** Index of the first input of the run that showed it (reproduce with the same seed). */
  firstIndex: number;
  /** That input. */
  input: FuzzInput;
  detail: string;
  /** The minimised reproducer, once minimised. */
  reproducer?: FuzzInput;
}

export type BucketClass = 'stricter' | 'benign' | 'bug';

export interface KnownBucket {
  /** A signature, or a pattern: `*` for a whole `|`-separated part matches anything (`*|late-refusal-by-llhttp|*`). */
  signature: string;
  class: BucketClass;
  /** The docs/conformance.md rule (stricter, benign) or the open bug it is (bug). */
  note: string;
  /** A minimal input that shows it, as a JS string literal body (latin1). */
  reproducer?: string;
}

export interface KnownBuckets {
  description: string;
  buckets: KnownBucket[];
}

/** Every bucket of one run, by signature. */
export class BucketSet {
  readonly #buckets = new Map<string, Bucket>();

  /** Records `finding` for input `index` (inputs may arrive out of order: the lowest index wins). */
  add(finding: Finding, index: number, input: FuzzInput): void {
    const bucket = this.#buckets.get(finding.signature);
    if (bucket === undefined) {
      this.#buckets.set(finding.signature, {
        signature: finding.signature,
        count: 1,
        firstIndex: index,
        input,
        detail: finding.detail,
      });
      return;
    }
    bucket.count++;
    if (index < bucket.firstIndex) Object.assign(bucket, { firstIndex: index, input, detail: finding.detail });
  }

  /** Buckets in signature order (a stable report). */
  list(): Bucket[] {
    return [...this.#buckets.values()].sort((a, b) => (a.signature < b.signature ? -1 : 1));
  }

  get size(): number {
    return this.#buckets.size;
  }
}

export function loadKnown(path: string): KnownBuckets {
  return JSON.parse(readFileSync(path, 'utf8')) as KnownBuckets;
}

/** Whether `signature` is what the allow-list `pattern` names (parts compared one by one; `*` matches any part). */
export function matches(pattern: string, signature: string): boolean {
  const want = pattern.split('|');
  const got = signature.split('|');
  return want.length === got.length && want.every((part, i) => part === '*' || part === got[i]);
}

/** The allow-list entry that names `signature`, if any (the first that matches). */
export function knownEntry(known: readonly KnownBucket[], signature: string): KnownBucket | undefined {
  return known.find((k) => matches(k.signature, signature));
}

/**
 * Writes the allow-list back with only the entries that name a bucket `seen` in a run (after fixes
 * land, buckets that no longer show drop out), in their order; returns the dropped ones.
 */
export function pruneKnown(path: string, known: KnownBuckets, seen: ReadonlySet<string>): KnownBucket[] {
  const used = (k: KnownBucket): boolean => [...seen].some((s) => matches(k.signature, s));
  const dropped = known.buckets.filter((k) => !used(k));
  const kept = known.buckets.filter(used);
  writeFileSync(path, `${JSON.stringify({ ...known, buckets: kept }, null, 2)}\n`);
  return dropped;
}

/** Bytes as a readable JS string literal (latin1; control and non-ASCII bytes escaped). */
export function literal(bytes: Buffer, max = 400): string {
  let out = '';
  for (const byte of bytes.subarray(0, max)) {
    if (byte === 0x0d) out += '\\r';
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x09) out += '\\t';
    else if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x22) out += '\\"';
    else if (byte < 0x20 || byte >= 0x7f) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return bytes.length > max ? `${out}…(${bytes.length} bytes)` : out;
}

/** The inverse of {@link literal} (for reproducers kept in the allow-list). */
export function fromLiteral(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch !== '\\') {
      bytes.push(ch.charCodeAt(0) & 0xff);
      continue;
    }
    const next = text[++i];
    if (next === 'r') bytes.push(0x0d);
    else if (next === 'n') bytes.push(0x0a);
    else if (next === 't') bytes.push(0x09);
    else if (next === 'x') {
      bytes.push(Number.parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push((next as string).charCodeAt(0));
  }
  return Buffer.from(bytes);
}

/** The report: one row per bucket, with its class from the allow-list (or NEW) and its reproducer. */
export function formatTable(buckets: readonly Bucket[], known: readonly KnownBucket[]): string {
  const rows = buckets.map((b) => {
    const k = knownEntry(known, b.signature);
    const input = b.reproducer ?? b.input;
    const context = input.context === undefined ? '' : `${input.context}: `;
    const splits = input.splits.length ? ` split@${input.splits.join(',')}` : '';
    const repro = `${context}\`"${literal(input.bytes).replace(/\|/g, '\\|')}"\`${splits}`;
    const cls = k ? k.class : 'NEW';
    return `| \`${b.signature.replace(/\|/g, '\\|')}\` | ${b.count} | ${cls} | ${repro} | ${b.detail.replace(/\|/g, '\\|')} |`;
  });
  return ['| signature | count | class | reproducer | what differs |', '|---|---:|---|---|---|', ...rows].join('\n');
}
