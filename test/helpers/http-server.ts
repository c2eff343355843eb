/**
 * Starting `serve()` in a server test: port 0 on 127.0.0.1, a close registered with the leak
 * tracker, errors reported to `onError` collected instead of printed, and raw clients that are
 * destroyed after the test.
 */
import type { ConnInfo, Handler, HttpServer, ServeOptions } from '../../src/http/server/index.js';
import { serveOn } from '../../src/http/server/server.js';
import { TimerWheel, timerWheel } from '../../src/util/timer-wheel.js';
import type { LeakTracker } from './leaks.js';
import { RawClient } from './raw-client.js';

export interface TestServer {
  server: HttpServer;
  /** Errors the server reported through `onError` (handler throws, write failures). */
  errors: Error[];
  /** Handler calls so far. */
  calls: number;
  /** A raw client connected to the server, destroyed after the test. */
  client(): Promise<RawClient>;
  port: number;
}

/**
 * Starts `handler` on port 0; the server is closed (deadline 0) after the test. With `wheel` (see
 * {@link fakeClock}), the server's deadlines run on that wheel's clock.
 */
export async function startServer(
  leaks: LeakTracker,
  handler: Handler,
  options: ServeOptions = {},
  wheel: TimerWheel = timerWheel,
): Promise<TestServer> {
  const errors: Error[] = [];
  const onError = (error: Error, _info: ConnInfo | undefined): void => {
    errors.push(error);
  };
  const counted: Handler = (req, info) => {
    fixture.calls++;
    return handler(req, info);
  };
  const server = await serveOn(wheel, counted, { port: 0, host: '127.0.0.1', onError, ...options });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const fixture: TestServer = {
    server,
    errors,
    calls: 0,
    port: server.address.port,
    client: async () => {
      const client = await RawClient.connect(server.address.port);
      leaks.defer(() => client.destroy());
      return client;
    },
  };
  return fixture;
}

/** A timer wheel whose clock moves only when told: server timeouts without waiting for them. */
export interface FakeClock {
  readonly wheel: TimerWheel;
  /** The clock, in milliseconds. */
  readonly now: number;
  /** Moves the clock; deadlines passed fire on the wheel's next tick (10 ms of real time). */
  advance(ms: number): void;
}

/** A {@link FakeClock} starting at 1,000,000 ms (its wheel ticks every 10 ms of real time). */
export function fakeClock(): FakeClock {
  let now = 1_000_000;
  const wheel = new TimerWheel({ resolutionMs: 10, now: () => now });
  return {
    wheel,
    get now() {
      return now;
    },
    advance(ms: number) {
      now += ms;
    },
  };
}
