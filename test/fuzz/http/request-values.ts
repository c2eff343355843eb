/**
 * Values on the edges of RFC 9110/9112 and of what parsers tolerate, for the request mutators:
 * methods, targets, versions, separators, line ends, field names and values, Content-Length and
 * Transfer-Encoding values, chunk sizes, extensions and the bytes that end chunks.
 */

// biome-ignore format: a table reads better packed
export const METHODS = [
  'GET', 'POST', 'PUT', 'HEAD', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PRI', 'M-SEARCH', 'PROPFIND',
  'get', 'Get', 'GETS', 'G', 'FOO', 'X-METHOD', 'G\x7fT', 'G:T', 'G/T', 'GET\x00', '', '*', 'MKCOL', 'PURGE', 'SEARCH',
  'QUERY', 'LINK', 'SOURCE',
];

// biome-ignore format: a table reads better packed
export const TARGETS = [
  '/', '*', '/a/b?c=d', '/%00', '/%zz', '//a', '/a#frag', '/?q=|"{}^`', '/\x7f', '/\x80', '/\xff', '/a b', '/a\tb',
  'http://example.com/', 'http://example.com', 'http://u:p@example.com/', 'https://a:443/x', 'example.com:80', 'a:80',
  '[::1]:80', 'http:/a', 'HTTP://A/', 'a', '', '/\\', '/..%2f', '/a?b#c', 'x://y', 'http://a b/', 'http://[::1]/',
];

// biome-ignore format: a table reads better packed
export const VERSIONS = [
  'HTTP/1.1', 'HTTP/1.0', 'HTTP/0.9', 'HTTP/2.0', 'HTTP/2', 'HTTP/5.6', 'HTTP/1.2', 'HTTP/1.10', 'HTTP/01.1', 'http/1.1',
  'HTTP/1', 'HTTP/1.', 'HTTP/a.b', 'HTTP 1.1', 'HTTP/1.1 ', ' HTTP/1.1', 'HTTP/1.1\t', 'HTTPS/1.1', 'RTSP/1.0', '',
  'HTTP/1.1\x00', 'HTTP/9.9',
];

/** What may stand between the parts of a request line. */
export const SEPARATORS = [' ', '  ', '\t', ' \t', '', '\x0b', '\x0c', '\r', '\xa0'];

export const LINE_ENDS = ['\r\n', '\n', '\r', '\r\r\n', '\n\r', '\r\n\r\n', ' \r\n', '\x00\r\n'];

/** What may stand between a field name and its value. */
export const FIELD_SEPS = [':', ': ', ':\t', ' :', ' : ', '\t:', ':  ', '', '::', ': \x0b', ':\x0c', ': \xa0', ' \t: '];

// biome-ignore format: a table reads better packed
export const FIELD_NAMES = [
  'Host', 'X-Foo', 'Accept', 'Cookie', 'Connection', 'Upgrade', 'Expect', 'TE', 'Trailer', 'Content-Type',
  'Content-Length', 'Transfer-Encoding', 'Keep-Alive', 'Proxy-Connection', 'X-Forwarded-For', 'Te', 'a', 'X_Y',
  'X-\x7f', 'X Y', 'X\x00', '', 'Content-Length ', 'Transfer-Encoding\t', 'x-é', 'Host:', '"q"', 'Ho\x80st',
];

// biome-ignore format: a table reads better packed
export const FIELD_VALUES = [
  'a', '', ' ', 'a b', 'a\tb', '\x00', 'a\x01b', 'a\x7fb', '\x80', 'é', '\xff', 'x'.repeat(200), 'a,b', '"q\\"d"',
  'a\rb', 'a\nb', '0', '-1', 'close', 'chunked',
];

/** Whitespace and near-whitespace: OWS, the controls some parsers trim, NBSP and NEL (`String#trim` takes NBSP). */
export const WHITESPACE = [' ', '\t', '\x0b', '\x0c', '\xa0', '\x85', '\r', '\x00'];

// biome-ignore format: a table reads better packed
export const CONNECTION = [
  'close', 'keep-alive', 'upgrade', 'Close', 'CLOSE', 'close, upgrade', 'keep-alive, close', 'close\xa0', 'clo se',
  'closed', 'Upgrade', ',close', 'close,', 'TE, close', 'x\x00',
];

export const EXPECT = ['100-continue', '100-Continue', 'foo', '100-continue, foo', '100-continue\xa0', ''];

/** Content-Length values around a body of `n` bytes. */
// biome-ignore format: a table reads better packed
export const contentLengths = (n: number): string[] => [
  String(n), String(n + 1), String(Math.max(0, n - 1)), '0', '', ` ${n}`, `${n} `, `+${n}`, '-1', `0x${n.toString(16)}`,
  `${n},${n}`, `${n}, ${n}`, `${n},${n + 1}`, `00${n}`, '99999999999999999999', '1e3', `${n}\xa0`, `\t${n}`, `${n};`,
  '9007199254740992', '18446744073709551616',
];

// biome-ignore format: a table reads better packed
export const CODINGS = [
  'chunked', 'Chunked', 'CHUNKED', ' chunked', 'chunked ', 'chunked\xa0', 'chunked\x85', 'chunked\x80', 'chunked\xff',
  'chunked, chunked', 'gzip, chunked', 'chunked, gzip', 'identity', 'identity, chunked', 'chunked;q=1', 'x-chunked',
  'chunkedx', '"chunked"', 'chunked,', ',chunked', 'chunked\x00', 'chunked\t', 'gzip', '', 'chun ked', 'chunked, ',
  'deflate,chunked',
];

/** Chunk-size spellings around a chunk of `n` bytes. */
// biome-ignore format: a table reads better packed
export const chunkSizes = (n: number): string[] => [
  n.toString(16), n.toString(16).toUpperCase(), `0${n.toString(16)}`, `0x${n.toString(16)}`, ` ${n.toString(16)}`,
  `${n.toString(16)} `, `${n.toString(16)}\t`, (n + 1).toString(16), Math.max(0, n - 1).toString(16), '-1', `+${n}`,
  'fffffffffffffffff', '0000000000000000001', '', 'g', `${n.toString(16)}\x00`,
];

// biome-ignore format: a table reads better packed
export const CHUNK_EXTS = [
  '', ';a', ';a=b', ';a="b"', '; a = b', ';a="b\\"c"', ';', ';=b', ';a=', ';a="', ';a=b;c=d', ' ;a', '\t;a', ';a\x00',
  ';a=\xff', ';a="\x7f"', ';a=b c', ';a="\r"', ';a\r', `;${'x'.repeat(1100)}`,
];

export const CHUNK_DATA_ENDS = ['', '\n', '\r', '\r\r\n', 'xx', '\r\n\r\n', ' \r\n'];

/** Bodies, among them bytes that look like chunked framing or a whole request (smuggled if misframed). */
export const BODIES = [
  '',
  'a',
  'hello',
  '0\r\n\r\n',
  'GET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n',
  '\r\n',
  'x'.repeat(100),
  '\x00\xff',
];

/** Bytes before a request line. */
export const LEADS = ['\r\n', '\n', '\r', ' ', '\t', '\r\n\r\n', '\x00', '\r\r\n'];

/** Bytes after the last request. */
export const TAILS = ['\r', '\r\n', 'X', '\rX', 'GET', ' ', '\x00', '\n', 'GET / HTTP/1.1\r\n', '\r\n\r\n'];
