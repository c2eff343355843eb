/** The WebSocket codec (RFC 6455, RFC 7692 negotiation): pure, bytes in, events out. */
export { parseClosePayload, serializeClosePayload } from './close-payload.js';
export { CloseCode, isValidCloseCode, MAX_CONTROL_PAYLOAD_BYTES, Opcode, WEBSOCKET_GUID } from './constants.js';
export {
  type AcceptedDeflate,
  acceptDeflateResponse,
  type DeflateParams,
  type DeflateWishes,
  deflateOffer,
  negotiateDeflate,
  PERMESSAGE_DEFLATE,
} from './deflate-params.js';
export { type ExtensionOffer, formatExtensions, isToken, parseExtensions } from './extensions.js';
export {
  type FrameFailure,
  FrameParser,
  type FrameParserOptions,
  type FrameParserSink,
  type WebSocketRole,
} from './frame-parser.js';
export {
  type FrameOptions,
  frameHeaderLength,
  serializeFrame,
  serializeFrameHeader,
  serializeTextFrame,
  textFrameBytes,
  writeFrameHeader,
} from './frame-serializer.js';
export {
  checkUpgradeRequest,
  checkUpgradeResponse,
  type HeaderLookup,
  type UpgradeAccepted,
  type UpgradeAnswer,
  type UpgradeOffer,
  type UpgradeRefused,
} from './handshake.js';
export { DEFAULT_WS_MAX_FRAGMENTS, DEFAULT_WS_MAX_FRAME_BYTES, DEFAULT_WS_MAX_MESSAGE_BYTES } from './limits.js';
export { applyMask, applyMaskBits, maskBits } from './mask.js';
export { isValidUtf8, Utf8Validator } from './utf8.js';
