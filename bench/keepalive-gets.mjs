// Sends N keep-alive GETs of PATH to 127.0.0.1:PORT over 10 connections, one request per connection
// at a time (no pipelining). With BODY_FILE set, each request is a POST of that file's bytes as
// application/json instead (the echo scenario). Used by bench/instructions-per-request.sh; bounded by N.
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [port, path, n] = [Number(process.argv[2]), process.argv[3] ?? '/', Number(process.argv[4] ?? 1000)];
const body = process.env.BODY_FILE ? readFileSync(process.env.BODY_FILE) : undefined;
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
const options = { port, host: '127.0.0.1', path, agent };
if (body !== undefined) {
  options.method = 'POST';
  options.headers = { 'content-type': 'application/json', 'content-length': body.length };
}
let started = 0;
let done = 0;
await new Promise((resolve, reject) => {
  const one = () => {
    if (started >= n) return;
    started++;
    const req = http.request(options, (res) => {
      res.resume();
      res.on('end', () => {
        done++;
        if (done === n) resolve();
        else one();
      });
    });
    req.on('error', reject);
    req.end(body);
  };
  for (let i = 0; i < 10; i++) one();
});
agent.destroy();
