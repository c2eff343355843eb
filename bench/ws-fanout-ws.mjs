// The fan-out server of bench/ws-fanout.mjs on `ws` 8, written the usual way (the broadcast
// example of ws's README): each message that arrives on /control is sent to every other open
// client by a loop over `wss.clients`. No permessage-deflate. `PORT=3000 node bench/ws-fanout-ws.mjs`
import { WebSocket, WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: process.env.HOST || '127.0.0.1',
  port: Number(process.env.PORT || 3000),
  perMessageDeflate: false,
});
wss.on('connection', (ws, req) => {
  ws.on('error', () => {});
  if (req.url !== '/control') return;
  ws.on('message', (data, isBinary) => {
    for (const client of wss.clients) {
      if (client !== ws && client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
    }
  });
});
