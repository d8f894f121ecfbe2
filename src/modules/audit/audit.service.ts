import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Caller, Clock } from '../../context.js';
import type { AuditKeyring } from '../../crypto/audit-keys.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { AppError } from '../../errors.js';
import { createAuditRepository, type AuditFilter, type AuditRepository } from './audit.repository.js';
import type { AuditCheckpointRow, AuditEventRow, CheckpointHead } from './audit.table.js';
import { checkpointPayload, checkpointSignatureHolds, walkChains, type ChainBreak, type WalkPosition } from './audit.chain.js';

export type { ChainBreak } from './audit.chain.js';

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
  keyId: e.keyId,
});

const checkpointView = (cp: AuditCheckpointRow) => ({
  id: cp.id,
  createdAt: cp.createdAt,
  keyId: cp.keyId,
  heads: [...cp.heads].sort((a, b) => a.stream - b.stream),
  signature: cp.signature,
  signedPayload: checkpointPayload(cp),
});
export type CheckpointView = ReturnType<typeof checkpointView>;

/** A checkpoint as an operator hands it back (a copy of one this API listed). */
export type SuppliedCheckpoint = { id: string; createdAt: Date; keyId: string; heads: CheckpointHead[]; signature: string };

export type VerifyOptions = {
  mode: 'checkpoint' | 'full';
  maxEvents?: number | undefined;
  cursor?: string | undefined;
  checkpoint?: SuppliedCheckpoint | undefined;
};

// Arbitrary constant naming "tuyendung audit checkpoint" for pg_advisory_xact_lock.
const CHECKPOINT_LOCK_KEY = 7_230_115_139;

const cursorState = z.object({
  mode: z.enum(['checkpoint', 'full']),
  anchor: z.string().uuid().nullable(),
  stream: z.number().int().min(0),
  seq: z.number().int().min(0),
  hash: z.string().max(128),
  started: z.boolean(),
  broken: z.number().int().min(0),
  events: z.number().int().min(0),
});
type CursorState = z.infer<typeof cursorState>;

const invalidCursor = () =>
  new AppError(400, 'request.invalid_cursor', 'The cursor is not one this API issued', { errors: [{ path: 'cursor', message: 'invalid cursor' }] });

/**
 * Verification reads whole chains whose events belong to every agency: an agency-scoped key could
 * neither be given a verdict about "its" events alone (each hash covers its predecessor, another
 * agency's event) nor be allowed to make the service scan everyone's. Such keys are refused.
 */
function requireUnscoped(caller: Caller) {
  if (caller.scopePath !== null) {
    throw new AppError(403, 'audit.scoped_key', 'Verifying the audit trail and its checkpoints needs an unscoped key: every chain interleaves all agencies’ events');
  }
}

export function createAuditService(deps: { db: Db; repo: AuditRepository; keyring: AuditKeyring; clock: Clock; verifyMaxEvents: number }) {
  const { db, repo, keyring, clock } = deps;

  // The cursor carries a position inside the chains: it is MACed so that a client cannot make a
  // verification start from a position it invented.
  const cursorMac = (body: string) => keyring.mac(keyring.currentId, `verify-cursor:${body}`)!.slice(0, 32);
  const encodeCursor = (state: CursorState) => {
    const body = Buffer.from(JSON.stringify(state)).toString('base64url');
    return `${body}.${cursorMac(body)}`;
  };
  const decodeCursor = (cursor: string): CursorState => {
    const [body, mac] = cursor.split('.');
    if (!body || !mac || mac !== cursorMac(body)) throw invalidCursor();
    try {
      return cursorState.parse(JSON.parse(Buffer.from(body, 'base64url').toString('utf8')));
    } catch {
      throw invalidCursor();
    }
  };

  return {
    async list(caller: Caller, filter: Omit<AuditFilter, 'scopePath'>) {
      const rows = await repo.list({ ...filter, scopePath: caller.scopePath });
      return rows.map(view);
    },

    /**
     * Verifies the chains, by default from the latest stored checkpoint whose signature holds to the
     * current heads (or from an operator's copy of a checkpoint), in `full` mode from the genesis.
     * At most `maxEvents` (≤ AUDIT_VERIFY_MAX_EVENTS) events are read per call; `nextCursor` goes on, and
     * the last call's `valid` covers the whole run.
     */
    async verify(caller: Caller, opts: VerifyOptions) {
      requireUnscoped(caller);
      const budget = Math.min(opts.maxEvents ?? deps.verifyMaxEvents, deps.verifyMaxEvents);
      const state = opts.cursor ? decodeCursor(opts.cursor) : undefined;
      const mode = state?.mode ?? opts.mode;
      const breaks: ChainBreak[] = [];

      let anchor: AuditCheckpointRow | null = null;
      if (opts.checkpoint) {
        anchor = { ...opts.checkpoint };
        if (!checkpointSignatureHolds(keyring, anchor)) {
          breaks.push({ stream: null, seq: null, eventId: null, problem: `the supplied checkpoint ${anchor.id} does not carry a valid signature of a configured audit key` });
          return result({ mode, anchor, breaks, events: 0, streams: 0, next: null, carried: state });
        }
        if (state && state.anchor !== anchor.id) throw invalidCursor();
      } else if (state) {
        anchor = state.anchor ? ((await repo.checkpointById(state.anchor)) ?? null) : null;
        if (state.anchor && !anchor) breaks.push({ stream: null, seq: null, eventId: null, problem: `checkpoint ${state.anchor} has disappeared` });
      } else {
        const latest = (await repo.latestCheckpoint()) ?? null;
        if (latest && !checkpointSignatureHolds(keyring, latest)) {
          breaks.push({ stream: null, seq: null, eventId: null, problem: `the latest checkpoint ${latest.id} does not carry a valid signature: it was altered or forged` });
        } else {
          anchor = latest;
        }
      }
      // Without a checkpoint to start from, the walk starts at the genesis.
      const walkMode = anchor ? mode : 'full';
      const from: WalkPosition | undefined = state ? { stream: state.stream, seq: state.seq, hash: state.hash, started: state.started } : undefined;
      const walk = await walkChains(repo, keyring, { anchor, mode: walkMode, budget, from });
      breaks.push(...walk.breaks);
      return result({ mode: walkMode, anchor, breaks, events: walk.events, streams: walk.streams, next: walk.next, carried: state });

      function result(r: {
        mode: 'checkpoint' | 'full';
        anchor: AuditCheckpointRow | null;
        breaks: ChainBreak[];
        events: number;
        streams: number;
        next: WalkPosition | null;
        carried: CursorState | undefined;
      }) {
        const broken = (r.carried?.broken ?? 0) + r.breaks.length;
        const totalEvents = (r.carried?.events ?? 0) + r.events;
        const nextCursor = r.next
          ? encodeCursor({ mode: r.mode, anchor: r.anchor?.id ?? null, ...r.next, broken, events: totalEvents })
          : null;
        return {
          valid: broken === 0,
          mode: r.mode,
          checkpoint: r.anchor ? { id: r.anchor.id, createdAt: r.anchor.createdAt, keyId: r.anchor.keyId } : null,
          streams: r.streams,
          events: r.events,
          totalEvents,
          breaks: r.breaks,
          complete: r.next === null,
          nextCursor,
          verifiedAt: clock(),
        };
      }
    },

    /**
     * Signs the current head of every stream, after checking the chains from the previous checkpoint
     * up to them (a broken chain is never signed: 409 with the breaks). Nothing new when no stream
     * moved since the previous checkpoint, or when nothing was ever written. One at a time across
     * instances (advisory lock).
     */
    async createCheckpoint(caller?: Caller): Promise<{ checkpoint: CheckpointView | null; created: boolean }> {
      if (caller) requireUnscoped(caller);
      return db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${CHECKPOINT_LOCK_KEY})`);
        const r = createAuditRepository(tx);
        const previous = (await r.latestCheckpoint()) ?? null;
        if (previous && !checkpointSignatureHolds(keyring, previous)) {
          throw new AppError(409, 'audit.checkpoint_invalid', `The latest checkpoint ${previous.id} does not carry a valid signature: no checkpoint is signed on top of it`);
        }
        const walk = await walkChains(r, keyring, { anchor: previous, mode: 'checkpoint', budget: Number.POSITIVE_INFINITY, adoptUnkeyed: previous === null });
        if (walk.breaks.length > 0) {
          throw new AppError(409, 'audit.chain_broken', 'The audit trail does not verify: no checkpoint is signed over it', { breaks: walk.breaks });
        }
        const heads = walk.reached;
        const unchanged = previous
          ? heads.every((h) => previous.heads.some((p) => p.stream === h.stream && p.seq === h.seq && p.hash === h.hash))
          : heads.every((h) => h.seq === 0);
        if (unchanged) return { checkpoint: previous ? checkpointView(previous) : null, created: false };
        const draft = { id: newId(), createdAt: new Date(Math.floor(clock().getTime())), keyId: keyring.currentId, heads };
        const { signature } = keyring.sign(checkpointPayload(draft));
        const row: AuditCheckpointRow = { ...draft, signature };
        await r.insertCheckpoint(row);
        return { checkpoint: checkpointView(row), created: true };
      });
    },

    async listCheckpoints(caller: Caller, limit: number, beforeId?: string) {
      requireUnscoped(caller);
      return (await repo.listCheckpoints(limit, beforeId)).map(checkpointView);
    },

    signingKeys: () => keyring.publicKeys(),
  };
}
export type AuditService = ReturnType<typeof createAuditService>;
