#!/usr/bin/env node
/**
 * The `wirekit` command. Sub-commands arrive with their layers; this file only dispatches.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const HELP = `wirekit - one network stack for Node.js

Usage:
  wirekit <command> [options]

Commands arrive as the layers land (serve, request, tcp, udp, bench, proxy).

Options:
  -h, --help       show this help
  -v, --version    print the version
`;

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

/** Runs the CLI with `argv` (without node and script); returns the exit code. */
export function main(argv: readonly string[], out: (text: string) => void = (t) => process.stdout.write(t)): number {
  const [first] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    out(HELP);
    return first === undefined ? 1 : 0;
  }
  if (first === '-v' || first === '--version') {
    out(`${version()}\n`);
    return 0;
  }
  process.stderr.write(`wirekit: unknown command '${first}'\n\n${HELP}`);
  return 2;
}

// Run only as a program (also through npm's bin symlink), not when imported by a test.
const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
