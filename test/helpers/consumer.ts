/**
 * A project outside the repository that uses wirekit as a user's would: the package as `npm pack`
 * makes it (the built dist/ and the `files` of package.json, nothing else), unpacked into the
 * project's node_modules/wirekit. Its runtime dependency and what a user adds beside it (Node's
 * types, zod, a Toxiproxy client: the repository's dependencies and devDependencies) are linked
 * from the repository's node_modules, so making one takes a few seconds and no network: what npm
 * would add on top is resolving `mime`, which is npm's business.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);

/** The packages linked into a consumer besides wirekit: the repository's own, which README snippets may import. */
function linked(): string[] {
  const manifest = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  return [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.devDependencies ?? {})];
}

/** What a process printed and how it ended. */
export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A consumer project in a temp directory. */
export interface Consumer {
  dir: string;
  /** The `.tgz` that `npm pack` made. */
  tarball: string;
  /** Writes `files` (path relative to the project → text). */
  write(files: Record<string, string>): void;
  /** Runs `node args…` in the project. */
  node(args: string[], timeoutMs?: number): Promise<Outcome>;
  /** Runs the repository's TypeScript compiler in the project (`tsc args…`). */
  tsc(args: string[]): Promise<Outcome>;
  remove(): void;
}

/** Packs the repository (as built by `npm test`) and makes a consumer project of type `type`. */
export async function packedConsumer(type: 'module' | 'commonjs' = 'module'): Promise<Consumer> {
  const dir = mkdtempSync(join(tmpdir(), 'wirekit-consumer-'));
  // --ignore-scripts: pack the dist/ this run built; `prepare` would rebuild it under running tests.
  const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], {
    cwd: REPO_ROOT,
  });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  const tarball = join(dir, filename);
  const target = join(dir, 'node_modules/wirekit');
  mkdirSync(target, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', target, '--strip-components=1']);
  for (const name of linked()) {
    mkdirSync(dirname(join(dir, 'node_modules', name)), { recursive: true });
    symlinkSync(join(REPO_ROOT, 'node_modules', name), join(dir, 'node_modules', name), 'dir');
  }
  const consumer: Consumer = {
    dir,
    tarball,
    write(files) {
      for (const [path, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, path)), { recursive: true });
        writeFileSync(join(dir, path), text);
      }
    },
    node: (args, timeoutMs = 30_000) => outcome(process.execPath, args, dir, timeoutMs),
    tsc: (args) => outcome(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), ...args], dir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  consumer.write({ 'package.json': `${JSON.stringify({ name: 'consumer', private: true, type }, null, 2)}\n` });
  return consumer;
}

/** Runs a command to its end (killed after `timeoutMs`) and returns what it printed, failing or not. */
export async function outcome(file: string, args: string[], cwd: string, timeoutMs = 60_000): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(file, args, { cwd, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number | string; stdout?: string; stderr?: string; killed?: boolean };
    const code = typeof failed.code === 'number' ? failed.code : null;
    const killed = failed.killed ? `\n(killed after ${timeoutMs} ms)` : '';
    return { code, stdout: failed.stdout ?? '', stderr: `${failed.stderr ?? String(error)}${killed}` };
  }
}
