/** The middleware shipped with the framework, one folder each (`src/web/middleware/<name>/`). */
export {
  ACCESS_CHANNEL,
  type AccessEvent,
  type AccessLogOptions,
  accessLog,
  formatAccessLine,
} from './access-log/index.js';
export { type BasicAuthOptions, type BasicAuthVariables, basicAuth } from './basic-auth/index.js';
export { type BearerAuthOptions, type BearerAuthVariables, bearerAuth } from './bearer-auth/index.js';
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
export { type CsrfFetchSite, type CsrfOptions, type CsrfOrigin, csrf, type FetchSite } from './csrf/index.js';
export { bodyEtag, type EtagOptions, etag } from './etag/index.js';
export { type HealthCheckOptions, healthCheck } from './health-check/index.js';
export {
  DEFAULT_RATE_LIMIT_MAX_KEYS,
  ipKey,
  MemoryStore,
  type MemoryStoreOptions,
  type RateLimitCounts,
  type RateLimitMiddleware,
  type RateLimitOptions,
  type RateLimitStore,
  rateLimit,
} from './rate-limit/index.js';
export { RATE_LIMIT_REDIS_SCRIPT } from './rate-limit/store.js';
export {
  isValidRequestId,
  type RequestIdOptions,
  type RequestIdVariables,
  requestId,
} from './request-id/index.js';
export {
  type ContentSecurityPolicyOptions,
  CSP_NONCE,
  type CspDirectives,
  type CspSource,
  type CspValue,
  DEFAULT_CSP_DIRECTIVES,
} from './secure-headers/csp.js';
export { type SecureHeadersOptions, type SecureHeadersVariables, secureHeaders } from './secure-headers/index.js';
export {
  type DotfilesPolicy,
  type StaticOptions,
  serveStatic,
} from './static/index.js';
