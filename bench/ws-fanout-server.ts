/**
 * The fan-out server of `bench/ws-fanout.mjs`, written with the public API as a user would:
 * every connection to `/` subscribes to the topic `fan`; each message that arrives on `/control`
 * is published to it (`server.publish`: framed once for every subscriber). Default options (pings
 * every 30 s included). `PORT=3000 node dist/bench/ws-fanout-server.js`
 */
import { serve } from 'wirekit/http';
import { WebSocketServer } from 'wirekit/ws';

const fan = new WebSocketServer<{ control: boolean }>({
  open: (ws) => {
    if (!ws.data.control) ws.subscribe('fan');
  },
  message: (_ws, data) => {
    fan.publish('fan', data);
  },
});

const server = await serve(
  (req, info) => fan.upgrade(req, info, { data: { control: new URL(req.url).pathname === '/control' } }),
  {
    port: Number(process.env.PORT ?? 3000),
    host: process.env.HOST ?? '127.0.0.1',
    onClose: () => fan.close(),
  },
);
process.stdout.write(`ws fan-out app listening on ws://${server.address.address}:${server.address.port}/\n`);
const stop = (): void => {
  server.close({ timeoutMs: 1000 }).then(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
