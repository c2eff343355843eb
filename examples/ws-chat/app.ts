/**
 * A chat room over WebSockets: `GET /` is the page, `/chat/:room?name=…` the WebSocket. The
 * route's middleware refuses a missing name with 401 before any upgrade; every message is
 * published to the room's topic (framed once for all its members).
 */
import { App, UnauthorizedError } from 'wirekit';

export interface Member {
  name: string;
  room: string;
}

export function createChatApp(): App<{ name: string }> {
  const app = new App<{ name: string }>();
  app.get('/', (c) => c.html(PAGE));
  app.ws<Member>(
    '/chat/:room',
    async (c, next) => {
      const name = c.req.query.get('name')?.trim();
      if (!name) throw new UnauthorizedError('pick a name: ?name=…');
      c.set('name', name.slice(0, 32));
      await next();
    },
    {
      maxMessageBytes: 4096,
      upgrade: (c) => ({ name: c.var.name, room: c.req.param('room') ?? 'lobby' }),
      open(ws) {
        ws.subscribe(ws.data.room);
        app.publish(ws.data.room, `${ws.data.name} joined`);
      },
      message(ws, text) {
        if (typeof text === 'string') app.publish(ws.data.room, `${ws.data.name}: ${text}`);
      },
      close(ws) {
        app.publish(ws.data.room, `${ws.data.name} left`);
      },
    },
  );
  return app;
}

/** The browser side: the standard WebSocket API. */
const PAGE = `<!doctype html>
<meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>wirekit chat</title>
<form id="f"><input id="t" autocomplete="off" placeholder="say something"> <button>Send</button></form>
<ul id="log"></ul>
<script>
  const name = prompt('Your name?') || 'anonymous';
  const ws = new WebSocket(\`\${location.origin.replace('http', 'ws')}/chat/lobby?name=\${encodeURIComponent(name)}\`);
  ws.onmessage = (e) => { const li = document.createElement('li'); li.textContent = e.data; log.append(li); };
  ws.onclose = (e) => { const li = document.createElement('li'); li.textContent = \`closed (\${e.code})\`; log.append(li); };
  f.onsubmit = (e) => { e.preventDefault(); ws.send(t.value); t.value = ''; };
</script>`;
