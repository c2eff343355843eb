/**
 * The WebSocket echo app contract (README, WebSockets; `PORT=3000 node dist/bench/ws-echo.js`), written with the
 * public API as a user would: upgrades on any path, every message echoed with its opcode. It
 * declines permessage-deflate unless `WS_DEFLATE=1` (then it accepts what the client offers, keeps
 * context as asked, and compresses every echo). Messages over 16 MiB (`WS_MAX_MESSAGE` overrides)
 * get Close 1009. The benchmark harness and the black-box conformance suite start it.
 */
// The package entries, as a user imports them (the bundles in dist/pkg).
import { serve } from 'wirekit/http';
import { WebSocketServer } from 'wirekit/ws';

const deflate = process.env.WS_DEFLATE === '1';
const echo = new WebSocketServer(
  {
    message: (ws, data) => {
      ws.sendNow(data);
    },
  },
  {
    maxMessageBytes: Number(process.env.WS_MAX_MESSAGE ?? 16 * 1024 * 1024),
    // Honour the client's offer as it is: context takeover unless it asks otherwise; every echo compressed.
    perMessageDeflate: deflate && { serverNoContextTakeover: false, clientNoContextTakeover: false, thresholdBytes: 0 },
  },
);

const server = await serve((req, info) => echo.upgrade(req, info), {
  port: Number(process.env.PORT ?? 3000),
  host: process.env.HOST ?? '127.0.0.1',
  onClose: () => echo.close(),
});
process.stdout.write(`ws echo app listening on ws://${server.address.address}:${server.address.port}/\n`);
const stop = (): void => {
  server.close({ timeoutMs: 1000 }).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
