/**
 * Feeding one fuzz input to a server in this process over a real socket, the same way for every
 * subject: each piece is written only once the server has read the previous ones (so a split is a
 * separate read), then the client waits until the exchange is quiet (the server has read it all
 * and nothing moves for a few event-loop turns), notes what it has so far (what was answered "at
 * once"), half-closes, and waits for the server to close. No fixed sleeps: every wait is on the
 * sockets' byte counters, bounded in turns or time.
 */
import type { Socket } from 'node:net';
import { RawClient } from '../../helpers/raw-client.js';
import { ServerSockets } from '../../helpers/server-sockets.js';
import type { FuzzInput } from '../core/input.js';
import { pieces } from './request-inputs.js';

/** Turns with nothing moving before an exchange counts as quiet. */
const QUIET_TURNS = 3;
/** Most turns to wait for quiet (a server that stopped reading never gets there). */
const MAX_TURNS = 400;
/** How long a server may take to close after the half-close before it counts as hung. */
export const CLOSE_DEADLINE_MS = 5_000;

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface Exchange {
  client: RawClient;
  /** The server's side of the connection. */
  server: Socket;
  /** Bytes received before the half-close. */
  beforeEof: number;
  /** The server had closed before the half-close. */
  endedBeforeEof: boolean;
  /** The server did not close within CLOSE_DEADLINE_MS of the half-close. */
  hung: boolean;
}

/**
 * Waits until `server` has read the `sent` bytes, `client` has received all the server wrote (or
 * either side closed), and nothing, `progress()` included, has changed for QUIET_TURNS turns.
 */
export async function quiet(server: Socket, client: RawClient, sent: number, progress: () => string): Promise<void> {
  let last = '';
  let still = 0;
  for (let i = 0; i < MAX_TURNS && still < QUIET_TURNS; i++) {
    await turn();
    const now = `${server.bytesRead}/${server.bytesWritten}/${client.data.length}/${client.ended}/${progress()}`;
    const done = server.destroyed || client.ended;
    const readAll = done || server.bytesRead >= sent || server.readableEnded;
    const delivered = done || client.data.length >= server.bytesWritten;
    still = now === last && readAll && delivered ? still + 1 : 0;
    last = now;
  }
}

/** How a subject follows an exchange. */
export interface ExchangeHooks {
  /** Runs once connected, before any byte is written. */
  onConnect?: (client: RawClient) => void;
  /** The subject's state beyond the sockets' byte counts, for the quiet check (a server observed on its own side). */
  progress?: () => string;
  /** Runs once the exchange is quiet, just before the half-close. */
  beforeHalfClose?: () => void;
}

/** Runs `input` against the server on `port` whose accepted sockets `sockets` sees. */
export async function exchange(
  port: number,
  sockets: ServerSockets,
  input: FuzzInput,
  hooks: ExchangeHooks,
): Promise<Exchange> {
  const client = await RawClient.connect(port);
  hooks.onConnect?.(client);
  try {
    const server = await sockets.socketFor(client.socket);
    let sent = 0;
    const parts = pieces(input.bytes, input.splits);
    for (const [i, piece] of parts.entries()) {
      if (client.ended || !(await client.write(piece))) break;
      sent += piece.length;
      if (i < parts.length - 1) await ServerSockets.read(server, sent, 1_000);
    }
    await quiet(server, client, sent, hooks.progress ?? (() => ''));
    const beforeEof = client.data.length;
    const endedBeforeEof = client.ended;
    hooks.beforeHalfClose?.();
    client.end();
    let hung = false;
    try {
      await client.until(() => client.ended || server.destroyed, 'the server to close', CLOSE_DEADLINE_MS);
    } catch {
      hung = true;
    }
    return { client, server, beforeEof, endedBeforeEof, hung };
  } finally {
    client.destroy();
  }
}
