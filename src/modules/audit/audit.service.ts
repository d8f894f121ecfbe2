import type { Caller } from '../../context.js';
import type { AuditFilter, AuditRepository } from './audit.repository.js';
import type { AuditEventRow } from './audit.table.js';
import { GENESIS_HASH, eventHash } from './audit.writer.js';

export type ChainBreak = { stream: number; seq: number | null; eventId: string | null; problem: string };

const view = (e: AuditEventRow) => ({
  id: e.id,
  occurredAt: e.occurredAt,
  actor: { keyId: e.actorKeyId, role: e.actorRole, onBehalfOf: e.onBehalfOf },
  requestId: e.requestId,
  action: e.action,
  resourceType: e.resourceType,
  resourceId: e.resourceId,
  agencyId: e.agencyId,
  driveId: e.driveId,
  before: e.before,
  after: e.after,
  stream: e.stream,
  seq: e.seq,
  prevHash: e.prevHash,
  hash: e.hash,
});

const BATCH = 2_000;

export function createAuditService(deps: { repo: AuditRepository }) {
  const { repo } = deps;
  return {
    async list(caller: Caller, filter: Omit<AuditFilter, 'scopePath'>) {
      const rows = await repo.list({ ...filter, scopePath: caller.scopePath });
      return rows.map(view);
    },

    /**
     * Walks every chain from its genesis: each event must follow its predecessor's hash with the
     * next sequence number and hash to what it stores, and the last one must match the stream head.
     * A changed row fails its hash; an inserted or deleted row breaks the sequence or the links; a
     * deleted tail no longer matches the head.
     */
    async verify() {
      const heads = await repo.streamHeads();
      const headByStream = new Map(heads.map((h) => [h.stream, h]));
      const streams = new Set([...heads.map((h) => h.stream), ...(await repo.streamsWithEvents())]);
      const breaks: ChainBreak[] = [];
      let events = 0;
      for (const stream of [...streams].sort((a, b) => a - b)) {
        let seq = 0;
        let prev = GENESIS_HASH;
        let broken = false;
        for (;;) {
          const batch = await repo.streamBatch(stream, seq, BATCH);
          for (const e of batch) {
            events++;
            if (broken) continue;
            const problems: string[] = [];
            if (e.seq !== seq + 1) problems.push(`sequence jumps from ${seq} to ${e.seq}`);
            if (e.prevHash !== prev) problems.push('does not link to the previous event');
            if (eventHash(e) !== e.hash) problems.push('content does not match its hash');
            if (problems.length > 0) {
              breaks.push({ stream, seq: e.seq, eventId: e.id, problem: problems.join('; ') });
              broken = true;
            }
            seq = e.seq;
            prev = e.hash;
          }
          if (batch.length < BATCH) break;
        }
        const head = headByStream.get(stream);
        if (!broken && (!head || head.lastSeq !== seq || head.lastHash !== prev)) {
          breaks.push({ stream, seq: head?.lastSeq ?? null, eventId: null, problem: 'the chain does not end where its head says (events missing at the end?)' });
        }
      }
      return { valid: breaks.length === 0, streams: streams.size, events, breaks, verifiedAt: new Date() };
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
