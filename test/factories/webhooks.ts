import type { TestApp } from '../helpers/app.js';
import { bearer } from '../helpers/app.js';

export type CreatedWebhook = { id: string; url: string; secret: string; eventTypes: string[]; agencyId: string | null; version: number };

/** Subscribes a URL through the API (the response carries the secret, shown only this once). */
export async function createWebhook(
  t: TestApp,
  body: { url: string; eventTypes?: string[]; agencyId?: string | null; secret?: string; description?: string },
  key = t.adminKey,
): Promise<CreatedWebhook> {
  const res = await t.http
    .post('/v1/webhooks')
    .set(bearer(key))
    .send({ eventTypes: ['agency.created'], ...body });
  if (res.status !== 201) throw new Error(`createWebhook: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Polls the delivery log of a subscription until `predicate` holds. */
export async function waitForDeliveries<T extends { status: string; attempts: number }>(
  t: TestApp,
  webhookId: string,
  predicate: (items: T[]) => boolean,
  timeoutMs = 10_000,
): Promise<T[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await t.http.get(`/v1/webhooks/${webhookId}/deliveries`).set(bearer(t.adminKey));
    const items = res.body.items as T[];
    if (predicate(items)) return items;
    if (Date.now() > until) throw new Error(`deliveries of ${webhookId} not as expected: ${JSON.stringify(items)}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}
