/**
 * The messages between a cluster's primary and its workers over the IPC channel. Every message
 * carries `wirekit` (its kind), so an application's own `process.send()` messages pass untouched.
 */
import type { SocketAddress } from '../errors.js';
import type { Balancing } from './options.js';

/** The environment variable that makes a process a worker: `<slot>:<generation>`. */
export const WORKER_ENV = 'WIREKIT_CLUSTER_WORKER';

/** Worker → primary: how shall I listen? */
export interface ListenRequest {
  readonly wirekit: 'listen?';
}

/** Primary → worker: the port (0 only for the very first worker), the balancing, and whether a socket comes with it. */
export interface ListenReply {
  readonly wirekit: 'listen';
  readonly port: number;
  readonly balancing: Balancing;
  /** The predecessor's listening socket comes as the message's handle: listen on it instead of binding. */
  readonly adopt: boolean;
}

/** Worker → primary: listening (with a duplicate of its new `SO_REUSEPORT` socket as the handle, if it bound one). */
export interface Listening {
  readonly wirekit: 'listening';
  readonly address: SocketAddress;
}

/** Primary → worker: drain, then exit. */
export interface Drain {
  readonly wirekit: 'drain';
  readonly delayMs: number;
  readonly timeoutMs: number;
}

/**
 * Worker → primary: drained, may I exit? The primary answers `exit` once it has read this, so it
 * has read the worker's listener close before it too (one ordered channel): no connection handed
 * to this worker (round robin) is left in flight when it exits.
 */
export interface Drained {
  readonly wirekit: 'drained';
}

/** Primary → worker: exit now. */
export interface Exit {
  readonly wirekit: 'exit';
}

/** Worker → primary: reload every worker (`server.reload()` called in a worker). */
export interface ReloadRequest {
  readonly wirekit: 'reload?';
}

/** A WebSocket topic message relayed through the primary to the other workers. */
export interface TopicMessage {
  readonly wirekit: 'topic';
  readonly topic: string;
  /** Text, or bytes as base64 (the IPC channel carries JSON). */
  readonly text?: string;
  readonly base64?: string;
}

/** Worker → primary (and primary → worker, so a topic stays subscribed across generations): interest in a topic. */
export interface TopicInterest {
  readonly wirekit: 'subscribe' | 'unsubscribe';
  readonly topic: string;
}

/** Any cluster message. */
export type ClusterMessage =
  | ListenRequest
  | ListenReply
  | Listening
  | Drain
  | Drained
  | Exit
  | ReloadRequest
  | TopicMessage
  | TopicInterest;

const KINDS = new Set([
  'listen?',
  'listen',
  'listening',
  'drain',
  'drained',
  'exit',
  'reload?',
  'topic',
  'subscribe',
  'unsubscribe',
]);

/** True for a message of ours (not the application's). */
export function isClusterMessage(message: unknown): message is ClusterMessage {
  return (
    typeof message === 'object' && message !== null && KINDS.has((message as { wirekit?: unknown }).wirekit as string)
  );
}

/** This process's slot and generation when it is a cluster worker; undefined in a primary or a plain process. */
export function workerIdentity(): { slot: number; generation: number } | undefined {
  const value = process.env[WORKER_ENV];
  if (value === undefined || process.send === undefined) return undefined;
  const [slot, generation] = value.split(':').map(Number);
  if (!Number.isInteger(slot) || !Number.isInteger(generation)) return undefined;
  return { slot: slot as number, generation: generation as number };
}
