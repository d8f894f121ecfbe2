import http from 'node:http';
import https from 'node:https';
import type { FastifyBaseLogger } from 'fastify';
import ipaddr from 'ipaddr.js';
import { Webhook } from 'standardwebhooks';
import { bareHost, guardedLookup, isForbiddenAddress } from '../../http/ssrf.js';
import type { ClaimedDelivery, WebhooksRepository } from './webhooks.repository.js';

export type WebhookWorkerOptions = {
  pollIntervalMs: number;
  batchSize: number;
  timeoutMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  allowPrivate: boolean;
};

type SendResult = { ok: true; statusCode: number } | { ok: false; statusCode: number | null; error: string };

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
export function send(d: ClaimedDelivery, opts: Pick<WebhookWorkerOptions, 'timeoutMs' | 'allowPrivate'>): Promise<SendResult> {
  return new Promise((resolve) => {
    let url: URL;
    let signature: string;
    const body = messageOf(d);
    const at = new Date();
    try {
      url = new URL(d.url);
      signature = new Webhook(d.secret).sign(d.eventId, at, body);
    } catch (err) {
      resolve({ ok: false, statusCode: null, error: `cannot prepare the request: ${(err as Error).message}` });
      return;
    }
    const host = bareHost(url);
    // Literal addresses never reach `lookup`: judge them here.
    if (!opts.allowPrivate && ipaddr.isValid(host) && isForbiddenAddress(host)) {
      resolve({ ok: false, statusCode: null, error: `${host} is not a public address` });
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
        },
      },
      (res) => {
        const statusCode = res.statusCode ?? 0;
        // The receiver's body is not needed: drop it rather than buffer whatever it sends.
        res.resume();
        res.destroy();
        if (statusCode >= 200 && statusCode < 300) resolve({ ok: true, statusCode });
        else resolve({ ok: false, statusCode, error: `receiver answered ${statusCode}` });
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      const reason = err.name === 'AbortError' || err.name === 'TimeoutError' ? `no answer within ${opts.timeoutMs} ms` : err.message;
      resolve({ ok: false, statusCode: null, error: reason });
    });
    req.end(body);
  });
}

/**
 * Polls the outbox and delivers what is due. Several instances may run together: claims use
 * SKIP LOCKED. Deliveries live in the database, so a restart loses nothing: what was in flight
 * when the process died is sent again once its lease runs out.
 */
export function createWebhookWorker(deps: { repo: WebhooksRepository; logger: FastifyBaseLogger; options: WebhookWorkerOptions }) {
  const { repo, logger, options } = deps;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let started = false;
  let stopping = false;
  // The claim lease outlasts one attempt comfortably, so no other worker retries it meanwhile.
  const leaseMs = options.timeoutMs * 2 + 5_000;

  async function deliver(d: ClaimedDelivery): Promise<void> {
    const result = await send(d, options);
    if (result.ok) {
      await repo.recordOutcome(d.id, d.attempts, result);
      return;
    }
    const dead = d.attempts >= options.maxAttempts;
    const retryInMs = backoffMs(d.attempts, options.backoffBaseMs, options.backoffMaxMs);
    await repo.recordOutcome(d.id, d.attempts, { ...result, dead, retryInMs });
    logger.warn({ deliveryId: d.id, eventId: d.eventId, attempt: d.attempts, dead, error: result.error }, 'webhook delivery failed');
  }

  /** Delivers batches until nothing is due; returns how many were attempted. */
  async function runOnce(): Promise<number> {
    let total = 0;
    for (;;) {
      const batch = await repo.claimDue(options.batchSize, leaseMs);
      await Promise.all(batch.map((d) => deliver(d)));
      total += batch.length;
      if (batch.length < options.batchSize || stopping) return total;
    }
  }

  function schedule(): void {
    if (stopping) return;
    timer = setTimeout(() => {
      running = runOnce()
        .then(() => undefined)
        .catch((err: unknown) => logger.error({ err }, 'webhook worker poll failed'))
        .finally(() => {
          running = undefined;
          schedule();
        });
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
    /** Stops polling and waits for the batch in flight (each send is bounded by the timeout). */
    async stop(): Promise<void> {
      stopping = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
export type WebhookWorker = ReturnType<typeof createWebhookWorker>;
