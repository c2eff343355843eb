/** The HTTP/1.1 server on wirekit's own codec and socket layer. */

export { HTTP2_DEFAULTS, type Http2Options } from '../h2/index.js';
export type { ConnInfo, Handler, Upgraded } from '../message/conn-info.js';
export { channels, type RequestEndMessage } from './diagnostics.js';
export { httpsRedirect, type RedirectHttpOptions } from './https-redirect.js';
export { type ResolvedServeOptions, SERVE_DEFAULTS, type ServeOptions } from './options.js';
export { type HttpCloseOptions, HttpServer, serve } from './server.js';
