/** The llhttp request corpus (test/fixtures/llhttp-requests.json) and how to judge an answer against it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export interface ExpectedMessage {
  hostInjected?: boolean;
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  body: string;
  trailers?: [string, string][];
}

export interface WireAlternative {
  accepted: ExpectedMessage[];
  then: 'open' | 'close' | 'reject' | 'any';
  statuses?: number[];
  tolerated?: string;
}

export interface CorpusCase {
  id: string;
  status: 'active' | 'skipped';
  raw: string;
  rawText: string;
  hostInjected: { raw: string; header: [string, string] } | null;
  override: string | null;
  wire: {
    accepted: ExpectedMessage[] | null;
    then: WireAlternative['then'] | null;
    alternatives: WireAlternative[] | null;
    halfClose: boolean;
  };
  notes: string[];
}

/** The active cases of the corpus; with `all`, the skipped ones (lenient-flag tests) too. */
export function loadRequestCorpus(options: { all?: boolean } = {}): CorpusCase[] {
  const file = join(REPO_ROOT, 'test/fixtures/llhttp-requests.json');
  const cases = (JSON.parse(readFileSync(file, 'utf8')) as { cases: CorpusCase[] }).cases;
  return options.all ? cases : cases.filter((c) => c.status === 'active');
}

/** The bytes a case is run with: the Host-injected variant where there is one (RFC 9112 §3.2 needs Host). */
export function caseBytes(c: CorpusCase): Buffer {
  return Buffer.from(c.hostInjected?.raw ?? c.raw, 'base64');
}

/** Every acceptable outcome of a case, the preferred first. */
export function alternatives(c: CorpusCase): WireAlternative[] {
  if (c.wire.alternatives) return c.wire.alternatives;
  // biome-ignore lint/suspicious/noThenProperty: the corpus format names this field `then`; it is data, not a thenable.
  return [{ accepted: c.wire.accepted ?? [], then: c.wire.then ?? 'any' }];
}

/** The echo object a message must produce: with the injected Host first when the injected bytes were used. */
export function expectedEcho(
  c: CorpusCase,
  m: ExpectedMessage,
): { method: string; target: string; version: string; headers: [string, string][]; body: string } {
  const headers = m.hostInjected && c.hostInjected ? [c.hostInjected.header, ...m.headers] : m.headers;
  return { method: m.method, target: m.target, version: m.version, headers, body: m.body };
}
