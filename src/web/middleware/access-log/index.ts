import diagnostics from 'node:diagnostics_channel';
import { isBodylessStatus } from '../../../http/codec/status.js';
import { isStreamed, knownSize, observeBody, withBody } from '../../../http/message/response-content.js';
import { func, OptionsSchema } from '../../../util/options.js';
import { clientIp } from '../../client-ip.js';
import type { Middleware } from '../../compose.js';
import { type Context, configuredLogger } from '../../context.js';
import { errorStatus } from '../../error-response.js';
import { ACCESS_CHANNEL, type AccessEvent } from './event.js';

export { ACCESS_CHANNEL, type AccessEvent } from './event.js';
export { formatAccessLine } from './format.js';

/** Options of {@link accessLog}. */
export interface AccessLogOptions<V extends object = Record<string, unknown>> {
  /** Requests not to report (health checks, …). */
  skip?: (c: Context<V>) => boolean;
}

const channel = diagnostics.channel(ACCESS_CHANNEL);

const ACCESS_LOG_OPTIONS = new OptionsSchema<AccessLogOptions>('accessLog()', { skip: func() });

/**
 * An access log: one {@link AccessEvent} per request on the `node:diagnostics_channel` channel
 * `wirekit:web.access`, for whoever subscribes (the CLI, a metrics exporter, a test), and, when the
 * App has a `logger`, one `request completed` line per request through `c.log` (with `reqId`,
 * method, path, status, bytes, durationMs, remoteAddress). Costs nothing while nobody listens and
 * no logger is set. Register it first, so
 * it times the whole onion and sees the final status; errors thrown through it are reported with
 * the status the default error mapping gives them.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * app.use(accessLog());
 * diagnostics.subscribe('wirekit:web.access', (e) => console.log(formatAccessLine(e as AccessEvent)));
 * ```
 */
export function accessLog<V extends object = Record<string, unknown>>(
  options: AccessLogOptions<V> = {},
): Middleware<V> {
  ACCESS_LOG_OPTIONS.check(options as AccessLogOptions);
  const skip = options.skip;
  return async (c, next) => {
    if ((!channel.hasSubscribers && configuredLogger(c) === undefined) || skip?.(c) === true) return next();
    const time = Date.now();
    const start = performance.now();
    try {
      await next();
    } catch (error) {
      publish(c, time, start, errorStatus(error), undefined);
      throw error;
    }
    const res = c.res;
    if (res === undefined) return publish(c, time, start, 500, undefined);
    const bodiless = c.req.method === 'HEAD' || isBodylessStatus(res.status);
    const content = res.peekContent();
    if (bodiless || !isStreamed(content)) return publish(c, time, start, res.status, bodiless ? 0 : knownSize(content));
    // A stream is logged when it ends, with what it sent and whether it got to its end.
    let sent = 0;
    const body = observeBody(content, {
      chunk: (bytes) => {
        sent += bytes.byteLength;
      },
      end: (outcome) => publish(c, time, start, res.status, sent, outcome.kind !== 'complete'),
    });
    res.takeContent();
    c.res = withBody(res, body);
  };
}

function publish<V extends object>(
  c: Context<V>,
  time: number,
  start: number,
  status: number,
  bytes: number | undefined,
  incomplete = false,
): void {
  const event: AccessEvent = {
    time,
    method: c.req.method,
    path: c.req.path,
    status,
    durationMs: performance.now() - start,
    remoteAddress: clientIp(c),
  };
  if (bytes !== undefined) event.bytes = bytes;
  if (incomplete) event.incomplete = true;
  const id = (c.var as { requestId?: unknown }).requestId;
  if (typeof id === 'string') event.requestId = id;
  if (channel.hasSubscribers) channel.publish(event);
  if (configuredLogger(c) !== undefined) logAccess(c, event);
}

/** The access line through the App's logger: `c.log` (so it carries `reqId`), at info level. */
function logAccess<V extends object>(c: Context<V>, event: AccessEvent): void {
  const fields: Record<string, unknown> = {
    method: event.method,
    path: event.path,
    status: event.status,
    bytes: event.bytes,
    durationMs: Math.round(event.durationMs * 1000) / 1000,
    remoteAddress: event.remoteAddress,
  };
  if (event.incomplete === true) fields.incomplete = true;
  c.log.info(fields, 'request completed');
}
