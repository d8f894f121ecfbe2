import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createAgency, uniqueCode } from '../factories/agencies.js';
import { createOpenDriveNow, makeNationalId } from '../factories/candidates.js';
import { createWebhook } from '../factories/webhooks.js';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';
import { onPostgres } from '../helpers/env.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const exporter = new InMemorySpanExporter();
let t: TestApp;
let receiver: Receiver;
beforeAll(async () => {
  // The app's own tracing, with spans kept in memory instead of sent over OTLP.
  t = await setupApp({ env: { WEBHOOK_POLL_INTERVAL_MS: '20' }, spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  receiver = await startReceiver();
});
afterEach(() => {
  exporter.reset();
});
afterAll(async () => {
  await receiver.close();
  await t.close();
});

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';
const traceparentOf = (spanId: string) => `00-${TRACE_ID}-${spanId}-01`;
const spansOfTrace = (traceId: string) => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);

describe('trace context', () => {
  it('when a request with a traceparent raises a webhook event, then the receiver gets a traceparent of the same trace', async () => {
    const root = await createAgency(t, { name: 'Sở Nội vụ tỉnh Lào Cai' });
    await createWebhook(t, { url: `${receiver.url}/hooks`, agencyId: root.id, eventTypes: ['agency.created'] });
    const created = await t.http
      .post('/v1/agencies')
      .set(bearer(t.adminKey))
      .set('traceparent', traceparentOf(CALLER_SPAN))
      .send({ code: uniqueCode(), name: 'Phòng Tổ chức', bloc: 'state', parentId: root.id });
    expect(created.status).toBe(201);

    const [delivery] = await receiver.waitFor((reqs) => reqs.some((r) => (r.json as { data?: { resourceId?: string } })?.data?.resourceId === created.body.id));
    const header = delivery!.headers.traceparent;
    expect(header).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    const [, traceId, parentId] = header!.split('-');
    expect(traceId).toBe(TRACE_ID);
    // The receiver's parent is the delivery's own span, not the caller's.
    expect(parentId).not.toBe(CALLER_SPAN);

    // The stored event carries the request's trace; the delivery span continues it.
    const stored = await t.sql<{ trace_parent: string }>(`select trace_parent from webhook_events where payload->>'resourceId' = $1`, [created.body.id]);
    expect(stored[0]!.trace_parent.split('-')[1]).toBe(TRACE_ID);
    const until = Date.now() + 5_000;
    while (!spansOfTrace(TRACE_ID).some((s) => s.name === 'webhook.deliver') && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    const deliver = spansOfTrace(TRACE_ID).find((s) => s.name === 'webhook.deliver');
    expect(deliver?.spanContext().spanId).toBe(parentId);
    expect(deliver?.attributes['webhook.event_type']).toBe('agency.created');
  });

  it('when a request is traced, then its HTTP span continues the caller trace, with the route and without query values', async () => {
    const res = await t.http
      .get('/v1/candidates')
      .query({ nationalId: '001090012345' })
      .set(bearer(t.adminKey))
      .set('traceparent', traceparentOf('1111111111111111'));
    expect(res.status).toBe(200);
    const http = spansOfTrace(TRACE_ID).find((s) => s.name === 'GET /v1/candidates');
    expect(http).toBeDefined();
    expect(http!.parentSpanContext?.spanId).toBe('1111111111111111');
    expect(http!.attributes['http.route']).toBe('/v1/candidates');
    expect(http!.attributes['http.response.status_code']).toBe(200);
    expect(String(http!.attributes['url.path'])).toContain('nationalId=[REDACTED]');
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain('001090012345');
  });

  it.skipIf(!onPostgres)('when a request is traced on PostgreSQL, then its SQL statements are spans of the same trace, without parameter values', async () => {
    const res = await t.http
      .get('/v1/candidates')
      .query({ nationalId: '001090054321' })
      .set(bearer(t.adminKey))
      .set('traceparent', traceparentOf('2222222222222222'));
    expect(res.status).toBe(200);
    const sqlSpans = spansOfTrace(TRACE_ID).filter((s) => s.name.startsWith('pg.query'));
    expect(sqlSpans.length).toBeGreaterThan(0);
    expect(sqlSpans.some((s) => String(s.attributes['db.statement'] ?? s.attributes['db.query.text']).includes('api_keys'))).toBe(true);
    expect(JSON.stringify(sqlSpans.map((s) => s.attributes))).not.toContain('001090054321');
  });

  it('when an import is traced, then it is a span of the request trace with its row counts', async () => {
    const d = await createOpenDriveNow(t);
    const res = await t.http
      .post(`/v1/drives/${d.driveId}/applications/import`)
      .set(bearer(t.adminKey))
      .set('traceparent', traceparentOf('3333333333333333'))
      .send([{ fullName: 'Vũ Thị Vết', nationalId: makeNationalId({ birthYear: 1993, female: true }), birthDate: '1993-05-06', gender: 'female', ethnicity: 'Kinh', quotaId: d.quotaId }]);
    expect(res.status).toBe(200);
    const span = spansOfTrace(TRACE_ID).find((s) => s.name === 'applications.import');
    expect(span?.attributes).toMatchObject({ 'drive.id': d.driveId, 'import.atomic': false, 'import.rows': 1, 'import.errors': 0 });
    expect(JSON.stringify(exporter.getFinishedSpans().map((s) => s.attributes))).not.toContain('Vũ Thị');
  });

  it('when a request comes without a traceparent, then a new trace starts and nothing is inherited', async () => {
    const res = await t.http.get('/v1/agencies').set(bearer(t.adminKey));
    expect(res.status).toBe(200);
    const http = exporter.getFinishedSpans().find((s) => s.name === 'GET /v1/agencies');
    expect(http).toBeDefined();
    expect(http!.spanContext().traceId).not.toBe(TRACE_ID);
    expect(http!.parentSpanContext).toBeUndefined();
  });
});
