/**
 * The package ships dist/pkg, the compiled modules bundled per entry point (scripts/bundle.mjs).
 * These tests guard what the bundle is for and what bundling could break.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/paths.js';

const PKG = join(REPO_ROOT, 'dist/pkg');

function bundleFiles(dir = PKG): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? bundleFiles(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

test('no class is renamed by bundling (error names come from class names)', () => {
  // esbuild renames a top-level name that two modules both declare: `Foo` becomes `Foo2`.
  const renamed = bundleFiles()
    .filter((file) => file.endsWith('.js'))
    .flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\b(?:var|let|const) ([A-Za-z_$][\w$]*\d) = class\b/g)].map(
        (match) => `${match[1]} in ${file}`,
      ),
    );
  assert.deepEqual(renamed, []);
});

test("'wirekit/http' loads no module the engine does not use (node:crypto, node:zlib, node:fs)", () => {
  // Each module loaded costs resident memory in every server process (see scripts/bundle.mjs).
  const loaded = execFileSync(
    process.execPath,
    ['--input-type=module', '-e', `await import('wirekit/http'); console.log(JSON.stringify(process.moduleLoadList));`],
    { cwd: REPO_ROOT, encoding: 'utf8' },
  );
  const modules = JSON.parse(loaded) as string[];
  for (const name of ['NativeModule crypto', 'NativeModule zlib', 'NativeModule fs/promises']) {
    assert.ok(!modules.includes(name), `${name} is not loaded`);
  }
  assert.ok(modules.includes('NativeModule net'), 'the list is the real one');
});

test('a server from the bundled entry point answers over a real socket', async () => {
  const http = (await import('wirekit/http')) as typeof import('../src/http/index.js');
  const server = await http.serve(() => new http.Response('from the bundle'), { port: 0 });
  try {
    const res = await fetch(server.url);
    assert.equal(await res.text(), 'from the bundle');
  } finally {
    await server.close();
  }
});
