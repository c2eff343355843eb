/**
 * What one implementation made of one request stream, in terms every subject shares (our codec,
 * our server over a socket, llhttp behind `node:http`), and the comparison that turns two outcomes
 * into at most one finding: the first request where they part ways, bucketed by direction and rule.
 */
import type { EchoObject } from '../../helpers/corpus-judge.js';
import type { Finding } from '../core/buckets.js';

/** A request as the echo contract reports it (docs/architecture.md, Apps that outside tools start), body in base64. */
export type EchoMessage = EchoObject;

export type Answer =
  /** The request was parsed. `keepAlive`/`upgrade` are undefined where the subject cannot tell. */
  | { kind: 'message'; echo: EchoMessage; keepAlive: boolean | undefined; upgrade: boolean | undefined }
  /**
   * The request was refused: `rule` names why, `early` says whether before the input ended,
   * `afterHead` whether its head had been accepted (for llhttp: announced by Node), if known.
   */
  | {
      kind: 'refusal';
      rule: string;
      status: number | undefined;
      early: boolean;
      afterHead: boolean | undefined;
      /** The method of the refused request, when its head was parsed (our codec). */
      method?: string;
    }
  /** A status that is a server's policy, not a parse verdict: 417 to an Expect it does not meet. */
  | { kind: 'status'; status: number; method?: string };

export interface Outcome {
  /** One per request, in order. */
  answers: Answer[];
  /** Why the answers stop where they do (`closed`, `eof`, the parser state…). */
  end: string;
  /** The subject still waited for more input when the input ended (it had neither answered a refusal nor closed). */
  openAtEof: boolean;
  /** The subject failed to finish (did not close after the input ended). */
  hung?: boolean;
  /** The subject answered with something that is not a response at all. */
  garbled?: string;
}

/** Who "us" is in a finding: the pure codec or the server over a socket. */
export type OurSubject = 'codec' | 'server';

const FIELDS = ['method', 'target', 'version', 'headers', 'body', 'trailers'] as const;

function show(answer: Answer | undefined): string {
  if (answer === undefined) return 'nothing';
  switch (answer.kind) {
    case 'message': {
      const e = answer.echo;
      const body = Buffer.from(e.body, 'base64').toString('latin1');
      return `${JSON.stringify(e.method)} ${JSON.stringify(e.target)} ${e.version} ${JSON.stringify(e.headers)} body=${JSON.stringify(body.slice(0, 60))}${e.trailers.length ? ` trailers=${JSON.stringify(e.trailers)}` : ''}`;
    }
    case 'refusal':
      return `refused ${answer.status ?? ''} (${answer.rule}, ${answer.early ? 'at once' : 'at EOF'})`;
    case 'status':
      return `status ${answer.status}`;
  }
}

function finding(
  subject: OurSubject,
  kind: string,
  rule: string,
  i: number,
  ours: Answer | undefined,
  theirs: Answer | undefined,
): Finding {
  return {
    signature: `${subject}|${kind}|${rule}`,
    detail: `request ${i + 1}: ${subject}: ${show(ours)}; llhttp: ${show(theirs)}`,
  };
}

/** The first field in which two parsed requests differ, or undefined. */
function differingField(a: Answer & { kind: 'message' }, b: Answer & { kind: 'message' }): string | undefined {
  // After an upgrade head, the bytes are the new protocol's: llhttp hands them over as they are.
  const fields = a.upgrade || b.upgrade ? FIELDS.slice(0, 4) : FIELDS;
  for (const key of fields) {
    if (JSON.stringify(a.echo[key]) !== JSON.stringify(b.echo[key])) return key;
  }
  if (a.keepAlive !== undefined && b.keepAlive !== undefined && a.keepAlive !== b.keepAlive) return 'keep-alive';
  if (a.upgrade !== undefined && b.upgrade !== undefined && a.upgrade !== b.upgrade) return 'upgrade';
  return undefined;
}

/**
 * The first disagreement between our outcome and llhttp's, request by request. Answers after an
 * upgrade or CONNECT (either side) are another protocol's bytes and are not compared.
 */
export function compareOutcomes(subject: OurSubject, ours: Outcome, theirs: Outcome): Finding[] {
  const out: Finding[] = [];
  if (ours.garbled !== undefined) out.push({ signature: `${subject}|garbled-response|-`, detail: ours.garbled });
  if (ours.hung) out.push({ signature: `${subject}|hang|-`, detail: 'did not close after the client half-closed' });
  const n = Math.max(ours.answers.length, theirs.answers.length);
  for (let i = 0; i < n; i++) {
    const a = ours.answers[i];
    const b = theirs.answers[i];
    const f = (kind: string, rule: string): Finding[] => [...out, finding(subject, kind, rule, i, a, b)];
    if (a === undefined) {
      // We closed without a word where llhttp refused: the same verdict, unless we only got there
      // because the input ended (the server would have waited for its head timeout).
      if (b?.kind === 'refusal') return b.early && ours.openAtEof ? f('late-refusal-by-us', b.rule) : out;
      // We stopped (the connection closed, or the rest was not a request) where llhttp went on.
      return f('stopped-only-by-us', `${ours.end} / llhttp ${b?.kind}`);
    }
    if (b === undefined)
      return a.kind === 'refusal' ? out : f('stopped-only-by-llhttp', `${theirs.end} / us ${a.kind}`);
    if (a.kind === 'refusal' && b.kind === 'refusal') {
      if (a.early === b.early) return out;
      return a.early ? f('late-refusal-by-llhttp', a.rule) : f('late-refusal-by-us', b.rule);
    }
    // llhttp took the head for an upgrade and handed the body over as the new protocol's bytes:
    // a refusal of ours inside that body is not comparable.
    if (a.kind === 'refusal' && b.kind === 'message' && b.upgrade && a.afterHead) return out;
    // Our 417 answers a head we accepted and leaves its body unread: against llhttp's refusal of
    // that body (Node met the expectation and read on) the two differ in policy, not in parsing.
    if (a.kind === 'status' && b.kind === 'refusal' && b.afterHead)
      return f('status', `us ${a.status} / llhttp refusal`);
    // A 417 of llhttp's answers a head it accepted: against our refusal it counts as accepted.
    if (a.kind === 'refusal') return f('refused-only-by-us', a.rule);
    if (b.kind === 'refusal') {
      // llhttp reads PRI as the start of the HTTP/2 preface, whatever follows: one rule, however it ends.
      const pri = a.kind === 'message' && a.echo.method === 'PRI';
      return f('accepted-only-by-us', pri ? 'PRI (llhttp: the HTTP/2 preface)' : b.rule);
    }
    // Which expectations to meet (417 or not) is policy, not parsing.
    if (a.kind === 'status' || b.kind === 'status') {
      if (a.kind === 'status' && b.kind === 'status' && a.status === b.status) continue;
      return f(
        'status',
        `us ${a.kind === 'status' ? a.status : a.kind} / llhttp ${b.kind === 'status' ? b.status : b.kind}`,
      );
    }
    const differs = differingField(a, b);
    if (differs !== undefined) return f('different-meaning', differs);
    if (a.upgrade || b.upgrade) return out;
  }
  return out;
}

/** The method of request `index` as `outcome` parsed it (a refused request's too, when its head was parsed). */
export function methodAt(outcome: Outcome, index: number): string | undefined {
  const answer = outcome.answers[index];
  if (answer?.kind === 'message') return answer.echo.method;
  return answer?.method;
}
