/** The middleware shipped with the framework, one folder each (`src/web/middleware/<name>/`). */
export {
  ACCESS_CHANNEL,
  type AccessEvent,
  type AccessLogOptions,
  accessLog,
  formatAccessLine,
} from './access-log/index.js';
export { type BodyLimitOptions, bodyLimit } from './body-limit/index.js';
export {
  type CompressOptions,
  compress,
  type Encoding,
  hasZstd,
  isCompressible,
  negotiateEncoding,
} from './compress/index.js';
export { type CorsOptions, type CorsOrigin, cors } from './cors/index.js';
export { bodyEtag, type EtagOptions, etag } from './etag/index.js';
export {
  isValidRequestId,
  type RequestIdOptions,
  type RequestIdVariables,
  requestId,
} from './request-id/index.js';
export {
  type DotfilesPolicy,
  type StaticOptions,
  serveStatic,
} from './static/index.js';
