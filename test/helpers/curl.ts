/**
 * curl (the Debian package; `.ci/run` installs it) as a real client in middleware tests: one
 * request, the status, the final response's fields and the body. With `--anyauth` and the like,
 * curl sends several requests; the answer is the last one's.
 */
import { execFile } from 'node:child_process';

/** What curl received for the last response of an invocation. */
export interface CurlAnswer {
  status: number;
  /** Lower-cased names, as curl saw them (repeated fields joined with `, `). */
  headers: Map<string, string>;
  body: string;
}

/** Runs `curl <args> <url>`, failing with curl's stderr when curl itself fails. */
export function curlRequest(url: string, args: readonly string[] = []): Promise<CurlAnswer> {
  return new Promise((resolve, reject) => {
    const argv = ['--silent', '--show-error', '--http1.1', '--dump-header', '-', ...args, url];
    execFile('curl', argv, { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`curl ${argv.join(' ')} failed: ${error.message}\n${stderr}`));
        return;
      }
      resolve(lastAnswer(stdout));
    });
  });
}

/** The last head of the dump (one per response curl read, interim ones included) and the body after it. */
function lastAnswer(output: string): CurlAnswer {
  let rest = output;
  let answer: CurlAnswer = { status: 0, headers: new Map(), body: '' };
  while (/^HTTP\/[0-9.]+ \d{3}/.test(rest)) {
    const end = rest.indexOf('\r\n\r\n');
    const head = rest.slice(0, end === -1 ? rest.length : end).split('\r\n');
    rest = end === -1 ? '' : rest.slice(end + 4);
    const headers = new Map<string, string>();
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    answer = { status: Number((head[0] ?? '').split(' ')[1]), headers, body: '' };
  }
  answer.body = rest;
  return answer;
}
