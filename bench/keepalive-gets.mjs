// Sends N keep-alive GETs of PATH to 127.0.0.1:PORT over 10 connections, one request per connection
// at a time (no pipelining). Used by bench/instructions-per-request.sh; bounded by N.
import http from 'node:http';

const [port, path, n] = [Number(process.argv[2]), process.argv[3] ?? '/', Number(process.argv[4] ?? 1000)];
const agent = new http.Agent({ keepAlive: true, maxSockets: 10 });
let started = 0;
let done = 0;
await new Promise((resolve, reject) => {
  const one = () => {
    if (started >= n) return;
    started++;
    http
      .get({ port, host: '127.0.0.1', path, agent }, (res) => {
        res.resume();
        res.on('end', () => {
          done++;
          if (done === n) resolve();
          else one();
        });
      })
      .on('error', reject);
  };
  for (let i = 0; i < 10; i++) one();
});
agent.destroy();
