/** HTTP/2 through node:http2, behind the same `Handler` as HTTP/1.1. */
export { HTTP2_DEFAULTS, type Http2Options } from './options.js';
