/** HTTP/1.1: the pure codec, messages and the server. */
// Every entry point carries the error classes, so `isWirekitError` needs no second import.
export * from '../errors.js';
export * from './codec/index.js';
export * from './message/index.js';
export * from './server/index.js';
