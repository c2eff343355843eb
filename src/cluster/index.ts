/** Many processes behind one port: the cluster primary, its workers, reloads and drains (README, "Scaling out"). */
export type { ClusterServer, ClusterWorkerInfo } from './cluster-server.js';
export { type Balancing, CLUSTER_DEFAULTS, type ClusterOptions } from './options.js';
export { ClusterPubSub, type TopicData, type TopicPubSub } from './pubsub.js';
export { type ClusterServeOptions, isPrimary, serve } from './serve.js';
export { MAX_RELAYED_TOPICS_PER_WORKER } from './topic-relay.js';
