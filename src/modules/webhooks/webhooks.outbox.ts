import { inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { activeTraceparent } from '../../tracing.js';
import { agencies } from '../agencies/agencies.table.js';
import { drives } from '../drives/drives.table.js';
import { webhookDeliveries, webhookEvents } from './webhooks.table.js';

/** Event types integrators may subscribe to. */
export const webhookEventTypes = [
  'agency.created',
  'agency.updated',
  'drive.created',
  'drive.updated',
  'drive.transitioned',
  'quota.created',
  'quota.updated',
  'quota.deleted',
  'application.created',
  'applications.imported',
  'application.withdrawn',
  'application.eligibility_decided',
  'results.computed',
  'results.tie_decided',
  'results.submitted',
  'results.approved',
  'results.returned',
  'results.published',
  'result.cancelled',
  'appeal.filed',
  'appeal.resolved',
  'appeals.published',
  'board.conflict_raised',
  'drive.deadline_due_soon',
  'drive.deadline_overdue',
  'appointment.step_due_soon',
  'appointment.step_overdue',
  'appointment.step_recorded',
  'appointment.took_up_post',
  'appointment.struck_off',
  'appointment.replacement_decided',
  'appointment.next_lower_called',
  'intake.requested',
  'intake.council_reported',
  'intake.accepted',
  'intake.refused',
  'job.completed',
  'identity_correction.requested',
  'identity_correction.decided',
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** Sent only to the subscription it tests; never subscribed to. */
export const PING_EVENT_TYPE = 'webhook.ping';

/**
 * Audit action → webhook event type. Every audited change whose action is listed here emits the
 * event in the same transaction, so no module has to call the outbox itself. Several modules name
 * the same change slightly differently; each spelling in use is listed.
 */
export const auditActionToEventType: Readonly<Record<string, WebhookEventType>> = Object.freeze({
  'agency.created': 'agency.created',
  'agency.updated': 'agency.updated',
  'drive.created': 'drive.created',
  'drive.updated': 'drive.updated',
  'drive.transitioned': 'drive.transitioned',
  'quota.created': 'quota.created',
  'quota.updated': 'quota.updated',
  'quota.deleted': 'quota.deleted',
  'application.created': 'application.created',
  'application.submitted': 'application.created',
  // A bulk import is one change: one event listing the applications it created.
  'applications.imported': 'applications.imported',
  'application.withdrawn': 'application.withdrawn',
  'application.eligible': 'application.eligibility_decided',
  'application.ineligible': 'application.eligibility_decided',
  'results.computed': 'results.computed',
  'results.tie_decided': 'results.tie_decided',
  'results.submitted': 'results.submitted',
  'results.approved': 'results.approved',
  'results.returned': 'results.returned',
  'results.published': 'results.published',
  'result.cancelled': 'result.cancelled',
  // Phúc khảo (170 Art. 16(4)(b); Quy chế Art. 17(5)): filed, settled, and the round's results published.
  'appeal.filed': 'appeal.filed',
  'appeal.resolved': 'appeal.resolved',
  'appeals.published': 'appeals.published',
  // A board member found related to a candidate (170 Art. 8(3)): the appointing authority must act.
  'board.conflict_raised': 'board.conflict_raised',
  // A statutory step of the drive's timeline due soon or overdue, raised once by the timeline sweep.
  'drive.deadline_due_soon': 'drive.deadline_due_soon',
  'drive.deadline_overdue': 'drive.deadline_overdue',
  'appointment.step_due_soon': 'appointment.step_due_soon',
  'appointment.step_overdue': 'appointment.step_overdue',
  'appointment.step_recorded': 'appointment.step_recorded',
  'appointment.took_up_post': 'appointment.took_up_post',
  'appointment.struck_off': 'appointment.struck_off',
  'appointment.replacement_decided': 'appointment.replacement_decided',
  'appointment.next_lower_called': 'appointment.next_lower_called',
  'appointment.new_need_filled': 'appointment.next_lower_called',
  // Intake (tiếp nhận, 170 Art. 13–14; 115 Art. 13): ids and codes only, never the person.
  'intake.requested': 'intake.requested',
  'intake.council_reported': 'intake.council_reported',
  'intake.accepted': 'intake.accepted',
  'intake.refused': 'intake.refused',
  // A job (Prefer: respond-async) ended: succeeded, failed or cancelled (src/modules/jobs).
  'job.completed': 'job.completed',
  // A candidate's identity corrected after approval (issue #16): asked, then authorised or refused by the approver.
  // The payload carries ids, the status and the corrected fields' names, never the identity itself.
  'identity_correction.requested': 'identity_correction.requested',
  'identity_correction.approved': 'identity_correction.decided',
  'identity_correction.rejected': 'identity_correction.decided',
});

export const webhookTypeFor = (action: string): WebhookEventType | undefined =>
  Object.prototype.hasOwnProperty.call(auditActionToEventType, action) ? auditActionToEventType[action] : undefined;

/** What the audit writer hands over: the audit events it just inserted. */
export type AuditedChange = {
  id: string;
  action: string;
  resourceType: string;
  resourceId: string;
  agencyId: string | null;
  driveId: string | null;
  occurredAt: Date;
  before: unknown;
  after: unknown;
};

type SubscriptionTarget = { id: string; event_types: string[]; path: string | null };

const rowsOf = <T>(res: unknown): T[] => (res as { rows: T[] }).rows;

/**
 * The outbox: writes one event per mapped change and one pending delivery per active subscription
 * that wants it (an agency-scoped subscription only for events inside its agency's subtree), in
 * the caller's transaction. Nothing is written when no subscription wants any of the changes, so
 * bulk imports pay one indexed read.
 */
export async function enqueueWebhookEvents(tx: DbOrTx, changes: readonly AuditedChange[]): Promise<void> {
  const mapped = changes.flatMap((c) => {
    const type = webhookTypeFor(c.action);
    return type ? [{ change: c, type }] : [];
  });
  if (mapped.length === 0) return;
  const types = [...new Set(mapped.map((m) => m.type))];
  const subscriptions = rowsOf<SubscriptionTarget>(
    await tx.execute(sql`
      select s.id, s.event_types, a.path
      from webhook_subscriptions s left join agencies a on a.id = s.agency_id
      where s.active and s.event_types && ${sql`array[${sql.join(types.map((t) => sql`${t}`), sql`, `)}]::text[]`}`),
  );
  if (subscriptions.length === 0) return;

  // The agency an event belongs to: its own, else the organizing agency of its drive.
  const driveIds = [...new Set(mapped.filter((m) => !m.change.agencyId && m.change.driveId).map((m) => m.change.driveId!))];
  const driveAgency = new Map<string, string>();
  if (driveIds.length > 0) {
    const rows = await tx.select({ id: drives.id, agencyId: drives.organizingAgencyId }).from(drives).where(inArray(drives.id, driveIds));
    for (const r of rows) driveAgency.set(r.id, r.agencyId);
  }
  const agencyOf = (c: AuditedChange) => c.agencyId ?? (c.driveId ? driveAgency.get(c.driveId) : undefined) ?? null;
  const agencyIds = [...new Set(mapped.map((m) => agencyOf(m.change)).filter((a): a is string => a !== null))];
  const pathOf = new Map<string, string>();
  if (agencyIds.length > 0) {
    const rows = await tx.select({ id: agencies.id, path: agencies.path }).from(agencies).where(inArray(agencies.id, agencyIds));
    for (const r of rows) pathOf.set(r.id, r.path);
  }

  // The request (or job) raising the events: its deliveries continue its trace (tracing on; else null).
  const traceParent = activeTraceparent();
  const events: (typeof webhookEvents.$inferInsert)[] = [];
  const deliveries: (typeof webhookDeliveries.$inferInsert)[] = [];
  for (const { change, type } of mapped) {
    const agencyId = agencyOf(change);
    const eventPath = agencyId ? pathOf.get(agencyId) : undefined;
    const targets = subscriptions.filter(
      (s) => s.event_types.includes(type) && (s.path === null || (eventPath !== undefined && eventPath.startsWith(s.path))),
    );
    if (targets.length === 0) continue;
    const eventId = newId();
    events.push({
      id: eventId,
      type,
      occurredAt: change.occurredAt,
      agencyId,
      driveId: change.driveId,
      auditEventId: change.id,
      traceParent,
      payload: {
        resourceType: change.resourceType,
        resourceId: change.resourceId,
        agencyId,
        driveId: change.driveId,
        object: change.after ?? null,
        previous: change.before ?? null,
      },
    });
    for (const s of targets) deliveries.push({ id: newId(), eventId, subscriptionId: s.id, status: 'pending' });
  }
  if (events.length === 0) return;
  await tx.insert(webhookEvents).values(events);
  await tx.insert(webhookDeliveries).values(deliveries);
}
