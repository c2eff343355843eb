/** The pure HTTP/1.1 codec: bytes in, events out; no sockets, timers, streams or promises. */
export { BodyDecoder, type Framing } from './body-decoder.js';
export {
  type BodyEvent,
  END,
  type EndEvent,
  type ErrorEvent,
  type HeadEventBase,
  type MessageEvent,
  type TrailersEvent,
} from './events.js';
export { isFieldName, isFieldValue } from './field-validation.js';
export { httpDate } from './http-date.js';
export { DEFAULT_LIMITS, type ParserLimits, resolveLimits } from './limits.js';
export { type RequestEvent, type RequestHead, RequestParser } from './request-parser.js';
export { type RequestHeadInit, serializeRequestHead } from './request-serializer.js';
export {
  type ResponseEvent,
  type ResponseFraming,
  type ResponseHead,
  ResponseParser,
} from './response-parser.js';
export {
  type BodyLength,
  CHUNK_END,
  chunkHeader,
  lastChunk,
  type ResponseHeadInit,
  type SerializedHead,
  serializeFields,
  serializeResponseHead,
} from './serializer.js';
export { isBodylessStatus, STATUS_TEXT } from './status.js';
export { parseStatusLine, type StatusLine } from './status-line.js';
