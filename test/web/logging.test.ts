/**
 * Logging through the App's and the server's `logger`: `c.log` per request with its `reqId`,
 * `c.requestId`, one access line per request, 5xx errors with their stack in the log and never in the
 * response, and pino itself as the logger.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, test } from 'node:test';
import { pino } from 'pino';
import { Response } from '../../src/http/message/response.js';
import { serve } from '../../src/http/server/index.js';
import { jsonLogger, type Logger } from '../../src/util/logger.js';
import { App, type AppOptions } from '../../src/web/app.js';
import { HttpError } from '../../src/web/http-error.js';
import { accessLog, requestId } from '../../src/web/middleware/index.js';
import { trackLeaks } from '../helpers/leaks.js';
import { stderrDuring } from '../helpers/stderr.js';
import { eventually } from '../helpers/wait.js';

const leaks = trackLeaks();

type LogRecord = Record<string, unknown>;

/** A built-in JSON logger whose lines are kept, parsed. */
function memoryLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  return { logger: jsonLogger({ level: 'debug', write: (line) => records.push(JSON.parse(line)) }), records };
}

/** A real pino logger writing to a stream the test reads. */
function pinoLogger(): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') records.push(JSON.parse(line));
      done();
    },
  });
  const logger: Logger = pino({ level: 'debug' }, stream);
  return { logger, records };
}

/** Collects process warnings during `run`. */
async function warningsDuring(run: () => Promise<void>): Promise<string[]> {
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => {
    warnings.push(warning.message);
  };
  process.on('warning', onWarning);
  try {
    await run();
    // A warning is emitted on the next tick.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    process.off('warning', onWarning);
  }
  return warnings;
}

function app(options: AppOptions): App {
  const a = new App(options);
  a.use(accessLog());
  a.get('/items', (c) => {
    c.log.info({ count: 2 }, 'listed');
    return c.json([1, 2]);
  });
  a.get('/id', (c) => c.text(c.requestId));
  a.get('/boom', () => {
    throw new Error('database down');
  });
  a.get('/teapot', () => {
    throw new HttpError(418, 'short and stout');
  });
  return a;
}

for (const [name, make] of [
  ['jsonLogger', memoryLogger],
  ['pino', pinoLogger],
] as const) {
  describe(`App logger: ${name}`, () => {
    test('c.log records carry the request id; accessLog() writes one line per request', async () => {
      const { logger, records } = make();
      const res = await app({ logger }).request('/items');
      assert.equal(res.status, 200);
      await eventually(() => records.length === 2, 'two records');
      const [own, access] = records;
      assert.equal(own?.msg, 'listed');
      assert.equal(own?.count, 2);
      assert.equal(typeof own?.reqId, 'string');
      assert.equal(access?.msg, 'request completed');
      assert.equal(access?.reqId, own?.reqId, 'the same request id');
      assert.equal(access?.method, 'GET');
      assert.equal(access?.path, '/items');
      assert.equal(access?.status, 200);
      assert.equal(access?.bytes, 5);
      assert.equal(typeof access?.durationMs, 'number');
    });

    test('a 5xx error is logged with its stack, not sent, and not a process warning', async () => {
      const { logger, records } = make();
      let res: Response | undefined;
      const warnings = await warningsDuring(async () => {
        res = await app({ logger }).request('/boom');
      });
      assert.equal(res?.status, 500);
      const body = (await res?.text()) ?? '';
      assert.ok(!body.includes('database down') && !body.includes('at '), body);
      await eventually(() => records.length === 2, 'the error and the access line');
      const fault = records.find((r) => r.err !== undefined) as LogRecord;
      assert.ok(fault, 'an error record');
      assert.equal(fault.msg, 'database down');
      assert.match(String((fault.err as LogRecord).stack), /Error: database down\n\s+at /);
      assert.equal(typeof fault.reqId, 'string');
      assert.deepEqual(warnings, []);
      const access = records.find((r) => r.msg === 'request completed');
      assert.equal(access?.status, 500);
    });

    test('an HttpError is an answer, not a fault: no error record', async () => {
      const { logger, records } = make();
      assert.equal((await app({ logger }).request('/teapot')).status, 418);
      await eventually(() => records.length === 1, 'the access line');
      assert.equal(records[0]?.status, 418);
      assert.ok(records.every((r) => r.err === undefined));
    });
  });
}

describe('request ids', () => {
  test('each request gets its own id; an incoming X-Request-Id is used only when trusted', async () => {
    const plain = app({});
    const a = await (await plain.request('/id')).text();
    const b = await (await plain.request('/id')).text();
    assert.notEqual(a, b);
    assert.match(a, /^[0-9a-z]+-[0-9a-z]+$/);
    const sent = { headers: { 'X-Request-Id': 'from-proxy-1' } };
    assert.notEqual(await (await plain.request('/id', sent)).text(), 'from-proxy-1');
    const trusting = app({ requestId: { trustIncoming: true } });
    assert.equal(await (await trusting.request('/id', sent)).text(), 'from-proxy-1');
    const bad = { headers: { 'X-Request-Id': 'has space' } };
    assert.notEqual(await (await trusting.request('/id', bad)).text(), 'has space');
    const custom = app({ requestId: { header: 'X-Trace', trustIncoming: true, generator: () => 'made' } });
    assert.equal(await (await custom.request('/id', { headers: { 'X-Trace': 't-9' } })).text(), 't-9');
    assert.equal(await (await custom.request('/id')).text(), 'made');
  });

  test('requestId() middleware sets c.requestId, and c.log carries it', async () => {
    const { logger, records } = memoryLogger();
    const a = new App({ logger });
    a.use(requestId({ generator: () => 'mw-id' }));
    a.get('/', (c) => {
      c.log.info('hello');
      return c.text(c.requestId);
    });
    const res = await a.request('/');
    assert.equal(await res.text(), 'mw-id');
    assert.equal(res.headers.get('x-request-id'), 'mw-id');
    assert.equal(records[0]?.reqId, 'mw-id');
  });

  test('without a logger, c.log writes JSON lines to standard error, and accessLog() writes nothing', async () => {
    const written = await stderrDuring(() => app({}).request('/items'));
    assert.equal(written.length, 1, written.join(''));
    const record = JSON.parse(written[0] as string) as LogRecord;
    assert.equal(record.msg, 'listed');
    assert.equal(typeof record.reqId, 'string');
  });
});

describe('lazy per-request logging', () => {
  test('c.log is made on first use, once per request; a request that does not log makes none', async () => {
    const { logger } = memoryLogger();
    let children = 0;
    const counting: Logger = {
      ...logger,
      child(bindings) {
        children++;
        return logger.child(bindings);
      },
    };
    const a = new App({ logger: counting });
    a.get('/quiet', (c) => c.text('ok'));
    a.get('/chatty', (c) => {
      c.log.info('one');
      c.log.info('two');
      return c.text(c.requestId);
    });
    await a.request('/quiet');
    assert.equal(children, 0);
    await a.request('/chatty');
    assert.equal(children, 1);
  });
});

describe('serve() and app.listen() with a logger', () => {
  test("serve({ logger }): a handler's throw is logged with its stack and the client's address", async () => {
    const { logger, records } = pinoLogger();
    const server = await serve(
      () => {
        throw new Error('handler broke');
      },
      { port: 0, logger },
    );
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const res = await fetch(`${server.url}/x`);
    assert.equal(res.status, 500);
    assert.ok(!(await res.text()).includes('handler broke'));
    await eventually(() => records.length === 1, 'the error record');
    assert.equal(records[0]?.msg, 'handler broke');
    assert.equal(records[0]?.remoteAddress, '127.0.0.1');
    const err = (records[0] as LogRecord).err as LogRecord;
    assert.match(String(err.stack), /handler broke\n\s+at /);
  });

  test("app.listen() gives the App's logger to the server: a stream failing midway is logged once", async () => {
    const { logger, records } = memoryLogger();
    const a = new App({ logger });
    a.get('/stream', () => {
      async function* body() {
        yield new TextEncoder().encode('part');
        throw new Error('stream broke');
      }
      return new Response(body());
    });
    const server = await a.listen({ port: 0 });
    leaks.defer(() => server.close({ timeoutMs: 0 }));
    const warnings = await warningsDuring(async () => {
      const res = await fetch(`${server.url}/stream`);
      await res.text().catch(() => undefined);
      await eventually(() => records.length === 1, 'the error record');
    });
    assert.equal(records[0]?.msg, 'stream broke');
    assert.equal(records[0]?.level, 'error');
    assert.deepEqual(warnings, []);
  });
});
