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
export { Headers, type HeadersInit } from './headers.js';
export { Request, type RequestInit } from './request.js';
export { Response, type ResponseInit } from './response.js';
