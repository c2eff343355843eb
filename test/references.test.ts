/**
 * The design lives in the repository: `src` is published, so nothing in it may point at a file a
 * reader of the package does not have. This fails on a mention of the old design note (the
 * project's architecture is docs/architecture.md), on a path of a machine (`/work/…`, `/home/…`,
 * `~/…`), on a relative path that leaves the repository or names nothing (`../shared/…`; a path is
 * read from the source file and from its compiled copy in dist/), and on a
 * `docs/*.md` that does not exist. Tests, benchmarks and scripts may not cite the old note either.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './helpers/paths.js';

/** The old note's name, spelled so that this file does not mention it. */
const OLD_NOTE = new RegExp(['DESIGN', 'md'].join('\\.'), 'i');
/** Where a developer's or this workplace's files live (an app's own paths, `/srv/www` in an example, are fine). */
const MACHINE_PATH = /(?<![\w.:/-])(?:\/(?:work|home|root)\/|~\/)/;
const CLIMBING_PATH = /(?<![\w@/.-])((?:\.\.\/)+[\w.-][\w./-]*)/g;
const DOC = /(?<![\w/.-])docs\/[\w-]+\.md/g;

/** Files under `dir` (relative to the repository) whose names end with one of `extensions`. */
function filesUnder(dir: string, extensions: readonly string[]): string[] {
  const root = join(REPO_ROOT, dir);
  if (!existsSync(root)) return [];
  const out: string[] = [];
  const walk = (current: string): void => {
    for (const name of readdirSync(current)) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (extensions.some((ext) => name.endsWith(ext))) out.push(relative(REPO_ROOT, full).split(sep).join('/'));
    }
  };
  walk(root);
  return out;
}

/** What is wrong with the references in `text`, the content of `file` (a path relative to `root`). */
function badReferences(file: string, text: string, root: string = REPO_ROOT): string[] {
  const problems: string[] = [];
  const at = (index: number): string => `${file}:${text.slice(0, index).split('\n').length}`;
  const old = OLD_NOTE.exec(text);
  if (old) problems.push(`${at(old.index)} cites the old design note: point at docs/architecture.md`);
  const machine = MACHINE_PATH.exec(text);
  if (machine)
    problems.push(`${at(machine.index)} names a path of a machine: ${text.slice(machine.index).split(/[\s'"`)]/)[0]}`);
  for (const match of text.matchAll(CLIMBING_PATH)) {
    const path = (match[1] as string).replace(/[.,;:]+$/, '');
    // From the source file, or from its compiled copy in dist/ (`new URL('../../../package.json', import.meta.url)`).
    const targets = [resolve(root, dirname(file), path), resolve(root, 'dist', dirname(file), path)].filter(
      (target) => !relative(root, target).startsWith('..'),
    );
    if (targets.length === 0) problems.push(`${at(match.index)} leaves the repository: ${path}`);
    else if (!targets.some((target) => existsSync(target) || existsSync(target.replace(/\.js$/, '.ts')))) {
      problems.push(`${at(match.index)} names nothing in the repository: ${path}`);
    }
  }
  for (const match of text.matchAll(DOC)) {
    if (!existsSync(join(root, match[0]))) problems.push(`${at(match.index)} names a missing ${match[0]}`);
  }
  return problems;
}

test('nothing in src cites the old design note, a machine path, or a path outside the repository', () => {
  const problems = filesUnder('src', ['.ts']).flatMap((file) =>
    badReferences(file, readFileSync(join(REPO_ROOT, file), 'utf8')),
  );
  assert.deepEqual(problems, []);
});

test('tests, benchmarks, scripts, examples and docs cite docs/architecture.md, not the old note', () => {
  const files = [
    ...['test', 'bench', 'scripts', 'examples', 'docs'].flatMap((dir) =>
      filesUnder(dir, ['.ts', '.mjs', '.sh', '.md', '.js']),
    ),
    'README.md',
  ];
  const citing = files.filter((file) => OLD_NOTE.test(readFileSync(join(REPO_ROOT, file), 'utf8')));
  assert.deepEqual(citing, []);
  assert.ok(existsSync(join(REPO_ROOT, 'docs/architecture.md')));
});

test('the checker catches each kind of outside reference, and passes paths inside the repository', () => {
  const note = ['DESIGN', 'md'].join('.');
  const found = (text: string): string[] => badReferences('src/web/x.ts', text);
  assert.match(found(`/** (${note} habit 4) */`).join(), /old design note/);
  assert.match(found('// measured with /work/shared/bench').join(), /path of a machine/);
  assert.match(found('// set WIREKIT_BENCH=~/.cache/bench').join(), /path of a machine/);
  assert.match(found('// see ../../../../shared/bench/README.md').join(), /leaves the repository/);
  assert.match(found('// see ../shared/bench/run.sh').join(), /names nothing/);
  assert.match(found('// see docs/nothing-here.md').join(), /missing docs\/nothing-here\.md/);
  assert.deepEqual(
    found("import { App } from './app.js';\nimport { x } from '../errors.js'; // docs/architecture.md, web"),
    [],
  );
  assert.deepEqual(found("serveStatic('./public'); new URL('../../package.json', import.meta.url); '/api/x'"), []);
});
