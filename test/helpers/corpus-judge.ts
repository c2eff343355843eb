/**
 * Judging an answer to an llhttp request-corpus case (format: test/fixtures/README.md), shared by
 * the codec run (`codec-requests.test.ts`) and the socket run (`socket-requests.test.ts`). Each run
 * turns what it saw into an {@link Observation}; {@link mismatch} says why it does not satisfy one
 * wire alternative, {@link judgeCase} picks the alternative it satisfies.
 */
import assert from 'node:assert/strict';
import { type CorpusCase, expectedEcho, type WireAlternative } from './request-corpus.js';

/** A served message as the echo contract describes it (body in base64). */
export interface EchoObject {
  method: string;
  target: string;
  version: string;
  headers: [string, string][];
  body: string;
  trailers: [string, string][];
}

/** What a run saw, in terms both runs share. */
export interface Observation {
  /** Messages served, in order (codec: complete messages; socket: the leading 2xx echo answers). */
  accepted: EchoObject[];
  /** The status of the refusal that followed them (codec: the error's status; socket: a 4xx/5xx), if any. */
  refusal: number | undefined;
  /** Messages answered after the refusal (must be none). */
  afterRefusal: number;
  /**
   * `open`: the connection can carry another request; `closed`: it ends here (codec: a closed or
   * failed parser; socket: the server closed); `upgraded`: the bytes after are another protocol.
   */
  ending: 'open' | 'closed' | 'upgraded';
  /** A close without any refusal status counts as a rejection (a socket server may just close). */
  silentRejectOk: boolean;
}

/** Why `obs` does not satisfy `alt`, or undefined when it does. */
export function mismatch(c: CorpusCase, obs: Observation, alt: WireAlternative): string | undefined {
  const n = alt.accepted.length;
  if (obs.accepted.length < n) {
    const refused = obs.refusal === undefined ? '' : `, then ${obs.refusal}`;
    return `expected ${n} messages, got ${obs.accepted.length}${refused}`;
  }
  for (let i = 0; i < n; i++) {
    const expected = alt.accepted[i];
    const got = obs.accepted[i];
    if (expected === undefined || got === undefined) return `message ${i} missing`;
    const want: Partial<EchoObject> = expectedEcho(c, expected);
    if (expected.trailers !== undefined) want.trailers = expected.trailers;
    // Some expectations name only a few fields (an unknown method: only that it was served).
    const keys = Object.keys(expected).filter((k) => k !== 'hostInjected') as (keyof EchoObject)[];
    const compared = Object.fromEntries(keys.map((k) => [k, got[k]]));
    const wanted = Object.fromEntries(keys.map((k) => [k, want[k]]));
    try {
      assert.deepEqual(compared, wanted);
    } catch {
      return `message ${i}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`;
    }
  }
  const extra = obs.accepted.length - n;
  switch (alt.then) {
    case 'open':
      if (obs.refusal !== undefined) return `unexpected refusal ${obs.refusal}`;
      if (extra > 0) return 'more messages than expected';
      return obs.ending === 'open' ? undefined : `${obs.ending}, expected open`;
    case 'close':
      if (extra > 0) return 'a message after a closing one was served';
      if (obs.refusal !== undefined) return `refused with ${obs.refusal}, expected a plain close`;
      return obs.ending === 'closed' ? undefined : `${obs.ending}, expected closed`;
    case 'reject':
      if (extra > 0) return 'a message was accepted before the rejection';
      if (obs.refusal === undefined && !obs.silentRejectOk) return 'no error';
      if (obs.refusal !== undefined && obs.refusal < 400) return `status ${obs.refusal}`;
      if (obs.refusal !== undefined && alt.statuses && !alt.statuses.includes(obs.refusal))
        return `status ${obs.refusal} not in ${alt.statuses}`;
      if (obs.afterRefusal > 0) return `${obs.afterRefusal} answer(s) after the refusal`;
      return obs.ending === 'closed' ? undefined : `${obs.ending} after the rejection, expected closed`;
    case 'any':
      return undefined;
  }
}

/**
 * The index of the first alternative of `alts` that `obs` satisfies, or an assertion failure naming
 * why none does (`label` says which run and split).
 */
export function judge(c: CorpusCase, obs: Observation, alts: readonly WireAlternative[], label: string): number {
  const reasons = alts.map((alt) => mismatch(c, obs, alt));
  const ok = reasons.indexOf(undefined);
  assert.notEqual(ok, -1, `${label}: ${reasons.join(' / ')} :: ${JSON.stringify(c.rawText)}`);
  return ok;
}
