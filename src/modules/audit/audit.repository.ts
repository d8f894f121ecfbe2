import { and, asc, desc, eq, gt, gte, like, lt, lte, or, type SQL } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { agencies } from '../agencies/agencies.table.js';
import { auditCheckpoints, auditEvents, auditStreams, type AuditCheckpointRow, type AuditEventRow } from './audit.table.js';

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
    async streamHead(stream: number) {
      const [row] = await db.select().from(auditStreams).where(eq(auditStreams.stream, stream)).limit(1);
      return row;
    },
    /** Events of one stream after `afterSeq` and at most `uptoSeq`, in order. */
    async streamBatch(stream: number, afterSeq: number, limit: number, uptoSeq?: number): Promise<AuditEventRow[]> {
      return db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.stream, stream), gt(auditEvents.seq, afterSeq), uptoSeq === undefined ? undefined : lte(auditEvents.seq, uptoSeq)))
        .orderBy(asc(auditEvents.seq))
        .limit(limit);
    },
    async eventAt(stream: number, seq: number): Promise<AuditEventRow | undefined> {
      const [row] = await db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.stream, stream), eq(auditEvents.seq, seq)))
        .limit(1);
      return row;
    },
    /** Whether some event lies outside the fixed set of streams (an index range probe, not a scan). */
    async eventOutsideStreams(streams: number): Promise<boolean> {
      const rows = await db
        .select({ id: auditEvents.id })
        .from(auditEvents)
        .where(or(lt(auditEvents.stream, 0), gte(auditEvents.stream, streams)))
        .limit(1);
      return rows.length > 0;
    },
    async latestCheckpoint(): Promise<AuditCheckpointRow | undefined> {
      const [row] = await db.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.id)).limit(1);
      return row;
    },
    async checkpointById(id: string): Promise<AuditCheckpointRow | undefined> {
      const [row] = await db.select().from(auditCheckpoints).where(eq(auditCheckpoints.id, id)).limit(1);
      return row;
    },
    /** Newest first; keyset on the time-ordered id. */
    async listCheckpoints(limit: number, beforeId?: string): Promise<AuditCheckpointRow[]> {
      return db
        .select()
        .from(auditCheckpoints)
        .where(beforeId ? lt(auditCheckpoints.id, beforeId) : undefined)
        .orderBy(desc(auditCheckpoints.id))
        .limit(limit + 1);
    },
    async insertCheckpoint(row: AuditCheckpointRow): Promise<void> {
      await db.insert(auditCheckpoints).values(row);
    },
  };
}
export type AuditRepository = ReturnType<typeof createAuditRepository>;
