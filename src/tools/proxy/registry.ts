/**
 * A set of named fault proxies with Toxiproxy 2.x semantics (its ProxyCollection and
 * ToxicCollection): what the control API drives. Errors are `HttpError`s carrying Toxiproxy's
 * status codes and messages ("proxy not found" 404, "toxic already exists" 409, ...).
 */
import { lookup } from 'node:dns/promises';
import { isWirekitError } from '../../errors.js';
import { HttpError } from '../../web/http-error.js';
import { parseHostPort } from './address.js';
import type { Direction, Fault, FaultAttributes } from './faults.js';
import { type FaultProxy, type FaultProxyOptions, faultProxy } from './tcp-proxy.js';
import { readAttributes, type ToxicJson, toxicJson, toxicMapping } from './toxics.js';

/** A proxy as Toxiproxy's API shows it. */
export interface ProxyJson {
  name: string;
  listen: string;
  upstream: string;
  enabled: boolean;
  toxics: ToxicJson[];
}

/**
 * Options every proxy the registry creates gets (the seed, buffer and connection limits).
 *
 * @example
 * ```ts
 * const registry = new ProxyRegistry({ seed: 7, maxBufferedBytes: 256 * 1024 });
 * ```
 */
export type ProxyDefaults = Omit<FaultProxyOptions, 'upstream' | 'listen' | 'enabled'>;

type Json = Record<string, unknown>;

const badBody = (detail: string): HttpError => new HttpError(400, `bad request body: ${detail}`);
const missing = (field: string): HttpError => new HttpError(400, `missing required field: ${field}`);

function stringField(body: Json, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw badBody(`${name} must be a string`);
  return value;
}

function boolField(body: Json, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw badBody(`${name} must be a boolean`);
  return value;
}

/** An object body, or Toxiproxy's 400. */
export function objectBody(value: unknown): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badBody('expected a JSON object');
  return value as Json;
}

/** Runs `fn`, turning an invalid argument into a 400 with its message. */
function asBadBody<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (isWirekitError(error, 'WK_ERR_INVALID_ARGUMENT')) throw badBody(error.message);
    throw error;
  }
}

/** A listen failure as Toxiproxy words it: a 500 naming the address. */
function listenFailed(error: unknown, listen: string): HttpError {
  const cause = isWirekitError(error) ? error.cause : error;
  const code = (cause as { code?: string } | undefined)?.code;
  const why = code === 'EADDRINUSE' ? 'bind: address already in use' : String((cause as Error)?.message ?? cause);
  return new HttpError(500, `listen tcp ${listen}: ${why}`, { cause: error });
}

/**
 * Named fault proxies driven the way Toxiproxy's API drives its own.
 *
 * @example
 * ```ts
 * const registry = new ProxyRegistry();
 * await registry.create({ name: 'redis', listen: '127.0.0.1:26379', upstream: '127.0.0.1:6379' });
 * registry.addToxic('redis', { type: 'latency', attributes: { latency: 100 } });
 * await registry.close();
 * ```
 */
export class ProxyRegistry {
  readonly #proxies = new Map<string, FaultProxy>();
  readonly #defaults: ProxyDefaults;

  constructor(defaults: ProxyDefaults = {}) {
    this.#defaults = defaults;
  }

  /** Every proxy, by name. */
  get proxies(): ReadonlyMap<string, FaultProxy> {
    return this.#proxies;
  }

  /** The proxy called `name`, or a 404 "proxy not found". */
  get(name: string): FaultProxy {
    const proxy = this.#proxies.get(name);
    if (proxy === undefined) throw new HttpError(404, 'proxy not found');
    return proxy;
  }

  /** Adds a proxy made elsewhere (the CLI's own) under `name`; 409 if the name is taken. */
  adopt(name: string, proxy: FaultProxy): void {
    if (this.#proxies.has(name)) throw new HttpError(409, 'proxy already exists');
    this.#proxies.set(name, proxy);
  }

  /** `POST /proxies`: creates and (unless `enabled: false`) starts a proxy. */
  async create(input: unknown): Promise<FaultProxy> {
    const body = objectBody(input);
    const name = stringField(body, 'name');
    const upstream = stringField(body, 'upstream');
    if (name === undefined || name === '') throw missing('name');
    if (upstream === undefined || upstream === '') throw missing('upstream');
    if (this.#proxies.has(name)) throw new HttpError(409, 'proxy already exists');
    const proxy = await this.#start(stringField(body, 'listen'), upstream, boolField(body, 'enabled') ?? true);
    this.#proxies.set(name, proxy);
    return proxy;
  }

  /** `POST|PATCH /proxies/{name}`: a changed address restarts the proxy; `enabled` starts or stops it. */
  async update(name: string, input: unknown): Promise<FaultProxy> {
    const proxy = this.get(name);
    const body = objectBody(input);
    const listen = stringField(body, 'listen') ?? proxy.listen;
    const upstream = stringField(body, 'upstream') ?? proxy.upstream;
    const enabled = boolField(body, 'enabled') ?? proxy.enabled;
    if (await this.#differs(proxy, listen, upstream)) {
      await proxy.disable();
      await asBadBody(() => proxy.reconfigure({ listen, upstream }));
    }
    if (enabled) await this.#enable(proxy);
    else await proxy.disable();
    return proxy;
  }

  /** `DELETE /proxies/{name}`. */
  async remove(name: string): Promise<void> {
    const proxy = this.get(name);
    this.#proxies.delete(name);
    await proxy.close();
  }

  /** `POST /reset`: every proxy enabled, every toxic removed. */
  async reset(): Promise<void> {
    for (const proxy of this.#proxies.values()) {
      await this.#enable(proxy);
      proxy.clearFaults();
    }
  }

  /**
   * `POST /populate`: creates or replaces the listed proxies; one whose listen and upstream are
   * unchanged is left as it is. Everything is checked before anything is created. Returns the
   * proxies handled, and the error that stopped the rest, if any.
   */
  async populate(input: unknown): Promise<{ proxies: [string, FaultProxy][]; error?: HttpError }> {
    if (!Array.isArray(input)) throw badBody('expected a JSON array of proxies');
    const items = input.map((item, i) => {
      const body = objectBody(item);
      const name = stringField(body, 'name');
      const upstream = stringField(body, 'upstream');
      if (name === undefined || name === '') throw missing(`name at proxy ${i + 1}`);
      if (upstream === undefined || upstream === '') throw missing(`upstream at proxy ${i + 1}`);
      return { name, upstream, listen: stringField(body, 'listen'), enabled: boolField(body, 'enabled') ?? true };
    });
    const done: [string, FaultProxy][] = [];
    for (const item of items) {
      try {
        done.push([item.name, await this.#addOrReplace(item)]);
      } catch (error) {
        return { proxies: done, error: error instanceof HttpError ? error : new HttpError(500, String(error)) };
      }
    }
    return { proxies: done };
  }

  /** `POST /proxies/{name}/toxics`. */
  addToxic(proxyName: string, input: unknown): Fault {
    const proxy = this.get(proxyName);
    const body = objectBody(input);
    const stream = (stringField(body, 'stream') ?? 'downstream').toLowerCase();
    if (stream !== 'upstream' && stream !== 'downstream') {
      throw new HttpError(400, 'stream was invalid, can be either upstream or downstream');
    }
    const type = stringField(body, 'type') ?? '';
    const name = stringField(body, 'name') || `${type}_${stream}`;
    const mapping = toxicMapping(type);
    if (mapping === undefined) throw new HttpError(400, 'invalid toxic type');
    if (proxy.fault(name) !== undefined) throw new HttpError(409, 'toxic already exists');
    const attributes = readAttributes(mapping, body.attributes);
    if (typeof attributes === 'string') throw badBody(attributes);
    const toxicity = numberField(body, 'toxicity') ?? 1;
    return asBadBody(() =>
      proxy.add(mapping.fault, mapping.toFault(attributes) as FaultAttributes['latency'], {
        name,
        direction: stream as Direction,
        toxicity,
      }),
    );
  }

  /** `GET /proxies/{name}/toxics/{toxic}`: the toxic, or 404 "toxic not found". */
  toxic(proxyName: string, toxicName: string): Fault {
    const fault = this.get(proxyName).fault(toxicName);
    if (fault === undefined) throw new HttpError(404, 'toxic not found');
    return fault;
  }

  /** `POST|PATCH /proxies/{name}/toxics/{toxic}`: the attributes given change, the rest stay. */
  updateToxic(proxyName: string, toxicName: string, input: unknown): Fault {
    const fault = this.toxic(proxyName, toxicName);
    const body = objectBody(input);
    const current = toxicJson(fault);
    const mapping = toxicMapping(current.type);
    if (mapping === undefined) throw new HttpError(400, 'invalid toxic type');
    const changed = readAttributes(mapping, body.attributes);
    if (typeof changed === 'string') throw badBody(changed);
    const merged = mapping.toFault({ ...current.attributes, ...changed });
    const toxicity = numberField(body, 'toxicity') ?? fault.toxicity;
    return asBadBody(() => fault.update(merged, toxicity));
  }

  /** `DELETE /proxies/{name}/toxics/{toxic}`. */
  removeToxic(proxyName: string, toxicName: string): void {
    if (!this.get(proxyName).removeFault(toxicName)) throw new HttpError(404, 'toxic not found');
  }

  /** Closes every proxy. */
  async close(): Promise<void> {
    const proxies = [...this.#proxies.values()];
    this.#proxies.clear();
    await Promise.all(proxies.map((proxy) => proxy.close()));
  }

  async #start(listen: string | undefined, upstream: string, enabled: boolean): Promise<FaultProxy> {
    const where = listen === undefined || listen === '' ? '127.0.0.1:0' : listen;
    const proxy = await asBadBody(() => faultProxy({ ...this.#defaults, listen: where, upstream, enabled: false }));
    if (enabled) await this.#enable(proxy);
    return proxy;
  }

  async #enable(proxy: FaultProxy): Promise<void> {
    try {
      await proxy.enable();
    } catch (error) {
      throw listenFailed(error, proxy.listen);
    }
  }

  async #addOrReplace(item: { name: string; listen: string | undefined; upstream: string; enabled: boolean }) {
    const existing = this.#proxies.get(item.name);
    if (existing !== undefined) {
      if (!(await this.#differs(existing, item.listen ?? existing.listen, item.upstream))) return existing;
      await existing.close();
      this.#proxies.delete(item.name);
    }
    const proxy = await this.#start(item.listen, item.upstream, item.enabled);
    this.#proxies.set(item.name, proxy);
    return proxy;
  }

  /** Toxiproxy's Differs: the listen address resolved, compared with the one in use; the upstream as written. */
  async #differs(proxy: FaultProxy, listen: string, upstream: string): Promise<boolean> {
    if (upstream !== proxy.upstream) return true;
    const wanted = asBadBody(() => parseHostPort(listen));
    const current = parseHostPort(proxy.listen);
    if (wanted.port !== current.port) return true;
    if (wanted.host === current.host) return false;
    const resolved = await lookup(wanted.host).catch(() => undefined);
    return resolved?.address !== current.host;
  }
}

function numberField(body: Json, name: string): number | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number') throw badBody(`${name} must be a number`);
  return value;
}

/**
 * A proxy as Toxiproxy shows it: `{ name, listen, upstream, enabled, toxics }`.
 *
 * @example
 * ```ts
 * proxyJson('redis', registry.get('redis')); // { name: 'redis', listen: '127.0.0.1:26379', ... }
 * ```
 */
export function proxyJson(name: string, proxy: FaultProxy): ProxyJson {
  return {
    name,
    listen: proxy.listen,
    upstream: proxy.upstream,
    enabled: proxy.enabled,
    toxics: proxy.faults.map(toxicJson),
  };
}
