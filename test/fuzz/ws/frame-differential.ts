/**
 * The WebSocket frame differential: every input goes to our receiver (fed whole and as cut into
 * reads: an outcome must not depend on the cut) and to the `ws` package's Receiver, and the two
 * outcomes are compared (`compareWs`): the events delivered (messages with their bytes and kind,
 * pings, pongs), then how each ended (waiting, a close frame's code and reason, or a failure's
 * close code).
 */
import type { Finding } from '../core/buckets.js';
import type { Differential } from '../core/campaign.js';
import type { FuzzInput } from '../core/input.js';
import type { Prng } from '../core/prng.js';
import { FrameInputs } from './frame-inputs.js';
import { frameStarts, parseContext, settingsContext } from './frame-model.js';
import { ourOutcome, type WsEnd, type WsOutcome, wsOutcome } from './subjects.js';

function show(end: WsEnd): string {
  if (end.kind === 'open') return 'waiting';
  if (end.kind === 'close') return `close ${end.code} ${JSON.stringify(end.reason.slice(0, 40))}`;
  return `fail ${end.code} (${end.rule})`;
}

const kindOf = (event: string | undefined): string =>
  event === undefined ? 'nothing' : (event.split(':')[0] as string);

const ruleOf = (end: WsEnd): string => (end.kind === 'fail' ? end.rule : '-');

/**
 * The disagreement between our outcome and `ws`'s, if any, as one finding `settings|kind|ours|ws`
 * (`ours`: our failure's rule, `ws`: `ws`'s error code, `-` where that side did not fail):
 * `refused-only-by-us`, `accepted-only-by-us`, `fail-code` (both failed after the same events,
 * with different close codes), `earlier-failure-by-us` / `-by-ws` (one failed before delivering
 * events the other delivered first), `different-close` (both read a close frame),
 * `different-events` (rule: the kinds of the first events that differ), `different-end`.
 */
export function compareWs(role: string, ours: WsOutcome, theirs: WsOutcome): Finding[] {
  const detail = `us: ${ours.events.length} events, ${show(ours.end)}; ws: ${theirs.events.length} events, ${show(theirs.end)}`;
  const a = ours.end;
  const b = theirs.end;
  const finding = (kind: string, rules = `${ruleOf(a)}|${ruleOf(b)}`): Finding[] => [
    { signature: `${role}|${kind}|${rules}`, detail },
  ];
  const n = Math.min(ours.events.length, theirs.events.length);
  let i = 0;
  while (i < n && ours.events[i] === theirs.events[i]) i++;
  const sameEvents = i === ours.events.length && i === theirs.events.length;
  const differing = `${kindOf(ours.events[i])}|${kindOf(theirs.events[i])}`;
  if (a.kind === 'fail' && b.kind === 'fail') {
    if (sameEvents) return a.code === b.code ? [] : finding('fail-code');
    // One failed before delivering events the other delivered first.
    if (i === ours.events.length) return finding('earlier-failure-by-us');
    if (i === theirs.events.length) return finding('earlier-failure-by-ws');
    return finding('different-events', differing);
  }
  if (a.kind === 'fail') return finding('refused-only-by-us');
  if (b.kind === 'fail') return finding('accepted-only-by-us');
  if (!sameEvents) return finding('different-events', differing);
  if (a.kind !== b.kind) return finding('different-end', `${a.kind}|${b.kind}`);
  if (a.kind === 'close' && b.kind === 'close' && (a.code !== b.code || a.reason !== b.reason))
    return finding('different-close', a.code !== b.code ? 'code|-' : 'reason|-');
  return [];
}

export class FrameDifferential implements Differential {
  readonly name = 'ws-frames';
  readonly #inputs = new FrameInputs();

  generate(rng: Prng): FuzzInput {
    return this.#inputs.generate(rng);
  }

  boundaries(bytes: Buffer): number[] {
    return frameStarts(bytes);
  }

  async judge(input: FuzzInput): Promise<Finding[]> {
    return (await this.explain(input)).findings;
  }

  /** Both outcomes for `input`, and the findings (to reproduce one input by hand). */
  async explain(input: FuzzInput): Promise<{ ours: WsOutcome; ws: WsOutcome; findings: Finding[] }> {
    const role = settingsContext(parseContext(input.context));
    const ours = ourOutcome(input);
    const ws = await wsOutcome(input);
    const findings = compareWs(role, ours, ws);
    if (input.splits.length > 0) {
      const whole = ourOutcome({ ...input, splits: [] });
      if (JSON.stringify(whole) !== JSON.stringify(ours)) {
        findings.push({
          signature: `${role}|split-dependent|-|-`,
          detail: `whole: ${show(whole.end)}; split: ${show(ours.end)}`,
        });
      }
    }
    return { ours, ws, findings };
  }
}

/** An allow-list reproducer `server+deflate: \x81…` as its context and its literal (context `server` when none is given). */
export function splitReproducer(reproducer: string): [context: string, literal: string] {
  const match = /^(server|client)(\+deflate)?: /.exec(reproducer);
  return match === null ? ['server', reproducer] : [match[0].slice(0, -2), reproducer.slice(match[0].length)];
}
