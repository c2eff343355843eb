#!/usr/bin/env node
/**
 * The `wirekit` command: dispatches to `src/cli/commands/*`, which use the public API only.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { COMMANDS } from './commands/index.js';
import { type CliIo, processIo } from './io.js';
import { packageVersion } from './version.js';

function help(): string {
  const width = Math.max(8, ...COMMANDS.map((c) => c.name.length)) + 2;
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`);
  return `wirekit - one network stack for Node.js

Usage:
  wirekit <command> [options]
  wirekit <command> --help

Commands:
${lines.join('\n')}

Options:
  -h, --help       show this help
  -v, --version    print the version
`;
}

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.stdout.write(help());
    return first === undefined ? 1 : 0;
  }
  if (first === '-v' || first === '--version') {
    io.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS.find((c) => c.name === first);
  if (command === undefined) {
    io.stderr.write(`wirekit: unknown command '${first}'\n\n${help()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(command.help);
    return 0;
  }
  return command.run(rest, io);
}

// Run only as a program (also through npm's bin symlink), not when imported by a test.
const entry = process.argv[1];
if (entry !== undefined && realpathSync(entry) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2), processIo()).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`wirekit: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
