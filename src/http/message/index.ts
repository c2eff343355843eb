/** HTTP messages shared by the server, the client and the framework. */
export {
  type BodyContent,
  type BodyInit,
  DEFAULT_MAX_BODY_BYTES,
  normalizeBody,
  readBytes,
  readJson,
  readText,
} from './body.js';
export { BodyStream, type BodyStreamControl } from './body-stream.js';
export type { ConnInfo, Handler, Upgraded } from './conn-info.js';
export { type CookieOptions, parseCookies, serializeCookie, signCookieValue, unsignCookieValue } from './cookies.js';
export { requestFromFetch, requestToFetch, responseFromFetch, responseToFetch } from './fetch.js';
export { DEFAULT_FORM_LIMITS, type FormLimits, readForm } from './form.js';
export { clientOf, type ForwardedClient, forwardedClient, MAX_FORWARDED_HOPS, peerIp } from './forwarded.js';
export { Headers, type HeadersInit } from './headers.js';
export { DEFAULT_MAX_JSON_DEPTH } from './json-depth.js';
export { Request, type RequestInit } from './request.js';
export { Response, type ResponseInit } from './response.js';
export {
  compileTrustProxy,
  type ForwardedHeader,
  type ProxyTrust,
  TRUST_PROXY_PRESETS,
  type TrustProxy,
  type TrustProxySpec,
} from './trust-proxy.js';
