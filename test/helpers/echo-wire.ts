/**
 * The echo handler (docs/architecture.md, Apps that outside tools start) as the socket tests serve it, and reading its answers back off
 * the wire. The answer to HEAD carries no body (RFC 9110 §9.3.2), so for HEAD the echo also travels
 * base64-encoded in `X-Echo`, and a test can still see what was parsed.
 */

import { Response } from '../../src/http/message/index.js';
import type { Handler } from '../../src/http/server/index.js';
import { echoHandler } from '../conformance/echo-handler.js';
import type { EchoObject } from './corpus-judge.js';
import { header, type RawResponse } from './response-reader.js';

/** The echo handler, with the echo of a HEAD request in `X-Echo`. */
export const wireEchoHandler: Handler = async (req, info) => {
  const response = await echoHandler(req, info);
  if (req.method !== 'HEAD') return response;
  const echo = await response.text();
  return new Response(echo, {
    headers: { 'content-type': 'application/json', 'x-echo': Buffer.from(echo).toString('base64') },
  });
};

/** For `readResponses`: the answer to HEAD (it carries `X-Echo`) has no body. */
export const isHeadEcho = (_index: number, response: RawResponse): boolean => header(response, 'x-echo') !== undefined;

/** The echo an answer carries (in `X-Echo` for HEAD), or a placeholder naming what came instead. */
export function echoOf(response: RawResponse): EchoObject {
  const encoded = header(response, 'x-echo');
  const json = encoded === undefined ? response.body.toString('utf8') : Buffer.from(encoded, 'base64').toString();
  try {
    return JSON.parse(json) as EchoObject;
  } catch {
    return {
      method: `<not an echo: ${json.slice(0, 80)}>`,
      target: '',
      version: '',
      headers: [],
      body: '',
      trailers: [],
    };
  }
}
