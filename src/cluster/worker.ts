/**
 * The worker side of a cluster: ask the primary how to listen (the port, and on a reload the
 * predecessor's socket), serve, report, and drain when told (or on SIGTERM/SIGINT, which a
 * terminal's Ctrl-C sends to the whole process group), then exit.
 */
import { type SocketAddress, WirekitError } from '../errors.js';
import type { Handler } from '../http/message/conn-info.js';
import type { ServeOptions } from '../http/server/options.js';
import { type HttpServer, serve as serveHttp } from '../http/server/server.js';
import { timerWheel } from '../util/timer-wheel.js';
import type { ClusterServer } from './cluster-server.js';
import type { ResolvedClusterOptions } from './options.js';
import { type ClusterMessage, isClusterMessage, type ListenReply, workerIdentity } from './protocol.js';

function ignore(): void {}

/** How long a drained worker waits for the primary's `exit` before it exits anyway. */
const EXIT_WAIT_MS = 5_000;

/** Sends a cluster message to the primary (with a handle, when given). */
export function toPrimary(message: ClusterMessage, handle?: object): void {
  if (process.connected !== true || process.send === undefined) return;
  // The handle travels as a duplicate descriptor; the callback is the only place a send failure shows.
  process.send(message, handle as never, undefined, () => {});
}

/** Resolves with the primary's answer to `listen?`, with the handle that came with it. */
function askHowToListen(timeoutMs: number): Promise<{ reply: ListenReply; handle: object | undefined }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown, handle: object | undefined): void => {
      if (!isClusterMessage(message) || message.wirekit !== 'listen') return;
      done();
      resolve({ reply: message, handle });
    };
    const timer = timerWheel.after(
      timeoutMs,
      () => {
        done();
        reject(new WirekitError('WK_ERR_CLUSTER', 'the primary did not say how to listen'));
      },
      { keepAlive: true },
    );
    const done = (): void => {
      timer.cancel();
      process.off('message', onMessage);
    };
    process.on('message', onMessage);
    toPrimary({ wirekit: 'listen?' });
  });
}

/**
 * Serves `handler` in this worker as the primary says, and drains on its word. Resolves with the
 * worker's view of the cluster.
 */
export async function serveAsWorker(
  handler: Handler,
  options: ServeOptions,
  cluster: ResolvedClusterOptions,
): Promise<ClusterServer> {
  const identity = workerIdentity();
  if (identity === undefined) throw new WirekitError('WK_ERR_CLUSTER', 'not a cluster worker');
  const { reply, handle } = await askHowToListen(cluster.startTimeoutMs);
  const listen: ServeOptions = { ...options, port: reply.port };
  if (reply.adopt && handle !== undefined) listen.handle = handle;
  else if (reply.balancing === 'reuseport') listen.reusePort = true;
  const server = await serveHttp(handler, listen);
  // A socket of our own (reuseport): the primary keeps a duplicate, so a successor can take it over.
  const own = reply.balancing === 'reuseport' && listen.handle === undefined ? server.listenerHandle : undefined;
  toPrimary({ wirekit: 'listening', address: server.address }, own);
  return workerServer(server, identity, reply, cluster);
}

function workerServer(
  server: HttpServer,
  identity: { slot: number; generation: number },
  reply: ListenReply,
  cluster: ResolvedClusterOptions,
): ClusterServer {
  let draining: Promise<void> | undefined;
  const drain = (delayMs: number, timeoutMs: number): Promise<void> => {
    draining ??= server.drain({ delayMs, timeoutMs }).then(() => {
      // Exit once drained (user timers or pools would keep us alive), after the primary's word:
      // a connection it handed us meanwhile (round robin) is then refused back to it, not lost.
      if (process.connected !== true) process.exit(0);
      toPrimary({ wirekit: 'drained' });
      timerWheel.after(EXIT_WAIT_MS, () => process.exit(0), { keepAlive: true });
    });
    return draining;
  };
  const onMessage = (message: unknown): void => {
    if (!isClusterMessage(message)) return;
    if (message.wirekit === 'drain') void drain(message.delayMs, message.timeoutMs);
    else if (message.wirekit === 'exit') process.exit(0);
  };
  const onSignal = (): void => void drain(cluster.drainDelayMs, cluster.drainTimeoutMs);
  process.on('message', onMessage);
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
  // A hangup sent to the whole process group is the primary's to act on (a reload), not ours to die of.
  process.on('SIGHUP', ignore);
  // The primary is gone (killed): nobody will tell us to drain, nor restart us.
  process.once('disconnect', onSignal);
  const address: SocketAddress = server.address;
  return {
    role: 'worker',
    worker: identity,
    balancing: reply.balancing,
    address,
    url: server.url,
    workers: [],
    server,
    reload: async () => toPrimary({ wirekit: 'reload?' }),
    close: (closeOptions = {}) => drain(0, closeOptions.timeoutMs ?? cluster.drainTimeoutMs),
    [Symbol.asyncDispose]: () => drain(0, cluster.drainTimeoutMs),
  };
}
