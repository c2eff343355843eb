/**
 * wirekit as another project's dependency, as README's "Use it in your project" tells it:
 *
 * - installed from a path, an unbuilt checkout (a copy of this repository's files, without
 *   node_modules or dist) builds itself through `prepare`, and every entry point loads. This runs
 *   npm for real (about 20 s: the copy's dev dependencies come from the npm cache, `--prefer-offline`);
 * - the packed package (test/helpers/consumer.ts) type-checks with the README's tsconfig and with the
 *   other settings it names, and runs;
 * - a CommonJS project gets the README's error from `require()` and works with its `import()` code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { type Consumer, outcome, packedConsumer } from './helpers/consumer.js';
import { REPO_ROOT } from './helpers/paths.js';

const SECTION = (() => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Use it in your project');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
})();

/** The first block of the README section fenced with ````lang`. */
function block(lang: string): string {
  const match = new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``).exec(SECTION);
  assert.ok(match, `the README section has a ${lang} block`);
  return match[1] as string;
}

/** A program that imports every entry point named in `exports` and prints what each has. */
function importEveryEntryPoint(manifest: { exports: Record<string, unknown> }): string {
  const specifiers = Object.keys(manifest.exports)
    .filter((path) => !path.endsWith('.json'))
    .map((path) => (path === '.' ? 'wirekit' : `wirekit/${path.slice(2)}`));
  return `const out = {};
for (const specifier of ${JSON.stringify(specifiers)}) {
  const mod = await import(specifier);
  out[specifier] = [typeof mod.WirekitError, typeof mod.isWirekitError, Object.keys(mod).length > 10];
}
const { App } = await import('wirekit/web');
const { request } = await import('wirekit/client');
const app = new App();
app.get('/', (c) => c.text('installed'));
const server = await app.listen({ port: 0 });
const res = await request(server.url + '/');
out.answer = await res.body.text();
await server.close();
console.log(JSON.stringify(out));
`;
}

test('installed from a path, an unbuilt checkout builds itself (prepare) and every entry point loads', {
  timeout: 240_000,
}, async () => {
  const root = mkdtempSync(join(tmpdir(), 'wirekit-install-'));
  try {
    // The checkout: what git has (tracked and new files), not node_modules or dist.
    const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    })
      .split('\0')
      .filter((file) => file !== '' && existsSync(join(REPO_ROOT, file)));
    for (const file of files) {
      mkdirSync(dirname(join(root, 'wirekit', file)), { recursive: true });
      cpSync(join(REPO_ROOT, file), join(root, 'wirekit', file));
    }
    assert.ok(!existsSync(join(root, 'wirekit/dist')), 'the copy is unbuilt');
    const app = join(root, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    const npmCli = process.env.npm_execpath;
    const [npmFile, npmArgs] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
    const installed = await outcome(
      npmFile,
      [...npmArgs, 'install', '--prefer-offline', '--no-audit', '--no-fund', '../wirekit'],
      app,
      200_000,
    );
    assert.equal(installed.code, 0, `npm install ../wirekit failed:\n${installed.stdout}\n${installed.stderr}`);
    assert.ok(existsSync(join(root, 'wirekit/dist/pkg/index.js')), 'prepare built the bundle');
    assert.ok(existsSync(join(root, 'wirekit/dist/src/index.d.ts')), 'prepare built the types');

    const manifest = JSON.parse(readFileSync(join(root, 'wirekit/package.json'), 'utf8'));
    writeFileSync(join(app, 'main.js'), importEveryEntryPoint(manifest));
    const ran = await outcome(process.execPath, ['main.js'], app);
    assert.equal(ran.code, 0, ran.stderr);
    const out = JSON.parse(ran.stdout) as Record<string, unknown>;
    assert.equal(out.answer, 'installed');
    const entries = Object.keys(out).filter((key) => key !== 'answer');
    assert.ok(entries.length >= 5, entries.join(', '));
    for (const specifier of entries) assert.deepEqual(out[specifier], ['function', 'function', true], specifier);
    const version = await outcome(join(app, 'node_modules/.bin/wirekit'), ['--version'], app);
    assert.match(version.stdout, new RegExp(manifest.version.replaceAll('.', '\\.')));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

/** TypeScript that uses every entry point's types the way a user's code would. */
const CONSUMER_TS = `import { isWirekitError, type Connection, listen } from 'wirekit/net';
import { Headers, Response, serve } from 'wirekit/http';
import { App, type Middleware } from 'wirekit/web';
import { type ClientResponse, request } from 'wirekit/client';
import { WirekitError } from 'wirekit';

const logger: Middleware = async (_c, next) => {
  await next();
};
const app = new App();
app.use(logger);
app.get('/', (c) => c.json({ ok: true }));
const server = await app.listen({ port: 0 });
const res: ClientResponse = await request(server.url + '/');
const body = (await res.body.json()) as { ok: boolean };
const tcp = await listen({ port: 0 }, async (conn: Connection) => conn.end('x'));
const raw = await serve(() => new Response('r', { headers: new Headers({ 'x-a': '1' }) }), { port: 0 });
await Promise.all([server.close(), tcp.close(), raw.close()]);
const error: unknown = new WirekitError('WK_ERR_ABORTED');
console.log(body.ok, isWirekitError(error, 'WK_ERR_ABORTED'));
`;

/** Type-checks CONSUMER_TS with `compilerOptions`; returns tsc's output (empty when it passes). */
async function typeCheck(consumer: Consumer, name: string, compilerOptions: Record<string, unknown>): Promise<string> {
  consumer.write({
    [`${name}/main.ts`]: CONSUMER_TS,
    [`${name}/tsconfig.json`]: JSON.stringify({ compilerOptions: { ...compilerOptions, outDir: 'out' } }),
  });
  const result = await consumer.tsc(['-p', `${name}/tsconfig.json`]);
  return result.code === 0 ? '' : `${name}: ${result.stdout}${result.stderr}`;
}

test("TypeScript: the README's tsconfig and the settings it names type-check a project against the packed package", async () => {
  const consumer = await packedConsumer();
  try {
    const readmeConfig = block('jsonc');
    consumer.write({ 'readme/main.ts': CONSUMER_TS, 'readme/tsconfig.json': readmeConfig });
    const fromReadme = await consumer.tsc(['-p', 'readme/tsconfig.json', '--outDir', 'readme/out']);
    assert.equal(fromReadme.code, 0, `README tsconfig:\n${fromReadme.stdout}${fromReadme.stderr}`);
    // What the README's settings compiled runs.
    const ran = await consumer.node(['readme/out/main.js']);
    assert.equal(ran.stdout, 'true true\n', ran.stderr);

    // The README's config checked the declarations themselves; these compare module resolution only.
    const base = { target: 'ES2022', strict: true, types: ['node'], skipLibCheck: true };
    const failures = [
      await typeCheck(consumer, 'node16', { ...base, module: 'Node16', moduleResolution: 'Node16' }),
      await typeCheck(consumer, 'bundler', { ...base, module: 'Preserve', moduleResolution: 'Bundler' }),
      await typeCheck(consumer, 'esnext', { ...base, module: 'ESNext', moduleResolution: 'Bundler' }),
    ].filter((output) => output !== '');
    assert.deepEqual(failures, []);
    // The setting the README warns about.
    const node10 = await typeCheck(consumer, 'node10', { ...base, module: 'CommonJS', moduleResolution: 'node10' });
    assert.match(node10, /node10/);
  } finally {
    consumer.remove();
  }
});

test("CommonJS: require('wirekit') fails with the README's error; the README's import() code runs", async () => {
  const consumer = await packedConsumer('commonjs');
  try {
    consumer.write({ 'required.js': "require('wirekit');\n", 'server.cjs': block('js') });
    const required = await consumer.node(['required.js']);
    assert.notEqual(required.code, 0);
    const documented = block('text').trim().replace('/app/node_modules', join(consumer.dir, 'node_modules'));
    assert.ok(required.stderr.includes(documented), `expected\n${documented}\nin\n${required.stderr}`);

    const imported = await consumer.node(['server.cjs']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /^listening on http:\/\/127\.0\.0\.1:\d+\n$/);
  } finally {
    consumer.remove();
  }
});
