/**
 * A line-based TCP echo client: sends each argument as a line and prints what comes back.
 *
 *   PORT=7002 node dist/examples/tcp-echo-client.js hello world
 */
import { connect, lines, writeLine } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7002);
const host = process.env.HOST ?? '127.0.0.1';
const messages = process.argv.length > 2 ? process.argv.slice(2) : ['hello', 'wirekit'];

const conn = await connect({ host, port, connectTimeoutMs: 5000 });
const replies = lines(conn);
for (const message of messages) {
  await writeLine(conn, message);
  const reply = await replies.next();
  if (reply.done) throw new Error('the server closed the connection');
  console.log(reply.value);
}
await conn.close({ timeoutMs: 2000 });
