/**
 * The HTTP request differential: every input goes to our codec in-process, to our server over a
 * socket, and to llhttp behind `node:http` over a socket; each of ours is compared with llhttp
 * (`compareOutcomes`), and the codec with itself fed whole and split (an outcome must not depend on
 * how the bytes are cut into reads).
 */
import { ServerSockets } from '../../helpers/server-sockets.js';
import type { Finding } from '../core/buckets.js';
import type { Differential } from '../core/campaign.js';
import type { FuzzInput } from '../core/input.js';
import { afterEachLf } from '../core/minimise.js';
import type { Prng } from '../core/prng.js';
import { codecOutcome } from './codec-subject.js';
import { NodeSubject } from './node-subject.js';
import { type Answer, compareOutcomes, methodAt, type Outcome } from './outcome.js';
import { RequestInputs } from './request-inputs.js';
import { ServerSubject } from './server-subject.js';

/**
 * What the wire cannot tell about our server's answers, from the codec's verdict on the same
 * request: a refusal's rule and head verdict, and whether a parsed request was an upgrade.
 */
function withCodecRules(server: Outcome, codec: Outcome): Outcome {
  const answers = server.answers.map((a, i): Answer => {
    const c = codec.answers[i];
    if (a.kind === 'refusal' && c?.kind === 'refusal') return { ...a, rule: c.rule, afterHead: c.afterHead };
    if (a.kind === 'message' && c?.kind === 'message') return { ...a, upgrade: c.upgrade };
    return a;
  });
  return { ...server, answers };
}

export class RequestDifferential implements Differential {
  readonly name = 'http-request';
  readonly #inputs = new RequestInputs();
  readonly #sockets: ServerSockets;
  readonly #server: ServerSubject;
  readonly #node: NodeSubject;

  private constructor(sockets: ServerSockets, server: ServerSubject, node: NodeSubject) {
    this.#sockets = sockets;
    this.#server = server;
    this.#node = node;
  }

  /** Starts both servers on 127.0.0.1 (port 0). */
  static async start(): Promise<RequestDifferential> {
    const sockets = new ServerSockets();
    const [server, node] = await Promise.all([ServerSubject.start(sockets), NodeSubject.start(sockets)]);
    return new RequestDifferential(sockets, server, node);
  }

  generate(rng: Prng): FuzzInput {
    return this.#inputs.generate(rng);
  }

  boundaries(bytes: Buffer): number[] {
    return afterEachLf(bytes);
  }

  async judge(input: FuzzInput): Promise<Finding[]> {
    return (await this.explain(input)).findings;
  }

  /** Every subject's outcome for `input`, and the findings (to reproduce one input by hand). */
  async explain(input: FuzzInput): Promise<{ codec: Outcome; server: Outcome; llhttp: Outcome; findings: Finding[] }> {
    const codec = codecOutcome(input);
    const headAt = (i: number): boolean => methodAt(codec, i) === 'HEAD';
    const [server, llhttp] = await Promise.all([this.#server.run(input, headAt), this.#node.run(input)]);
    const findings = compareOutcomes('codec', codec, llhttp);
    if (input.splits.length > 0) {
      const whole = codecOutcome({ ...input, splits: [] });
      if (JSON.stringify(whole) !== JSON.stringify(codec)) {
        findings.push({
          signature: 'codec|split-dependent|-',
          detail: `whole: ${JSON.stringify(whole.answers).slice(0, 200)}; split: ${JSON.stringify(codec.answers).slice(0, 200)}`,
        });
      }
    }
    findings.push(...compareOutcomes('server', withCodecRules(server, codec), llhttp));
    return { codec, server, llhttp, findings };
  }

  async close(): Promise<void> {
    await Promise.all([this.#server.close(), this.#node.close()]);
    this.#sockets.dispose();
  }
}
