import { and, asc, eq, gt, gte, like, lte, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import { auditEvents, auditStreams, type AuditEventRow } from './audit.table.js';

export type AuditFilter = {
  scopePath: string | null;
  resourceType?: string | undefined;
  resourceId?: string | undefined;
  action?: string | undefined;
  actorKeyId?: string | undefined;
  agencyId?: string | undefined;
  driveId?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  afterId?: string | undefined;
  limit: number;
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

export function createAuditRepository(db: DbOrTx) {
  return {
    async list(f: AuditFilter): Promise<AuditEventRow[]> {
      const where: (SQL | undefined)[] = [
        f.resourceType ? eq(auditEvents.resourceType, f.resourceType) : undefined,
        f.resourceId ? eq(auditEvents.resourceId, f.resourceId) : undefined,
        f.action ? eq(auditEvents.action, f.action) : undefined,
        f.actorKeyId ? eq(auditEvents.actorKeyId, f.actorKeyId) : undefined,
        f.agencyId ? eq(auditEvents.agencyId, f.agencyId) : undefined,
        f.driveId ? eq(auditEvents.driveId, f.driveId) : undefined,
        f.from ? gte(auditEvents.occurredAt, f.from) : undefined,
        f.to ? lte(auditEvents.occurredAt, f.to) : undefined,
        f.afterId ? gt(auditEvents.id, f.afterId) : undefined,
      ];
      if (f.scopePath) {
        const rows = await db
          .select({ e: auditEvents })
          .from(auditEvents)
          .innerJoin(agencies, eq(agencies.id, auditEvents.agencyId))
          .where(and(like(agencies.path, `${escapeLike(f.scopePath)}%`), ...where))
          .orderBy(asc(auditEvents.id))
          .limit(f.limit + 1);
        return rows.map((r) => r.e);
      }
      return db
        .select()
        .from(auditEvents)
        .where(and(...where))
        .orderBy(asc(auditEvents.id))
        .limit(f.limit + 1);
    },
    async streamHeads() {
      return db.select().from(auditStreams).orderBy(asc(auditStreams.stream));
    },
    async streamBatch(stream: number, afterSeq: number, limit: number): Promise<AuditEventRow[]> {
      return db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.stream, stream), gt(auditEvents.seq, afterSeq)))
        .orderBy(asc(auditEvents.seq))
        .limit(limit);
    },
    async streamsWithEvents(): Promise<number[]> {
      const rows = await db.selectDistinct({ stream: auditEvents.stream }).from(auditEvents);
      return rows.map((r) => r.stream);
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
