/** The web framework: App, router, middleware onion, context, errors. */
// Every entry point carries the error classes, so `isWirekitError` needs no second import.
export * from '../errors.js';
export { type JsonLoggerOptions, jsonLogger, type LogFn, type Logger, type LogLevel } from '../util/logger.js';
export { App, type AppOptions, type ErrorHandler } from './app.js';
export { clientIp } from './client-ip.js';
export { compose, type Middleware, type Next } from './compose.js';
export { Context, type HandlerResult, type ResponseHeaders } from './context.js';
export { errorResponse, errorStatus } from './error-response.js';
export {
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  type HttpErrorOptions,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  UnprocessableError,
} from './http-error.js';
export type {
  AppServer,
  ClusterListenOptions as AppClusterListenOptions,
  ClusterServer,
  ListenOptions as AppListenOptions,
} from './listen.js';
export * from './middleware/index.js';
export { nextRequestId, type RequestIdSource } from './request-ids.js';
export {
  LinearRouter,
  type Params,
  RadixRouter,
  type RouteFound,
  type RouteResult,
  type Router,
  type RouterOptions,
} from './router/index.js';
export {
  DEFAULT_SSE_KEEP_ALIVE_MS,
  formatSseComment,
  formatSseMessage,
  SSE_HEADERS,
  type SseHandler,
  type SseMessage,
  type SseOptions,
  SseStream,
  type SseWriter,
} from './sse.js';
export {
  type Infer,
  type StandardIssue,
  type StandardResult,
  type StandardSchemaV1,
  type ValidationIssue,
  type ValidationSchemas,
  type Validator,
  validate,
  validationError,
} from './validate.js';
export { type ValidationTarget, WebRequest } from './web-request.js';
export type { WebSocketConnectOptions } from './ws-connect.js';
export type { WebSocketRoute } from './ws-route.js';
