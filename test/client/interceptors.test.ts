/**
 * `withInterceptors()`: the order interceptors see a request and its response in (an onion: the
 * first listed is outermost), that they may replace either, and that close() and destroy() reach
 * the dispatcher underneath.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type ClientResponse,
  type Dispatcher,
  type DispatchRequest,
  type Interceptor,
  Pool,
  ResponseBody,
  request,
  withInterceptors,
} from '../../src/client/index.js';
import { Headers } from '../../src/http/message/headers.js';
import { trackLeaks } from '../helpers/leaks.js';
import { rawServer, reply } from './helpers.js';

const leaks = trackLeaks();

async function echoHeaders() {
  return rawServer(leaks, (req, socket) => socket.write(reply(JSON.stringify(req.headers))));
}

function pool(url: string): Pool {
  const p = new Pool(url);
  leaks.defer(() => p.destroy());
  return p;
}

/** Records when it sees the request going in and the response coming out. */
function tracer(name: string, log: string[]): Interceptor {
  return (next) => async (req) => {
    log.push(`${name} request`);
    const response = await next(req);
    log.push(`${name} response`);
    return response;
  };
}

async function* chunks(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

describe('withInterceptors', () => {
  test('the first interceptor listed sees the request first and the response last', async () => {
    const server = await echoHeaders();
    const log: string[] = [];
    const api = withInterceptors(pool(server.url), tracer('outer', log), tracer('inner', log));
    const res = await request(`${server.url}/`, { dispatcher: api });
    await res.body.dump();
    assert.deepEqual(log, ['outer request', 'inner request', 'inner response', 'outer response']);
  });

  test('an interceptor can change the request and replace the response', async () => {
    const server = await echoHeaders();
    const auth: Interceptor = (next) => (req) =>
      next({ ...req, path: '/rewritten', headers: [...req.headers, 'authorization', 'Bearer t0ken'] });
    const shout: Interceptor = (next) => async (req) => {
      const response = await next(req);
      const text = (await response.body.text()).toUpperCase();
      const headers = new Headers(response.headers);
      headers.set('x-shouted', 'yes');
      return response.with({ headers, body: new ResponseBody(chunks(text)) });
    };
    const res = await request(`${server.url}/original`, {
      dispatcher: withInterceptors(pool(server.url), shout, auth),
    });
    assert.equal(server.requests[0]?.path, '/rewritten');
    assert.equal(res.headers.get('x-shouted'), 'yes');
    assert.equal((JSON.parse(await res.body.text()) as Record<string, string>).AUTHORIZATION, 'BEARER T0KEN');
  });

  test('close() and destroy() pass through to the dispatcher, with the destroy error', async () => {
    const calls: unknown[][] = [];
    const inner: Dispatcher = {
      dispatch: (_req: DispatchRequest): Promise<ClientResponse> => Promise.reject(new Error('unused')),
      close: async () => void calls.push(['close']),
      destroy: async (error?: unknown) => void calls.push(['destroy', error]),
    };
    const api = withInterceptors(inner, tracer('a', []));
    const reason = new Error('shutting down');
    await api.close();
    await api.destroy(reason);
    assert.deepEqual(calls, [['close'], ['destroy', reason]]);
    const server = await echoHeaders();
    const real = pool(server.url);
    await withInterceptors(real).close();
    assert.equal(real.closed, true, 'a real pool is closed through the composition');
  });
});
