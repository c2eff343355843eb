import type { Command } from '../io.js';
import { benchCommand } from './bench.js';
import { requestCommand } from './request.js';
import { serveCommand } from './serve.js';

/** Every sub-command, in the order `wirekit --help` lists them. Commands register here as they land. */
export const COMMANDS: readonly Command[] = [serveCommand, requestCommand, benchCommand];
