/** The options checker: unknown keys with the nearest valid one, kinds, ranges, enums, coercion, nesting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isWirekitError } from '../../src/errors.js';
import {
  anyOf,
  boolean,
  checkOption,
  describeValue,
  func,
  integer,
  listOf,
  nested,
  OptionsSchema,
  oneOf,
  port,
  string,
} from '../../src/util/options.js';

interface Sample {
  port?: number;
  host?: string;
  idleTimeoutMs?: number;
  mode?: 'a' | 'b';
  tags?: readonly string[];
  onError?: () => void;
  inner?: { depth?: number };
  flag?: boolean | string;
}

const SAMPLE = new OptionsSchema<Sample>('sample()', {
  port: port(),
  host: string(),
  idleTimeoutMs: integer(0),
  mode: oneOf('a', 'b'),
  tags: listOf(string(), 'a list of strings'),
  onError: func(),
  inner: nested(new OptionsSchema<{ depth?: number }>('sample() inner', { depth: integer(1, 10) })),
  flag: anyOf(boolean(), string()),
});

function invalid(pattern: RegExp) {
  return (error: unknown) => {
    assert.ok(isWirekitError(error, 'WK_ERR_INVALID_ARGUMENT'), String(error));
    assert.match((error as Error).message, pattern);
    return true;
  };
}

describe('OptionsSchema', () => {
  test('an unknown key names the nearest valid one', () => {
    assert.throws(
      () => SAMPLE.check({ prot: 3000 } as Sample),
      invalid(/^unknown option "prot" for sample\(\); did you mean "port"\?$/),
    );
    assert.throws(() => SAMPLE.check({ Host: 'x' } as Sample), invalid(/did you mean "host"\?/));
    assert.throws(() => SAMPLE.check({ idleTimeout: 5 } as Sample), invalid(/did you mean "idleTimeoutMs"\?/));
    assert.throws(() => SAMPLE.check({ onEror: () => {} } as Sample), invalid(/did you mean "onError"\?/));
  });

  test('an unknown key far from every valid one lists them all', () => {
    assert.throws(
      () => SAMPLE.check({ zzzzzz: 1 } as Sample),
      invalid(
        /unknown option "zzzzzz" for sample\(\); valid options: flag, host, idleTimeoutMs, inner, mode, onError, port, tags$/,
      ),
    );
  });

  test('values of the wrong kind or out of range say what was expected and what came', () => {
    assert.throws(
      () => SAMPLE.check({ host: 80 } as unknown as Sample),
      invalid(/^sample\(\): host must be a string, got a number \(80\)$/),
    );
    assert.throws(
      () => SAMPLE.check({ idleTimeoutMs: -1 }),
      invalid(/idleTimeoutMs must be an integer ≥ 0, got a number \(-1\)/),
    );
    assert.throws(
      () => SAMPLE.check({ mode: 'c' } as unknown as Sample),
      invalid(/mode must be one of "a", "b", got a string \("c"\)/),
    );
    assert.throws(
      () => SAMPLE.check({ tags: ['x', 1] } as unknown as Sample),
      invalid(/tags must be a list of strings, got an array \(\["x",1\]\)/),
    );
    assert.throws(
      () => SAMPLE.check({ onError: 'no' } as unknown as Sample),
      invalid(/onError must be a function, got a string/),
    );
    assert.throws(
      () => SAMPLE.check({ flag: 1 } as unknown as Sample),
      invalid(/flag must be a boolean or a string, got a number/),
    );
    assert.throws(
      () => SAMPLE.check('port=1' as unknown as Sample),
      invalid(/sample\(\): the options must be an object, got a string/),
    );
  });

  test('a nested options object is checked by its own schema', () => {
    assert.throws(
      () => SAMPLE.check({ inner: { dept: 2 } } as Sample),
      invalid(/unknown option "dept" for sample\(\) inner; did you mean "depth"\?/),
    );
    assert.throws(
      () => SAMPLE.check({ inner: { depth: 11 } }),
      invalid(/sample\(\) inner: depth must be an integer from 1 to 10/),
    );
    assert.throws(() => SAMPLE.check({ inner: [] as never }), invalid(/inner must be an object, got an array/));
  });

  test('a port may be a string of digits; anything else in a string says "got a string"', () => {
    const given = { port: '3000' as unknown as number, host: 'h' };
    const checked = SAMPLE.check(given);
    assert.deepEqual(checked, { port: 3000, host: 'h' });
    assert.equal(given.port, '3000', 'the caller’s object is left alone');
    assert.equal(SAMPLE.check({ port: 0 }).port, 0);
    for (const bad of ['3000abc', ' 3000', '70000', '', '-1', '1e3']) {
      assert.throws(
        () => SAMPLE.check({ port: bad as unknown as number }),
        invalid(/port must be a port: an integer from 0 to 65535 .*got a string/),
        bad,
      );
    }
    assert.throws(() => SAMPLE.check({ port: 1.5 }), invalid(/got a number \(1\.5\)/));
  });

  test('valid options pass as they are; undefined values and no options too', () => {
    const options: Sample = {
      port: 1,
      host: 'h',
      mode: 'a',
      tags: ['x'],
      onError: () => {},
      inner: { depth: 3 },
      flag: 'y',
    };
    assert.equal(SAMPLE.check(options), options);
    assert.equal(SAMPLE.check(undefined), undefined);
  });

  test('checkKeys checks keys only (for per-request options)', () => {
    SAMPLE.checkKeys({ port: 'not checked' });
    SAMPLE.checkKeys(undefined);
    assert.throws(
      () => SAMPLE.checkKeys({ hots: 'x' }),
      invalid(/unknown option "hots" for sample\(\); did you mean "host"\?/),
    );
    const inherited = Object.create({ prot: 1 }) as object;
    SAMPLE.checkKeys(inherited);
  });

  test('extend and omit make schemas for options that add or drop keys', () => {
    const more = SAMPLE.extend<Sample & { extra?: string }>('more()', { extra: string() });
    more.check({ extra: 'x', port: 1 });
    assert.throws(() => more.check({ extra: 1 } as never), invalid(/^more\(\): extra must be a string/));
    const less = SAMPLE.omit<Omit<Sample, 'port'>>('less()', ['port']);
    assert.throws(() => less.check({ port: 1 } as never), invalid(/unknown option "port" for less\(\)/));
  });
});

describe('helpers', () => {
  test('describeValue', () => {
    assert.equal(describeValue('3000abc'), 'a string ("3000abc")');
    assert.equal(describeValue(null), 'null');
    assert.equal(describeValue(Number.NaN), 'a number (NaN)');
    assert.equal(describeValue(new Map()), 'a Map');
    assert.equal(describeValue({}), 'an object');
    assert.equal(describeValue('x'.repeat(100)).length < 60, true);
  });

  test('checkOption checks one value and passes undefined', () => {
    assert.equal(checkOption('f()', 'n', integer(0), 3), 3);
    assert.equal(checkOption('f()', 'n', integer(0), undefined), undefined);
    assert.throws(
      () => checkOption('f()', 'n', integer(0), -3),
      invalid(/^f\(\): n must be an integer ≥ 0, got a number \(-3\)$/),
    );
    assert.throws(() => checkOption('', 'n', integer(0), -3), invalid(/^n must be/));
  });
});
