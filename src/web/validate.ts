/**
 * Request validation with any Standard Schema v1 validator (zod, valibot, arktype, …): the
 * validator is the user's dependency, never ours; we only call `schema['~standard'].validate`.
 */
import type { Middleware } from './compose.js';
import type { Context } from './context.js';
import { HttpError } from './http-error.js';
import type { ValidationTarget, WebRequest } from './web-request.js';

/**
 * The Standard Schema v1 interface (standardschema.dev), restated here as its spec invites so
 * that no package is needed: any validator that implements it is accepted.
 *
 * @example
 * ```ts
 * const even: StandardSchemaV1<unknown, number> = {
 *   '~standard': { version: 1, vendor: 'mine', validate: (v) => (Number(v) % 2 === 0 ? { value: Number(v) } : { issues: [{ message: 'odd' }] }) },
 * };
 * ```
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

/** The outcome of a Standard Schema validation: a value, or issues. */
export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<StandardIssue> };

/** One problem reported by a validator; its path is a list of keys (or `{ key }` segments). */
export interface StandardIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/**
 * The output type of a schema. One indexed access, no conditional types, so it costs the type
 * checker nothing.
 *
 * @example
 * ```ts
 * const User = z.object({ name: z.string() });
 * const user = c.req.valid<Infer<typeof User>>('body'); // { name: string }
 * ```
 */
export type Infer<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** The schema of each request part to check. */
export type ValidationSchemas = Partial<Record<ValidationTarget, StandardSchemaV1>>;

/** One failed check in a 400 answer: the request part, the dotted path in it (`items.0.name`), the message. */
export interface ValidationIssue {
  readonly target: ValidationTarget;
  readonly path: string;
  readonly message: string;
}

/** Parts checked in this order; every part is checked and all issues are reported together. */
const TARGETS: readonly ValidationTarget[] = ['params', 'query', 'headers', 'cookies', 'body'];

/**
 * A middleware that validates parts of the request and stores each validator's output for the
 * handler (`c.req.valid(target)`). What each validator receives:
 *
 * - `params`: the route params, `{ id: '42' }`;
 * - `query`: `{ key: value }`, and `{ key: [v1, v2] }` for a key given more than once;
 * - `headers`: `{ name: value }`, names lower-cased, repeated fields joined with `, `;
 * - `cookies`: `{ name: value }`;
 * - `body`: parsed JSON for `application/json` (and `+json`), an object like `query` for a
 *   urlencoded or multipart form (files as `File`), text for `text/*`, `undefined` for an empty body
 *   without a type; any other type is a 415. The body is consumed: read it with `c.req.valid('body')`.
 *
 * A failure answers 400 `{ error, status, issues: [{ target, path, message }] }` (as text without
 * `Accept: application/json`), the message naming the first failing field.
 *
 * The returned middleware's `valid(c, target)` gives a target's output typed by its schema (no
 * type to write); `c.req.valid<T>(target)` gives the same value with a type you name.
 *
 * @example
 * ```ts
 * const User = z.object({ name: z.string(), age: z.number().int() });
 * const createUser = validate({ params: z.object({ id: z.string().uuid() }), body: User });
 * app.post('/users/:id', createUser, (c) => {
 *   const user = createUser.valid(c, 'body'); // { name: string; age: number }
 *   return c.json(user, 201);
 * });
 * ```
 */
export function validate<const S extends ValidationSchemas, V extends object = Record<string, unknown>>(
  schemas: S,
): Validator<S, V> {
  const checks = TARGETS.flatMap((target) => {
    const schema = schemas[target];
    return schema === undefined ? [] : [{ target, schema }];
  });
  const middleware: Middleware<V> = async (c: Context<V>, next) => {
    const issues: ValidationIssue[] = [];
    for (const { target, schema } of checks) {
      const result = await schema['~standard'].validate(await inputOf(c.req, target));
      if (result.issues === undefined) c.req.setValid(target, result.value);
      else for (const issue of result.issues) issues.push(toIssue(target, issue));
    }
    if (issues.length > 0) throw validationError(issues);
    await next();
  };
  const valid = <T extends keyof S & ValidationTarget>(c: { readonly req: WebRequest }, target: T) =>
    c.req.valid<Infer<NonNullable<S[T]>>>(target);
  return Object.assign(middleware, { valid });
}

/**
 * What {@link validate} returns: the middleware, plus typed access to what it validated.
 *
 * @example
 * ```ts
 * const byId = validate({ params: z.object({ id: z.coerce.number() }) });
 * app.get('/items/:id', byId, (c) => store.get(byId.valid(c, 'params').id)); // id: number
 * ```
 */
export interface Validator<S extends ValidationSchemas, V extends object = Record<string, unknown>>
  extends Middleware<V> {
  /** The output of `target`'s schema for the request of `c`, typed by that schema. */
  valid<T extends keyof S & ValidationTarget>(c: { readonly req: WebRequest }, target: T): Infer<NonNullable<S[T]>>;
}

/**
 * The 400 error `validate()` throws; exported for handlers that validate by hand.
 *
 * @example
 * ```ts
 * if (end < start) throw validationError([{ target: 'query', path: 'end', message: 'must be after start' }]);
 * ```
 */
export function validationError(issues: readonly ValidationIssue[]): HttpError {
  const first = issues[0];
  const where = first === undefined ? 'request' : first.path === '' ? first.target : `${first.target}.${first.path}`;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new HttpError(400, `invalid ${where}: ${first?.message ?? 'failed validation'}${more}`, {
    details: { issues },
  });
}

function toIssue(target: ValidationTarget, issue: StandardIssue): ValidationIssue {
  const path = (issue.path ?? []).map((segment) => String(typeof segment === 'object' ? segment.key : segment));
  return { target, path: path.join('.'), message: issue.message };
}

/** What the validator of `target` receives (documented on {@link validate}). */
function inputOf(req: WebRequest, target: ValidationTarget): unknown {
  switch (target) {
    case 'params':
      return { ...req.params };
    case 'query':
      return entriesToObject(req.query);
    case 'headers':
      return headersObject(req);
    case 'cookies':
      return { ...req.cookies };
    case 'body':
      return bodyOf(req);
  }
}

/** Key → value, or → all values for a key given more than once (a schema can then ask for an array). */
function entriesToObject<T>(entries: Iterable<[string, T]>): Record<string, unknown> {
  const grouped = new Map<string, T[]>();
  for (const [key, value] of entries) {
    const values = grouped.get(key);
    if (values === undefined) grouped.set(key, [value]);
    else values.push(value);
  }
  // fromEntries defines own data properties, so a `__proto__` key stays data.
  return Object.fromEntries([...grouped].map(([key, values]) => [key, values.length === 1 ? values[0] : values]));
}

function headersObject(req: WebRequest): Record<string, string> {
  const names = new Set<string>();
  for (const [name] of req.headers) names.add(name.toLowerCase());
  return Object.fromEntries([...names].map((name) => [name, req.headers.get(name) ?? '']));
}

async function bodyOf(req: WebRequest): Promise<unknown> {
  const contentType = req.header('content-type');
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (type === 'application/json' || type.endsWith('+json')) return req.json();
  if (type === 'application/x-www-form-urlencoded' || type === 'multipart/form-data') {
    return entriesToObject(await req.form());
  }
  if (type.startsWith('text/')) return req.text();
  if (contentType === null && (await req.bytes()).byteLength === 0) return undefined;
  throw new HttpError(415, `cannot validate a body of type "${type}"`);
}
