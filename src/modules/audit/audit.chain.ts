import canonicalize from 'canonicalize';
import type { AuditKeyring } from '../../crypto/audit-keys.js';
import type { AuditRepository } from './audit.repository.js';
import type { AuditCheckpointRow, CheckpointHead } from './audit.table.js';
import { AUDIT_STREAMS, GENESIS_HASH, eventHash } from './audit.writer.js';

/*
 * Walking the audit chains. Every one of the AUDIT_STREAMS streams is expected (a stream that has
 * disappeared is caught against the checkpoint that recorded it), each event must follow its
 * predecessor (next sequence number, previous hash) and carry the keyed hash of its content, and
 * each chain must end where its head row says. The walk starts at a signed checkpoint's heads
 * (incremental: what came before was verified when the checkpoint was signed) or at the genesis
 * (full), and stops after a budget of events, returning the position to go on from.
 */

export type ChainBreak = { stream: number | null; seq: number | null; eventId: string | null; problem: string };

/** Where a walk stands: the stream it is in, and the last event checked there (seq 0 = nothing yet). */
export type WalkPosition = { stream: number; seq: number; hash: string; started: boolean };

export type WalkOptions = {
  /** The checkpoint to start from (incremental) or to check against on the way (full); null: none. */
  anchor: AuditCheckpointRow | null;
  mode: 'checkpoint' | 'full';
  /** Most events to read in this walk. */
  budget: number;
  from?: WalkPosition | undefined;
  /**
   * Signing the first checkpoint adopts the events written before the chain was keyed (key id null):
   * accepted only at the start of a stream, before its first keyed event. Verification accepts them
   * only at or below a signed checkpoint.
   */
  adoptUnkeyed?: boolean;
};

export type WalkResult = {
  breaks: ChainBreak[];
  events: number;
  streams: number;
  /** Heads reached, one per stream walked to its end (for signing a checkpoint). */
  reached: CheckpointHead[];
  /** Where to go on from; null when every stream was walked to its head. */
  next: WalkPosition | null;
};

const BATCH = 2_000;

export const headsOf = (cp: AuditCheckpointRow | null) => {
  const m = new Map<number, CheckpointHead>();
  for (const h of cp?.heads ?? []) m.set(h.stream, h);
  return (stream: number): CheckpointHead => m.get(stream) ?? { stream, seq: 0, hash: GENESIS_HASH };
};

export async function walkChains(repo: AuditRepository, keyring: AuditKeyring, opts: WalkOptions): Promise<WalkResult> {
  const anchorHead = headsOf(opts.anchor);
  const heads = new Map((await repo.streamHeads()).map((h) => [h.stream, h]));
  const breaks: ChainBreak[] = [];
  const reached: CheckpointHead[] = [];
  let budget = opts.budget;
  let events = 0;
  let streams = 0;
  if (!opts.from && (await repo.eventOutsideStreams(AUDIT_STREAMS))) {
    breaks.push({ stream: null, seq: null, eventId: null, problem: `events lie outside the ${AUDIT_STREAMS} audit streams` });
  }

  for (let stream = opts.from?.stream ?? 0; stream < AUDIT_STREAMS; stream++) {
    const cp = anchorHead(stream);
    const head = heads.get(stream);
    // Events written after the heads were read belong to the next walk.
    const upto = head?.lastSeq;
    let seq = 0;
    let prev = GENESIS_HASH;
    let broken = false;
    let keyedSeen = false;
    const resumed = opts.from && opts.from.stream === stream && opts.from.started ? opts.from : undefined;
    if (resumed) {
      seq = resumed.seq;
      prev = resumed.hash;
      keyedSeen = true;
    } else if (opts.mode === 'checkpoint' && cp.seq > 0) {
      // Incremental: the chain must still reach the signed head (a truncated tail or a deleted
      // stream no longer does), and goes on from there.
      const at = await repo.eventAt(stream, cp.seq);
      if (!at || at.hash !== cp.hash) {
        breaks.push({ stream, seq: cp.seq, eventId: at?.id ?? null, problem: 'the chain no longer reaches the signed checkpoint (events deleted or rewritten)' });
        broken = true;
      }
      seq = cp.seq;
      prev = cp.hash;
      keyedSeen = true;
    }

    let done = broken;
    while (!done) {
      if (budget <= 0) {
        return { breaks, events, streams, reached, next: { stream, seq, hash: prev, started: true } };
      }
      const want = Math.min(BATCH, budget);
      const batch = await repo.streamBatch(stream, seq, want, upto);
      for (const e of batch) {
        events++;
        budget--;
        if (broken) continue;
        const problems: string[] = [];
        if (e.seq !== seq + 1) problems.push(`sequence jumps from ${seq} to ${e.seq}`);
        if (e.prevHash !== prev) problems.push('does not link to the previous event');
        if (e.keyId === null) {
          const adopted = opts.adoptUnkeyed === true && !keyedSeen;
          if (!adopted && e.seq > cp.seq) problems.push('has no audit key and is not covered by a signed checkpoint');
        } else {
          keyedSeen = true;
          if (!keyring.has(e.keyId)) problems.push(`is keyed with audit key ${e.keyId}, which is not configured (AUDIT_KEYS_RETIRED)`);
        }
        if (problems.length === 0 && eventHash(e, keyring) !== e.hash) problems.push('content does not match its hash');
        if (problems.length === 0 && e.seq === cp.seq && e.hash !== cp.hash) problems.push('differs from the signed checkpoint');
        if (problems.length > 0) {
          breaks.push({ stream, seq: e.seq, eventId: e.id, problem: problems.join('; ') });
          broken = true;
        }
        seq = e.seq;
        prev = e.hash;
      }
      if (batch.length < want) done = true;
    }
    streams++;
    if (broken) continue;
    if (seq < cp.seq) {
      breaks.push({ stream, seq, eventId: null, problem: `the chain ends at ${seq}, before the signed checkpoint's ${cp.seq} (events missing at the end?)` });
    } else if (head ? head.lastSeq !== seq || head.lastHash !== prev : seq !== 0) {
      breaks.push({ stream, seq: head?.lastSeq ?? null, eventId: null, problem: 'the chain does not end where its head says (events missing at the end?)' });
    } else if (await beyondHead(repo, stream, seq)) {
      breaks.push({ stream, seq: seq + 1, eventId: null, problem: 'an event lies beyond the head of its stream (appended outside the writer?)' });
    } else {
      reached.push({ stream, seq, hash: prev });
    }
  }
  return { breaks, events, streams, reached, next: null };
}

/**
 * Whether an event follows `seq` although the stream's head is at `seq`. The walk stops at the heads
 * it read first; an event after them is either a write committed since (the head has moved on) or
 * one appended without moving the head.
 */
async function beyondHead(repo: AuditRepository, stream: number, seq: number): Promise<boolean> {
  if (!(await repo.eventAt(stream, seq + 1))) return false;
  const now = await repo.streamHead(stream);
  return !now || now.lastSeq <= seq;
}

/** The exact bytes a checkpoint's signature covers: canonical JSON (RFC 8785) of its fields. */
export function checkpointPayload(cp: Pick<AuditCheckpointRow, 'id' | 'createdAt' | 'keyId' | 'heads'>): string {
  const heads = [...cp.heads].sort((a, b) => a.stream - b.stream).map((h) => ({ stream: h.stream, seq: h.seq, hash: h.hash }));
  return canonicalize({ type: 'tuyendung.audit-checkpoint.v1', id: cp.id, createdAt: cp.createdAt.toISOString(), keyId: cp.keyId, heads }) ?? '';
}

export const checkpointSignatureHolds = (keyring: AuditKeyring, cp: AuditCheckpointRow) =>
  keyring.verify(cp.keyId, checkpointPayload(cp), cp.signature);
