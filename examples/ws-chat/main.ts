/**
 * The chat room on http://127.0.0.1:8080 (PORT and HOST override): open it in two browser tabs.
 * Ctrl-C or SIGTERM closes every WebSocket with 1001 and stops.
 */
import { createChatApp } from './app.js';

const server = await createChatApp().listen({
  port: Number(process.env.PORT ?? 8080),
  host: process.env.HOST ?? '127.0.0.1',
});
const stop = (): void => {
  server.close({ timeoutMs: 5_000 }).then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
process.stdout.write(`chat running at ${server.url}/  (Ctrl-C to stop)\n`);
