import type { Command } from '../io.js';
import { benchCommand } from './bench.js';
import { certCommand } from './cert.js';
import { proxyCommand } from './proxy.js';
import { requestCommand } from './request.js';
import { serveCommand } from './serve.js';
import { tcpCommand } from './tcp.js';
import { udpCommand } from './udp.js';
import { wsCommand } from './ws.js';

/** Every sub-command, in the order `wirekit --help` lists them. Commands register here as they land. */
export const COMMANDS: readonly Command[] = [
  serveCommand,
  requestCommand,
  benchCommand,
  tcpCommand,
  udpCommand,
  wsCommand,
  proxyCommand,
  certCommand,
];
