import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Config } from '../config.js';
import { AppError } from '../errors.js';

type Counted = { current: number; ttl: number };
type Callback = (err: Error | null, res: Counted | null) => void;
interface Store {
  incr(key: string, cb: Callback, timeWindow: number, max: number): void;
  read(key: string, cb: Callback, timeWindow: number, max: number): void;
}
type StoreClass = new (...args: unknown[]) => Store;
// The plugin's own stores (CommonJS, not in its typings): the same counting on both sides of the failover.
const require = createRequire(import.meta.url);
const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as StoreClass;
const RedisStore = require('@fastify/rate-limit/store/RedisStore.js') as StoreClass;

/** The part of an ioredis client the limiter looks at. */
type RedisLike = { status?: string };

const UNLIMITED = new Set(['/healthz', '/readyz']);
const DISCONNECTED = new Set(['reconnecting', 'close', 'end']);

/**
 * The Redis client for shared rate limits. Commands fail at once while disconnected (no offline
 * queue) and give up after COMMAND_TIMEOUT_MS on a server that does not answer, so that a Redis
 * outage costs a request at most that long before the limiter fails open.
 */
export async function createRateLimitRedis(url: string) {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, { connectTimeout: 500, commandTimeout: 250, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  // ioredis reconnects by itself; without a listener each failed attempt is an unhandled 'error'.
  redis.on('error', () => undefined);
  return redis;
}

/**
 * Counts in Redis (shared by every instance) and fails open to this process's own counters while
 * Redis cannot answer: the API keeps serving, each instance then enforcing the limits by itself
 * (so the effective limit multiplies by the number of instances). Each switch is logged once and
 * counted; the next request after Redis is back counts in Redis again.
 */
function failoverStore(redis: RedisLike | undefined, onSwitch: (toFallback: boolean, err?: Error) => void): StoreClass {
  const local = new LocalStore(false, false, 50_000);
  const shared = redis ? new RedisStore(false, false, redis, 'tuyendung-rl-') : undefined;
  let degraded = false;
  const run = (method: 'incr' | 'read', key: string, cb: Callback, timeWindow: number, max: number) => {
    const fallback = (err?: Error) => {
      if (!degraded) {
        degraded = true;
        onSwitch(true, err);
      }
      local[method](key, cb, timeWindow, max);
    };
    if (!shared) return local[method](key, cb, timeWindow, max);
    // While ioredis is between connection attempts, a command would only wait and fail: skip it.
    if (redis?.status && DISCONNECTED.has(redis.status)) return fallback();
    shared[method](
      key,
      (err, res) => {
        if (err) return fallback(err);
        if (degraded) {
          degraded = false;
          onSwitch(false);
        }
        cb(null, res);
      },
      timeWindow,
      max,
    );
  };
  return class FailoverStore {
    incr(key: string, cb: Callback, timeWindow: number, max: number) {
      run('incr', key, cb, timeWindow, max);
    }
    read(key: string, cb: Callback, timeWindow: number, max: number) {
      run('read', key, cb, timeWindow, max);
    }
    // Every limiter below prefixes its own keys: one store serves them all.
    child() {
      return this;
    }
  } as unknown as StoreClass;
}

const tooMany = (retryAfterSeconds: number, detail: string) =>
  new AppError(429, 'rate_limited', detail, { headers: { 'retry-after': String(Math.max(1, retryAfterSeconds)) } });

/**
 * Rate limits in three counters, so that no header a client chooses moves it to a fresh bucket:
 * - per client address, before authentication (RATE_LIMIT_IP_MAX): floods of made-up keys are
 *   refused before they cost a key lookup;
 * - per client address, failed authentications (RATE_LIMIT_AUTH_FAILURES_MAX): guessing keys
 *   gets 429 once the address has had that many 401s in the window;
 * - per API key, after authentication (RATE_LIMIT_MAX), keyed by the key's id, not by the header.
 * The address is the socket's, or the one the configured trusted proxies report (TRUST_PROXY).
 * Returns the hook the authenticated scope adds after its auth hook.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  opts: { config: Config; redis?: unknown; metrics: Registry; onRefused?: (limit: 'address' | 'auth_failures' | 'key') => void },
): Promise<(request: FastifyRequest) => Promise<void>> {
  const refused = opts.onRefused ?? (() => undefined);
  const { max, windowMs, ipMax, authFailuresMax } = opts.config.rateLimit;
  const switches = new Counter({
    name: 'rate_limit_store_fallback_total',
    help: 'Times the rate limiter switched from Redis to per-instance counters',
    registers: [opts.metrics],
  });
  const degradedGauge = new Gauge({
    name: 'rate_limit_store_degraded',
    help: '1 while rate limits are counted per instance because Redis cannot answer',
    registers: [opts.metrics],
  });
  const store = failoverStore(opts.redis as RedisLike | undefined, (toFallback, err) => {
    if (toFallback) {
      switches.inc();
      degradedGauge.set(1);
      app.log.warn({ err: err ? { message: err.message } : undefined }, 'rate limits: Redis unavailable, counting per instance until it is back');
    } else {
      degradedGauge.set(0);
      app.log.info('rate limits: Redis is back, counting in Redis again');
    }
  });
  await app.register(rateLimit, { global: false, store: store as never, timeWindow: windowMs });
  const perAddress = app.createRateLimit({ max: ipMax, keyGenerator: (req) => `ip:${req.ip}` });
  const authFailures = app.createRateLimit({ max: authFailuresMax, keyGenerator: (req) => `authfail:${req.ip}` });
  const perKey = app.createRateLimit({ max, keyGenerator: (req) => `key:${req.principal?.keyId ?? req.ip}` });

  app.addHook('onRequest', async (request) => {
    if (UNLIMITED.has(request.routeOptions.url ?? '')) return;
    const address = await perAddress(request);
    if (!address.isAllowed && address.isExceeded) {
      refused('address');
      throw tooMany(address.ttlInSeconds, `More than ${address.max} requests from this address in ${windowMs / 1000} s`);
    }
    const failures = await authFailures(request, { increment: false });
    if (!failures.isAllowed && failures.remaining === 0) {
      refused('auth_failures');
      throw tooMany(failures.ttlInSeconds, `More than ${failures.max} failed authentications from this address; retry later`);
    }
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 401) return;
    await authFailures(request).catch((err: unknown) => request.log.warn({ err }, 'could not count a failed authentication'));
  });

  return async (request) => {
    if (!request.principal) return;
    const key = await perKey(request);
    if (!key.isAllowed && key.isExceeded) {
      refused('key');
      throw tooMany(key.ttlInSeconds, `Rate limit of ${key.max} requests per ${windowMs / 1000} s exceeded for this key`);
    }
  };
}
