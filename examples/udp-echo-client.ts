/**
 * A UDP echo client: sends each argument as a datagram and prints the reply. UDP promises
 * nothing, so a reply that does not come within two seconds is reported, not waited for forever.
 *
 *   PORT=7003 node dist/examples/udp-echo-client.js ping pong
 */
import { bind, type Datagram } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7003);
const host = process.env.HOST ?? '127.0.0.1';
const messages = process.argv.length > 2 ? process.argv.slice(2) : ['ping'];

const socket = await bind({ host: host.includes(':') ? '::1' : '127.0.0.1' });
await socket.connect(port, host); // now send(data) goes there, and only its replies are received

function withTimeout(reply: Promise<Datagram | null>, ms: number): Promise<Datagram | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), ms);
  });
  return Promise.race([reply, timeout]).finally(() => clearTimeout(timer));
}

let exitCode = 0;
for (const message of messages) {
  await socket.send(message);
  const reply = await withTimeout(socket.receive(), 2000);
  if (reply === null) {
    console.log(`no reply to ${JSON.stringify(message)}`);
    exitCode = 1;
  } else {
    console.log(new TextDecoder().decode(reply.data));
  }
}
await socket.close();
process.exitCode = exitCode;
