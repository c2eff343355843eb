/**
 * Every ```ts block of README.md compiles and runs as printed, as a user's code would: each block
 * becomes a module of a project outside the repository that installed the packed package
 * (test/helpers/consumer.ts), all are type-checked with `strict` against the package's published
 * types, and the ones that can run are run with Node (each must exit with code 0 within 20 s).
 *
 * Conventions, as HTML comments on the lines just before a block's fence (GitHub shows none):
 *
 * - `<!-- no-run -->` or `<!-- no-run: why -->`: type-check the block, do not run it. For blocks
 *   that need a peer (a server on port 8080), listen on a fixed port, or run until stopped.
 * - `<!-- prelude` … `-->`: TypeScript put before the block, unseen by readers, for what a
 *   fragment takes from the text around it (`import { connect } from 'wirekit/net';`,
 *   `declare const conn: Connection;`). A block with a `declare` in its prelude cannot run.
 * - `<!-- no-check: why -->`: neither, with the reason (only for a block compiled elsewhere, such
 *   as the demo's app.ts, which test/examples/demo.test.ts keeps equal to its file).
 *
 * A block with none of these is type-checked and run: a new README section gets both by default.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Consumer, packedConsumer } from './helpers/consumer.js';
import { REPO_ROOT } from './helpers/paths.js';

/** One ```ts block and what the comments before it say. */
interface Snippet {
  /** README line of the block's first code line (1-based). */
  line: number;
  code: string;
  prelude: string;
  run: boolean;
  check: boolean;
}

const DIRECTIVE = /^<!--\s*(no-run|no-check|prelude)\b(?::?)([\s\S]*?)-->$/;

/** The ```ts and ```typescript blocks of `markdown`, with their directives; throws on a malformed one. */
function snippets(markdown: string): Snippet[] {
  const lines = markdown.split('\n');
  const out: Snippet[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(\w*)\s*$/.exec(lines[i] as string);
    if (fence === null) continue;
    let end = i + 1;
    while (end < lines.length && !(lines[end] as string).startsWith('```')) end++;
    if (fence[1] === 'ts' || fence[1] === 'typescript') {
      out.push({ line: i + 2, code: lines.slice(i + 1, end).join('\n'), ...directivesBefore(lines, i) });
    }
    i = end;
  }
  return out;
}

/** Reads the HTML comments directly above line `fence` (blank lines between them allowed). */
function directivesBefore(lines: string[], fence: number): Pick<Snippet, 'prelude' | 'run' | 'check'> {
  const found = { prelude: '', run: true, check: true };
  let i = fence - 1;
  while (i >= 0 && (lines[i] as string).trim() === '') i--;
  while (i >= 0 && (lines[i] as string).trimEnd().endsWith('-->')) {
    let start = i;
    while (start > 0 && !(lines[start] as string).trimStart().startsWith('<!--')) start--;
    const comment = lines
      .slice(start, i + 1)
      .join('\n')
      .trim();
    const match = DIRECTIVE.exec(comment);
    if (match === null) throw new Error(`README line ${start + 1}: unknown directive ${comment.split('\n')[0]}`);
    const [, kind, body] = match as unknown as [string, string, string];
    if (kind === 'no-run') found.run = false;
    if (kind === 'no-check') {
      if (body.trim() === '') throw new Error(`README line ${start + 1}: <!-- no-check: … --> needs its reason`);
      found.check = false;
      found.run = false;
    }
    if (kind === 'prelude') found.prelude = `${body.trim()}\n${found.prelude}`;
    i = start - 1;
    while (i >= 0 && (lines[i] as string).trim() === '') i--;
  }
  if (/^\s*declare\s/m.test(found.prelude)) found.run = false;
  return found;
}

const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
const blocks = snippets(readme);
const checked = blocks.filter((b) => b.check);
const fileOf = (b: Snippet): string => `readme/line-${b.line}.ts`;
const preludeLines = (b: Snippet): number => (b.prelude === '' ? 0 : b.prelude.split('\n').length - 1);

let consumer: Consumer;
let compiled: { code: number | null; output: string };

before(async () => {
  consumer = await packedConsumer();
  const files: Record<string, string> = {
    'tsconfig.json': JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023'],
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        moduleDetection: 'force',
        strict: true,
        types: ['node'],
        outDir: 'out',
        rootDir: '.',
      },
      include: ['readme'],
    }),
  };
  for (const b of checked) files[fileOf(b)] = `${b.prelude}${b.code}\n`;
  consumer.write(files);
  const tsc = await consumer.tsc(['-p', 'tsconfig.json']);
  compiled = { code: tsc.code, output: tsc.stdout + tsc.stderr };
});

after(() => consumer?.remove());

test('the README has ts blocks, and the checker reads its directives', () => {
  assert.ok(checked.length >= 10, `found ${checked.length} blocks to check`);
  const sample = snippets(
    'a\n<!-- no-run: a server -->\n\n<!-- prelude\ndeclare const x: number;\n-->\n```ts\nx;\n```\n```ts\n1;\n```\n',
  );
  assert.deepEqual(sample, [
    { line: 8, code: 'x;', prelude: 'declare const x: number;\n', run: false, check: true },
    { line: 11, code: '1;', prelude: '', run: true, check: true },
  ]);
  assert.throws(() => snippets('<!-- norun -->\n```ts\n1;\n```\n'), /unknown directive/);
  assert.throws(() => snippets('<!-- no-check -->\n```ts\n1;\n```\n'), /needs its reason/);
});

/** tsc's errors, as README.md:line:column (it prints `readme/line-N.ts(row,col): error …`). */
function readmeErrors(): string {
  return compiled.output.replace(/readme\/line-(\d+)\.ts\((\d+),(\d+)\)/g, (_, start, row, col) => {
    const b = checked.find((s) => s.line === Number(start)) as Snippet;
    return `README.md:${b.line + Number(row) - 1 - preludeLines(b)}:${col}`;
  });
}

test('every README ts block type-checks against the packed package (strict, NodeNext)', () => {
  assert.equal(compiled.code, 0, `README blocks do not compile:\n${readmeErrors()}`);
});

for (const b of checked.filter((s) => s.run)) {
  test(`README.md:${b.line} runs to completion`, async () => {
    assert.ok(!compiled.output.includes(`${fileOf(b)}(`), 'it compiles (see the type-check test)');
    const result = await consumer.node([join('out', fileOf(b).replace(/\.ts$/, '.js'))], 20_000);
    const hint = 'if it needs a peer, listens on a fixed port or runs until stopped, mark it <!-- no-run: why -->';
    assert.equal(result.code, 0, `README.md:${b.line} failed (${hint}):\n${result.stdout}\n${result.stderr}`);
  });
}
