/** wirekit's public API: one import for every layer. */
// WebSocket topics over a cluster's relay (or any TopicPubSub): here, not in wirekit/http, whose
// server loads no WebSocket code.

export * from './client/index.js';
export { clusterTopics, PubSubTopicBus, type PubSubTopicBusOptions } from './cluster/topic-bus.js';
export * from './errors.js';
export * from './http/index.js';
export * from './net/index.js';
export * from './web/index.js';
export * from './ws/index.js';
