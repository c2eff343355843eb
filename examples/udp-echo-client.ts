/**
 * A UDP echo client: sends each argument as a datagram and prints the reply. UDP promises
 * nothing, so a reply that does not come within two seconds is reported, not waited for forever.
 *
 *   PORT=7003 node dist/examples/udp-echo-client.js ping pong
 */
import { isWirekitError } from '../src/errors.js';
import { bind } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7003);
const host = process.env.HOST ?? '127.0.0.1';
const messages = process.argv.length > 2 ? process.argv.slice(2) : ['ping'];

const socket = await bind({ host: host.includes(':') ? '::1' : '127.0.0.1' });
await socket.connect(port, host); // now send(data) goes there, and only its replies are received

let exitCode = 0;
for (const message of messages) {
  await socket.send(message);
  try {
    const reply = await socket.receive({ timeoutMs: 2000 });
    if (reply !== null) console.log(new TextDecoder().decode(reply.data));
  } catch (error) {
    // A timeout, or ECONNREFUSED (WK_ERR_UDP) when nothing listens on that port.
    if (!isWirekitError(error)) throw error;
    console.log(`no reply to ${JSON.stringify(message)} (${error.code})`);
    exitCode = 1;
  }
}
await socket.close();
process.exitCode = exitCode;
