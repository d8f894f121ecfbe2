import http from 'node:http';
import https from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import { bareHost, guardedLookup, isForbiddenAddress } from '../../http/ssrf.js';
import { SpanKind, contextOfTraceparent, traceparentOf, withSpan } from '../../tracing.js';
import type { ClaimedDelivery, WebhooksRepository } from './webhooks.repository.js';

export type WebhookWorkerOptions = {
  pollIntervalMs: number;
  /** Deliveries in flight at once in this process. */
  batchSize: number;
  /** Deliveries of one subscription in flight at once in this process. */
  perSubscription: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  allowPrivate: boolean;
};

/** `unreachable`: no answer came (timeout, refused, reset, DNS): the whole subscription is backed off. */
type SendResult = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string; unreachable: boolean };

const USER_AGENT = 'tuyendung-webhooks/1';

/**
 * Exponential backoff with jitter: after attempt n the wait is a random time between half and all
 * of base·2^(n−1) (capped), so a receiver coming back up is not hit by every retry at one instant.
 */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The body every receiver gets: `{ id, type, occurredAt, data }`. */
export const messageOf = (d: Pick<ClaimedDelivery, 'eventId' | 'eventType' | 'occurredAt' | 'payload'>) =>
  JSON.stringify({ id: d.eventId, type: d.eventType, occurredAt: d.occurredAt.toISOString(), data: d.payload });

/**
 * One POST, signed per the Standard Webhooks specification (webhook-id is the event id, the same
 * on every retry so receivers can drop duplicates). Redirects are not followed, and the socket
 * connects only to addresses that pass the SSRF check at this moment (not when the URL was saved).
 */
export function send(
  d: ClaimedDelivery,
  opts: Pick<WebhookWorkerOptions, 'timeoutMs' | 'allowPrivate'>,
  /** W3C trace context for the receiver (the delivery's span, child of the originating request's). */
  traceparent?: string | null,
): Promise<SendResult> {
  return new Promise((resolve) => {
    let url: URL;
    let signature: string;
    const body = messageOf(d);
    const at = new Date();
    try {
      url = new URL(d.url);
      signature = new Webhook(d.secret).sign(d.eventId, at, body);
    } catch (err) {
      resolve({ ok: false, statusCode: null, error: `cannot prepare the request: ${(err as Error).message}`, unreachable: false });
      return;
    }
    const host = bareHost(url);
    // Literal addresses never reach `lookup`: judge them here.
    if (!opts.allowPrivate && ipaddr.isValid(host) && isForbiddenAddress(host)) {
      resolve({ ok: false, statusCode: null, error: `${host} is not a public address`, unreachable: true });
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      url,
      {
        method: 'POST',
        agent: false,
        lookup: guardedLookup(opts.allowPrivate) as never,
        signal: AbortSignal.timeout(opts.timeoutMs),
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': USER_AGENT,
          'webhook-id': d.eventId,
          'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
          'webhook-signature': signature,
          ...(traceparent ? { traceparent } : {}),
        },
      },
      (res) => {
        const statusCode = res.statusCode ?? 0;
        // The receiver's body is not needed: drop it rather than buffer whatever it sends.
        res.resume();
        res.destroy();
        if (statusCode >= 200 && statusCode < 300) resolve({ ok: true, statusCode });
        else resolve({ ok: false, statusCode, error: `receiver answered ${statusCode}`, unreachable: false });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : err.message;
      resolve({ ok: false, statusCode: null, error: reason, unreachable: true });
    });
    req.end(body);
  });
}

/**
 * Polls the outbox and delivers what is due. Several instances may run together: claims use
 * SKIP LOCKED. Deliveries live in the database, so a restart loses nothing: what was in flight
 * when the process died is sent again once its lease runs out.
 *
 * Fairness (one tenant's dead receivers must not delay another's): sends are not waited for as a
 * batch. Up to `batchSize` are in flight; each one that finishes frees its slot for the next claim
 * at once. A claim takes at most `perSubscription` deliveries of a subscription, round-robin across
 * subscriptions, and none of a subscription this process is still sending to; a receiver that times
 * out or cannot be reached backs its whole subscription off (see claimDue and backOffSubscription).
 */
export function createWebhookWorker(deps: { repo: WebhooksRepository; logger: FastifyBaseLogger; options: WebhookWorkerOptions }) {
  const { repo, logger, options } = deps;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let stopping = false;
  // The claim lease outlasts one attempt comfortably, so no other worker retries it meanwhile.
  const leaseMs = options.timeoutMs * 2 + 5_000;
  /** Sends in flight, and how many per subscription. */
  const sending = new Set<Promise<void>>();
  const perSubscription = new Map<string, number>();
  let claiming: Promise<number> | undefined;
  let claimAgain = false;

  /** One attempt, traced as a client span in the trace of the request that raised the event. */
  function deliver(d: ClaimedDelivery): Promise<void> {
    return withSpan(
      'webhook.deliver',
      async (span) => {
        const result = await record(d, await send(d, options, traceparentOf(span)));
        span.setAttribute('http.response.status_code', result.statusCode ?? 0);
        if (!result.ok) span.setAttribute('error.type', result.unreachable ? 'unreachable' : 'status');
      },
      {
        kind: SpanKind.CLIENT,
        parent: contextOfTraceparent(d.traceParent),
        attributes: { 'webhook.event_type': d.eventType, 'webhook.event_id': d.eventId, 'webhook.subscription_id': d.subscriptionId, 'webhook.attempt': d.attempts },
      },
    );
  }

  async function record(d: ClaimedDelivery, result: SendResult): Promise<SendResult> {
    if (result.ok) {
      await repo.recordOutcome(d.id, d.attempts, result);
      await repo.clearSubscriptionBackoff(d.subscriptionId);
      return result;
    }
    const dead = d.attempts >= options.maxAttempts;
    const retryInMs = backoffMs(d.attempts, options.backoffBaseMs, options.backoffMaxMs);
    await repo.recordOutcome(d.id, d.attempts, { ...result, dead, retryInMs });
    if (result.unreachable) await repo.backOffSubscription(d.subscriptionId, options.backoffBaseMs, options.backoffMaxMs);
    logger.warn({ deliveryId: d.id, eventId: d.eventId, attempt: d.attempts, dead, error: result.error }, 'webhook delivery failed');
    return result;
  }

  function start(d: ClaimedDelivery): void {
    perSubscription.set(d.subscriptionId, (perSubscription.get(d.subscriptionId) ?? 0) + 1);
    const p: Promise<void> = deliver(d)
      .catch((err: unknown) => logger.error({ err, deliveryId: d.id }, 'webhook delivery could not be recorded'))
      .finally(() => {
        sending.delete(p);
        const left = (perSubscription.get(d.subscriptionId) ?? 1) - 1;
        if (left <= 0) perSubscription.delete(d.subscriptionId);
        else perSubscription.set(d.subscriptionId, left);
        // A freed slot is filled now, not at the next poll.
        if (started && !stopping) kick();
      });
    sending.add(p);
  }

  /** Claims as many due deliveries as there are free slots and starts sending them; returns how many. */
  async function claimOnce(): Promise<number> {
    const free = options.batchSize - sending.size;
    if (free <= 0 || stopping) return 0;
    const batch = await repo.claimDue({ limit: free, leaseMs, perSubscription: options.perSubscription, exclude: [...perSubscription.keys()] });
    for (const d of batch) start(d);
    return batch.length;
  }

  /** One claim at a time per process; a request to claim while one runs is remembered. */
  function claim(): Promise<number> {
    if (claiming) {
      claimAgain = true;
      return claiming;
    }
    claiming = (async () => {
      let total = 0;
      do {
        claimAgain = false;
        total += await claimOnce();
      } while (claimAgain && !stopping);
      return total;
    })().finally(() => {
      claiming = undefined;
    });
    return claiming;
  }

  function kick(): void {
    claim().catch((err: unknown) => logger.error({ err }, 'webhook worker poll failed'));
  }

  /** Delivers until nothing is due and nothing is in flight; returns how many attempts were made. */
  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await claim();
      total += n;
      if (n === 0) {
        if (sending.size === 0 || stopping) return total;
        await Promise.race(sending);
      }
    }
  }

  function schedule(): void {
    if (stopping) return;
    timer = setTimeout(() => {
      claim()
        .catch((err: unknown) => logger.error({ err }, 'webhook worker poll failed'))
        .finally(() => schedule());
    }, options.pollIntervalMs);
    timer.unref();
  }

  return {
    runOnce,
    start(): void {
      if (started) return;
      started = true;
      schedule();
    },
    /** Stops polling and waits for the sends in flight (each bounded by the timeout). */
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearTimeout(timer);
      await claiming;
      await Promise.all([...sending]);
    },
  };
}
export type WebhookWorker = ReturnType<typeof createWebhookWorker>;
