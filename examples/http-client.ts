/**
 * The tutorial's HTTP client, on wirekit: fetch a URL (the first argument, or the demo server at
 * http://127.0.0.1:8080/), print the status code and reason, then the body.
 *
 *   node dist/examples/http-client.js http://127.0.0.1:8080/json
 *
 * A failure says which phase failed (DNS, connect, TLS, headers…) and exits with code 1.
 */
import { isWirekitError, request } from '../src/index.js';

const url = process.argv[2] ?? 'http://127.0.0.1:8080/';

try {
  const response = await request(url, { timeouts: { connectTimeoutMs: 5_000, headersTimeoutMs: 10_000 } });
  console.log(`${response.status} ${response.statusText}`);
  console.log(await response.body.text());
} catch (error) {
  console.error(isWirekitError(error) ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
}
