/**
 * Issue 9's reproduction: a JSON body nested 100,000 deep made `POST /echo` answer 500 and print a
 * `RangeError` warning per request (JSON.parse took it; `c.json()` then overflowed the stack). Now
 * it is the client's fault, a 400 `WK_ERR_JSON_TOO_DEEP`, with no warning: in process (the bench
 * app's route, `serve()`, `validate()`) and in the bench app itself, run as the benchmarks run it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { z } from 'zod';
import { WirekitError } from '../../src/errors.js';
import { Response } from '../../src/http/message/index.js';
import { serve } from '../../src/http/server/index.js';
import { App } from '../../src/web/app.js';
import { validate } from '../../src/web/validate.js';
import { trackLeaks } from '../helpers/leaks.js';
import { DIST_DIR } from '../helpers/paths.js';
import { describeWarnings, settle, warningsDuringTest } from '../helpers/warnings.js';

const leaks = trackLeaks();

const DEEP = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
const REQUESTS = 50;

/** POSTs `body` as JSON `count` times, one after another on keep-alive connections; the statuses and bodies. */
async function postMany(url: string, body: string, count: number): Promise<{ status: number; text: string }[]> {
  const out: { status: number; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const headers = { 'content-type': 'application/json', accept: 'application/json' };
    const res = await fetch(url, { method: 'POST', body, headers });
    out.push({ status: res.status, text: await res.text() });
  }
  return out;
}

test(`${REQUESTS} POST /echo with a 100,000-deep JSON body: ${REQUESTS} 400s and not one warning`, async () => {
  const warnings = warningsDuringTest(leaks);
  const app = new App();
  app.post('/echo', async (c) => c.json(await c.req.json()));
  const server = await app.listen({ port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const answers = await postMany(`${server.url}/echo`, DEEP, REQUESTS);
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([400]));
  assert.match(answers[0]?.text ?? '', /deeper than 128 levels/);
  await settle();
  assert.deepEqual(describeWarnings(warnings), []);
  // And the route still echoes what it should.
  const ok = await fetch(`${server.url}/echo`, { method: 'POST', body: '{"a":[1,{"b":2}]}' });
  assert.deepEqual(await ok.json(), { a: [1, { b: 2 }] });
});

test('the bench app itself (dist/bench/app.js, as the benchmarks start it): 400s and nothing on stderr', async () => {
  const child = spawn(process.execPath, [join(DIST_DIR, 'bench', 'app.js')], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  leaks.defer(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  });
  const deadline = Date.now() + 20_000;
  while (!/listening on (http:\/\/\S+)/.test(out)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the bench app did not start:\n${out}${err}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const url = (/listening on (http:\/\/\S+)/.exec(out) as RegExpExecArray)[1] as string;
  const answers = await postMany(`${url}/echo`, DEEP, REQUESTS);
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([400]));
  child.kill('SIGTERM');
  await exited;
  assert.equal(err, '', 'no warning (nor anything else) on stderr');
});

test('serve() with a handler reading req.json(): 400, no warning', async () => {
  const warnings = warningsDuringTest(leaks);
  const server = await serve(async (req) => Response.json(await req.json()), { port: 0 });
  leaks.defer(() => server.close({ timeoutMs: 0 }));
  const answers = await postMany(`${server.url}/`, DEEP, 5);
  assert.deepEqual(new Set(answers.map((a) => a.status)), new Set([400]));
  await settle();
  assert.deepEqual(describeWarnings(warnings), []);
});

test('validate() with a body schema: 400, no warning; the App option maxJsonDepth moves the limit', async () => {
  const warnings = warningsDuringTest(leaks);
  const app = new App({ maxJsonDepth: 3 });
  app.post('/v', validate({ body: z.unknown() }), (c) => c.json({ ok: true }));
  app.post('/raw', async (c) => c.json(await c.req.raw.json()));
  const deep = await app.request('/v', { method: 'POST', body: DEEP, headers: { 'content-type': 'application/json' } });
  assert.equal(deep.status, 400);
  const three = await app.request('/v', {
    method: 'POST',
    body: '[[[1]]]',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(three.status, 200);
  const four = await app.request('/v', {
    method: 'POST',
    body: '[[[[1]]]]',
    headers: { 'content-type': 'application/json' },
  });
  assert.equal(four.status, 400);
  assert.equal((await app.request('/raw', { method: 'POST', body: '[[[[1]]]]' })).status, 400, 'c.req.raw.json() too');
  await settle();
  assert.deepEqual(describeWarnings(warnings), []);
  assert.throws(
    () => new App({ maxJsonDepth: -1 }),
    (error: unknown) => error instanceof WirekitError,
  );
  assert.throws(
    () => new App({ maxJsonDepth: 1.5 }),
    (error: unknown) => error instanceof WirekitError,
  );
});

test('a form body full of brackets is no stack risk either: never a 500', async () => {
  const warnings = warningsDuringTest(leaks);
  const app = new App();
  app.post('/form', validate({ body: z.record(z.string(), z.unknown()) }), (c) => c.json({ ok: true }));
  const nested = `${'a['.repeat(20_000)}=1`;
  const res = await app.request('/form', {
    method: 'POST',
    body: nested,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.ok(res.status < 500, `status ${res.status}`);
  await settle();
  assert.deepEqual(describeWarnings(warnings), []);
});
