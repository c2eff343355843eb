/** The llhttp response corpus (test/fixtures/llhttp-responses.json) and the outcome llhttp gives each case. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './paths.js';

export type Verdict = 'accept' | 'accept-on-close' | 'incomplete' | 'reject' | 'upgrade';

interface CorpusMessage {
  version: string | null;
  status: number | null;
  reason: string | null;
  headers: [string, string][];
  trailers?: [string, string][];
  body: string;
  complete: boolean;
  framing: string | null;
  keepAlive: boolean | null;
}

export interface ResponseCase {
  id: string;
  status: 'active' | 'skipped';
  raw: string;
  rawText: string;
  request: { count: number; method: string | null };
  llhttp: { verdict: Verdict; error: { code: number; reason: string; off: number } | null; messages: CorpusMessage[] };
}

/** A response head the parser must produce, and what it must hold when the input is cut where the case ends. */
export interface ExpectedResponse {
  version: string;
  status: number;
  reason: string | null;
  headers: [string, string][];
  trailers?: [string, string][];
  /** latin1 */
  body: string;
  /** Complete with the input still open (a close-delimited body completes only at `finish`). */
  complete: boolean;
  framing: string;
  /** null: not compared. */
  keepAlive: boolean | null;
}

/** What a case must come to. */
export interface Outcome {
  verdict: Verdict;
  messages: ExpectedResponse[];
  /** For `upgrade`, and for a reject on unsolicited bytes: where the held bytes start. */
  heldFrom?: number;
}

export function loadResponseCorpus(): ResponseCase[] {
  const file = join(REPO_ROOT, 'test/fixtures/llhttp-responses.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { cases: ResponseCase[] }).cases.filter(
    (c) => c.status === 'active',
  );
}

/** The methods of the requests the bytes answer, in order (README: `request.count`, `request.method`). */
export function requestMethods(c: ResponseCase): string[] {
  return Array.from({ length: c.request.count }, () => c.request.method ?? 'GET');
}

/** The case's bytes. */
export function responseBytes(c: ResponseCase): Buffer {
  return Buffer.from(c.raw, 'base64');
}

/** llhttp's spans keep trailing OWS (README); ours are trimmed. */
function trimmed(fields: [string, string][]): [string, string][] {
  return fields.map(([name, value]) => [name, value.replace(/[ \t]+$/, '')]);
}

/** The outcome llhttp gives a case: the responses whose status line it finished, and its verdict. */
export function llhttpOutcome(c: ResponseCase): Outcome {
  const messages = c.llhttp.messages
    .filter((m) => m.status !== null)
    .map((m): ExpectedResponse => {
      const expected: ExpectedResponse = {
        version: m.version as string,
        status: m.status as number,
        reason: m.reason,
        headers: trimmed(m.headers),
        body: Buffer.from(m.body, 'base64').toString('latin1'),
        complete: m.complete,
        framing: m.framing === 'content-length' ? 'length' : (m.framing as string),
        keepAlive: m.keepAlive,
      };
      if (m.trailers) expected.trailers = trimmed(m.trailers);
      return expected;
    });
  const outcome: Outcome = { verdict: c.llhttp.verdict, messages };
  // llhttp code 22 (the upgrade pause) reports the first byte of the new protocol; code 5 (data
  // after a `Connection: close` response) the byte after the first one it refused.
  const error = c.llhttp.error;
  if (error?.code === 22) outcome.heldFrom = error.off;
  if (error?.code === 5) outcome.heldFrom = error.off - 1;
  return outcome;
}
