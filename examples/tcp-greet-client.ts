/**
 * The tutorial's first TCP client: connect, read the greeting until the server ends, print it.
 *
 *   PORT=7001 node dist/examples/tcp-greet-client.js
 */
import { connect } from '../src/net/index.js';

const port = Number(process.env.PORT ?? 7001);
const host = process.env.HOST ?? '127.0.0.1';

const conn = await connect({ host, port, connectTimeoutMs: 5000 });
const decoder = new TextDecoder();
let greeting = '';
// The loop ends when the server ends its side; the connection then ends ours and closes.
for await (const chunk of conn) greeting += decoder.decode(chunk, { stream: true });
console.log(greeting.trim());
