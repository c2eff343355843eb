/** Running an app without a socket (`app.request`, `app.fetch`): the request, its ConnInfo, the answer as sent. */
import { WirekitError } from '../errors.js';
import { isBodylessStatus } from '../http/codec/status.js';
import type { ConnInfo, Upgraded } from '../http/message/conn-info.js';
import { Request, type RequestInit } from '../http/message/request.js';
import { Response } from '../http/message/response.js';
import { knownSize } from '../http/message/response-content.js';

/** The ConnInfo of a request run without a socket (`app.request`, `app.fetch`): loopback, no upgrade. */
export function inProcessInfo(): ConnInfo {
  return {
    remoteAddress: { address: '127.0.0.1', port: 0, family: 'IPv4' },
    localAddress: { address: '127.0.0.1', port: 0, family: 'IPv4' },
    secure: false,
    httpVersion: '1.1',
    requestCount: 1,
    canUpgrade: false,
    upgrade(): Upgraded {
      throw new WirekitError('WK_ERR_HTTP_UPGRADE', 'an in-process request has no connection to upgrade');
    },
  };
}

/**
 * An answer as the server would send it, for callers without a socket: a fixed body's
 * Content-Length, and for HEAD the GET's fields without the body (RFC 9110 §9.3.2).
 */
export function asSent(response: Response, method: string): Response {
  const { headers, status } = response;
  if (!isBodylessStatus(status) && !headers.has('content-length') && !headers.has('transfer-encoding')) {
    const size = knownSize(response.peekContent());
    if (size !== undefined) headers.set('Content-Length', String(size));
  }
  if (method !== 'HEAD') return response;
  return new Response(null, { status, statusText: response.statusText, headers });
}

/** The Request `app.request(path, init)` runs: Host and scheme from an absolute URL, else localhost. */
export function inProcessRequest(input: string, init: RequestInit): Request {
  const absolute = /^https?:\/\//i.test(input);
  const url = new URL(input, 'http://localhost');
  const request = new Request(`${url.pathname}${url.search}`, {
    ...init,
    protocol: url.protocol === 'https:' ? 'https' : 'http',
  });
  if (!request.headers.has('host')) request.headers.set('Host', absolute ? url.host : 'localhost');
  return request;
}
