import diagnostics from 'node:diagnostics_channel';
import type { ConnInfo } from '../message/conn-info.js';
import type { Request } from '../message/request.js';
import type { Response } from '../message/response.js';

/**
 * `node:diagnostics_channel` channels of the HTTP server (DESIGN.md habit 13): subscribe to observe
 * without a logger in the core. Messages are published only when someone subscribes.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * diagnostics.subscribe('wirekit:http.server.request.end', (m) => console.log(m));
 * ```
 */
export const channels = {
  /** `{ request, info }` when a request head has been parsed. */
  requestStart: diagnostics.channel('wirekit:http.server.request.start'),
  /** `{ request, response, info }` when its response was handed to the socket (response undefined if none). */
  requestEnd: diagnostics.channel('wirekit:http.server.request.end'),
  /** `{ info }` when a connection is accepted. */
  connectionOpen: diagnostics.channel('wirekit:http.server.connection.open'),
  /** `{ info }` when it has closed. */
  connectionClose: diagnostics.channel('wirekit:http.server.connection.close'),
};

export function publishRequestStart(request: Request, info: ConnInfo): void {
  if (channels.requestStart.hasSubscribers) channels.requestStart.publish({ request, info });
}

export function publishRequestEnd(request: Request, response: Response | undefined, info: ConnInfo): void {
  if (channels.requestEnd.hasSubscribers) channels.requestEnd.publish({ request, response, info });
}

export function publishConnection(kind: 'open' | 'close', info: ConnInfo): void {
  const channel = kind === 'open' ? channels.connectionOpen : channels.connectionClose;
  if (channel.hasSubscribers) channel.publish({ info });
}
