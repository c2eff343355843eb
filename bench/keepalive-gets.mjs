// Sends N keep-alive GETs of PATH to 127.0.0.1:PORT over 10 connections, one request per connection
// at a time (no pipelining). Used by bench/instructions-per-request.sh; bounded by N.
// With BODY_FILE set, each request is a POST of that file as application/json (e.g. POST /echo).
import { readFileSync } from 'node:fs';
import http from 'node:http';

const [port, path, n] = [Number(process.argv[2]), process.argv[3] ?? '/', Number(process.argv[4] ?? 1000)];
const body = process.env.BODY_FILE ? readFileSync(process.env.BODY_FILE) : undefined;
const method = body === undefined ? 'GET' : 'POST';
const headers = body === undefined ? {} : { 'content-type': 'application/json', 'content-length': body.length };
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
let started = 0;
let done = 0;
await new Promise((resolve, reject) => {
  const one = () => {
    if (started >= n) return;
    started++;
    http
      .request({ port, host: '127.0.0.1', path, agent, method, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          done++;
          if (done === n) resolve();
          else one();
        });
      })
      .on('error', reject)
      .end(body);
  };
  for (let i = 0; i < 10; i++) one();
});
agent.destroy();
