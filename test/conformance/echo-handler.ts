/**
 * The echo handler of docs/architecture.md, Apps that outside tools start, shared by the echo app (`echo-app.ts`, started by outside tools)
 * and the in-process conformance tests: every well-formed request gets 200 JSON describing exactly
 * what the server parsed. Malformed requests never reach it (the server answers them).
 */
import { Response } from '../../src/http/message/index.js';
import type { Handler } from '../../src/http/server/index.js';

/** What the echo app answers: the request as the server parsed it (docs/architecture.md, Apps that outside tools start). */
export interface EchoBody {
  method: string;
  target: string;
  /** `'2.0'` when the echo app is reached over HTTP/2 (h2c). */
  version: '1.0' | '1.1' | '2.0';
  headers: [string, string][];
  /** base64 of the decoded body */
  body: string;
  trailers: [string, string][];
}

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

/** Largest body the echo app reads (the contract has no limit of its own; this keeps memory bounded). */
export const ECHO_MAX_BODY_BYTES = 64 * 1024 * 1024;

export const echoHandler: Handler = async (req) => {
  const body = await req.bytes();
  const echo: EchoBody = {
    method: req.method,
    target: req.target,
    version: req.version,
    headers: pairs(req.headers.raw()),
    body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
    trailers: pairs(req.trailers.raw()),
  };
  return Response.json(echo);
};
