/** HTTP/1.1: the pure codec, messages and the server. */
export * from './codec/index.js';
export * from './message/index.js';
export * from './server/index.js';
