/** HTTP/1.1: the pure codec, messages and the server. */
// Every entry point carries the error classes, so `isWirekitError` needs no second import.

// serve() with `workers` (a cluster) too: this explicit export takes the place of the engine's.
export {
  type Balancing,
  CLUSTER_DEFAULTS,
  type ClusterOptions,
  ClusterPubSub,
  type ClusterServeOptions,
  type ClusterServer,
  type ClusterWorkerInfo,
  isPrimary,
  MAX_RELAYED_TOPICS_PER_WORKER,
  serve,
  type TopicData,
  type TopicPubSub,
} from '../cluster/index.js';
export * from '../errors.js';
// The logger the server (and the App) log through: pino's shape, and the built-in JSON one.
export { type JsonLoggerOptions, jsonLogger, type LogFn, type Logger, type LogLevel } from '../util/logger.js';
export * from './codec/index.js';
export * from './message/index.js';
export * from './server/index.js';
