// The peer of bench/cluster-app.ts: node:cluster (round robin) with node:http, WORKERS processes.
//   PORT=3000 WORKERS=4 node bench/node-cluster-app.mjs
import cluster from 'node:cluster';
import http from 'node:http';

const workers = Number(process.env.WORKERS ?? 1);
if (cluster.isPrimary) {
  for (let i = 0; i < workers; i++) cluster.fork();
  let listening = 0;
  cluster.on('listening', () => {
    if (++listening === workers) console.log(`listening on http://127.0.0.1:${process.env.PORT}`);
  });
  process.on('SIGTERM', () => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill();
    process.exit(0);
  });
} else {
  http
    .createServer((req, res) => {
      if (req.url === '/json') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"message":"Hello, World!"}');
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' }).end('Hello, World!');
      }
    })
    .listen(Number(process.env.PORT ?? 3000), '127.0.0.1');
}
