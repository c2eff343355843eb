/**
 * The echo app of DESIGN.md §2, started by outside tools as `node dist/test/conformance/echo-app.js`
 * with `PORT` (default 0) in the environment. Every well-formed request gets 200 JSON describing
 * exactly what the server parsed; malformed ones get the server's own 4xx/5xx and a close.
 * `HEADER_TIMEOUT_MS` shortens the slowloris guard for tests.
 */
import { Response } from '../../src/http/message/index.js';
import { serve } from '../../src/http/server/index.js';

function pairs(flat: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < flat.length; i += 2) out.push([flat[i] as string, flat[i + 1] as string]);
  return out;
}

const headerTimeoutMs = process.env.HEADER_TIMEOUT_MS === undefined ? undefined : Number(process.env.HEADER_TIMEOUT_MS);
const server = await serve(
  async (req) => {
    const body = await req.bytes();
    return Response.json({
      method: req.method,
      target: req.target,
      version: req.version,
      headers: pairs(req.headers.raw()),
      body: Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('base64'),
      trailers: pairs(req.trailers.raw()),
    });
  },
  {
    port: Number(process.env.PORT ?? 0),
    host: process.env.HOST ?? '127.0.0.1',
    maxBodyBytes: 64 * 1024 * 1024,
    ...(headerTimeoutMs === undefined ? {} : { headerTimeoutMs }),
  },
);
process.stdout.write(`echo app listening on ${server.url}\n`);
const stop = (): void => {
  server.close({ timeoutMs: 2000 }).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
