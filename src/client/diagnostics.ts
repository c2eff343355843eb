/**
 * `node:diagnostics_channel` channels of the client (docs/architecture.md, Observing): observe requests and
 * connections without a logger in the core. Messages are published only when someone subscribes.
 */
import diagnostics from 'node:diagnostics_channel';
import type { SocketAddress } from '../errors.js';
import type { ConnectTimings } from './connector.js';
import type { ClientResponse } from './response.js';
import type { DispatchRequest } from './types.js';

/**
 * The client's channels.
 *
 * @example
 * ```ts
 * import diagnostics from 'node:diagnostics_channel';
 * diagnostics.subscribe('wirekit:http.client.request.end', (m) => console.log(m));
 * ```
 */
export const clientChannels = {
  /** `{ request }` when a pool accepts a request. */
  requestStart: diagnostics.channel('wirekit:http.client.request.start'),
  /** `{ request, response }` when its response head has arrived. */
  response: diagnostics.channel('wirekit:http.client.response'),
  /** `{ request, response }` when its response body has ended (`response.timings` is final). */
  requestEnd: diagnostics.channel('wirekit:http.client.request.end'),
  /** `{ request, error }` when it failed (before or after its head). */
  requestError: diagnostics.channel('wirekit:http.client.request.error'),
  /** `{ origin, localAddress, remoteAddress, timings }` when a connection is opened. */
  connectionOpen: diagnostics.channel('wirekit:http.client.connection.open'),
  /** `{ origin, localAddress, remoteAddress }` when it has closed. */
  connectionClose: diagnostics.channel('wirekit:http.client.connection.close'),
};

/** What the connection channels carry. */
export interface ConnectionMessage {
  origin: string;
  localAddress: SocketAddress | undefined;
  remoteAddress: SocketAddress | undefined;
  timings?: ConnectTimings;
}

/**
 * Publishes a request event if anyone listens.
 *
 * @example
 * ```ts
 * publishRequest('requestStart', request);
 * ```
 */
export function publishRequest(
  kind: 'requestStart' | 'response' | 'requestEnd' | 'requestError',
  request: DispatchRequest,
  response?: ClientResponse,
  error?: unknown,
): void {
  const channel = clientChannels[kind];
  if (!channel.hasSubscribers) return;
  if (kind === 'requestError') channel.publish({ request, error });
  else if (kind === 'requestStart') channel.publish({ request });
  else channel.publish({ request, response });
}

/**
 * Publishes a connection event if anyone listens.
 *
 * @example
 * ```ts
 * publishConnection('connectionOpen', { origin, localAddress, remoteAddress, timings });
 * ```
 */
export function publishConnection(kind: 'connectionOpen' | 'connectionClose', message: () => ConnectionMessage): void {
  const channel = clientChannels[kind];
  if (channel.hasSubscribers) channel.publish(message());
}
