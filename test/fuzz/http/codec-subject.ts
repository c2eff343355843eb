/**
 * Our pure codec as a fuzz subject: `RequestParser` fed the input's pieces, then `finish()` (the
 * client half-closed), its events turned into an {@link Outcome}. A head with an Expect we do not
 * meet is answered 417, as the server answers it.
 */
import type { ProtocolError } from '../../../src/errors.js';
import { type RequestEvent, RequestParser } from '../../../src/http/codec/request-parser.js';
import { pairs } from '../../helpers/http-parse.js';
import type { FuzzInput } from '../core/input.js';
import type { Answer, EchoMessage, Outcome } from './outcome.js';
import { pieces } from './request-inputs.js';

/** The rule a refusal names: the error code and its message with the input's own values left out. */
export function ruleOf(error: ProtocolError): string {
  const message = error.message
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\d+/g, 'N')
    .replace(/(transfer-coding) .*/, '$1 …');
  return `${error.code}: ${message}`;
}

interface Current {
  echo: EchoMessage;
  body: Buffer[];
  keepAlive: boolean;
  upgrade: boolean;
  /** Answered at its head (417): the end adds no answer. */
  answered: boolean;
}

export function codecOutcome(input: FuzzInput): Outcome {
  const parser = new RequestParser();
  const answers: Answer[] = [];
  let current: Current | undefined;
  const take = (events: RequestEvent[], early: boolean): void => {
    for (const event of events) {
      switch (event.type) {
        case 'head':
          current = {
            echo: {
              method: event.method,
              target: event.target,
              version: event.version,
              headers: pairs(event.headers),
              body: '',
              trailers: [],
            },
            body: [],
            keepAlive: event.keepAlive,
            upgrade: event.upgrade,
            answered: event.expect !== undefined,
          };
          if (current.answered) answers.push({ kind: 'status', status: 417 });
          break;
        case 'body':
          current?.body.push(Buffer.from(event.data));
          break;
        case 'trailers':
          if (current) current.echo.trailers = pairs(event.trailers);
          break;
        case 'end':
          if (current && !current.answered) {
            current.echo.body = Buffer.concat(current.body).toString('base64');
            answers.push({
              kind: 'message',
              echo: current.echo,
              keepAlive: current.keepAlive,
              upgrade: current.upgrade,
            });
          }
          current = undefined;
          break;
        case 'error':
          // A request answered at its head (417) has its answer: what its body does changes nothing.
          if (current?.answered) {
            current = undefined;
            break;
          }
          answers.push({
            kind: 'refusal',
            rule: ruleOf(event.error),
            status: event.error.status,
            early,
            afterHead: current !== undefined && !current.answered,
            ...(current === undefined ? {} : { method: current.echo.method }),
          });
          current = undefined;
          break;
      }
    }
  };
  for (const piece of pieces(input.bytes, input.splits)) take(parser.push(piece), true);
  const openAtEof = parser.state === 'head' || parser.state === 'body';
  take(parser.finish(), false);
  return { answers, end: parser.state, openAtEof };
}
