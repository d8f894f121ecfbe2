import { and, asc, eq, gt, isNotNull, notLike, sql } from 'drizzle-orm';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import type { Db } from '../../db/client.js';
import { audited, systemActor } from '../audit/audit.writer.js';
import { pgArrayLiteral } from './candidates.repository.js';
import { identityCorrections } from '../identity/identity.table.js';
import { candidates } from './candidates.table.js';
import { type intakes } from '../intake/intake.table.js';

/**
 * Data-key rotation (docs/keys.md): re-encrypts every national ID not yet under the current data
 * key and recomputes its blind index, in batches of `batchSize` rows, one transaction each (rows
 * locked, one audit event per batch). The protector holds the new key as current and the old ones
 * as retired, so rows not yet rotated stay readable. Resumable: a rerun after a crash finds only
 * the rows still on an old key (v2 ciphertexts name their key; v1 ones are always redone).
 */
type RotationOptions = { batchSize?: number; onBatch?: (rotatedSoFar: number) => void };
/** A table holding people's national IDs under the data key (candidates, intakes). */
type ProtectedTable = typeof candidates | typeof intakes;

/**
 * Re-encrypts one table's national IDs not yet under the current key and recomputes their blind
 * index, in batches (rows locked, one transaction and one audit event each). `table` names the
 * table in the audit event when given.
 */
export async function rotateTableNationalIds(
  db: Db,
  protector: NationalIdProtector,
  target: ProtectedTable,
  opts: RotationOptions & { table?: string } = {},
): Promise<number> {
  const batchSize = opts.batchSize ?? 500;
  const t = target as typeof candidates;
  let after = '00000000-0000-0000-0000-000000000000';
  let rotated = 0;
  for (;;) {
    const n = await audited(db, systemActor('data key rotation'), async (tx, record) => {
      const rows = await tx
        .select({ id: t.id, ciphertext: t.nationalIdCiphertext })
        .from(t)
        .where(and(gt(t.id, after), notLike(t.nationalIdCiphertext, `v2:${protector.keyId}:%`)))
        .orderBy(asc(t.id))
        .limit(batchSize)
        .for('update');
      if (rows.length === 0) return 0;
      const next = rows.map((r) => ({ id: r.id, ...protector.protect(protector.decrypt(r.ciphertext)) }));
      await tx.execute(sql`
        update ${t} p set national_id_ciphertext = u.ct, national_id_index = u.idx
        from unnest(${pgArrayLiteral(next.map((r) => r.id))}::uuid[], ${pgArrayLiteral(next.map((r) => r.ciphertext))}::text[],
          ${pgArrayLiteral(next.map((r) => r.index))}::text[]) as u(id, ct, idx)
        where p.id = u.id`);
      after = rows[rows.length - 1]!.id;
      record({
        action: 'national_ids.reencrypted',
        resourceType: 'data_key',
        resourceId: protector.keyId,
        after: opts.table ? { table: opts.table, rows: rows.length } : { rows: rows.length },
      });
      return rows.length;
    });
    if (n === 0) break;
    rotated += n;
    opts.onBatch?.(rotated);
  }
  return rotated;
}

export async function rotateNationalIdKey(
  db: Db,
  protector: NationalIdProtector,
  opts: RotationOptions = {},
): Promise<{ rotated: number; keyId: string; corrections: number }> {
  const rotated = await rotateTableNationalIds(db, protector, candidates, opts);
  // A corrected national ID awaiting the approver (identity_corrections) is re-encrypted too, so that
  // it stays readable once the old key is retired; the decision re-encrypts and re-indexes it again.
  const corrections = await audited(db, systemActor('data key rotation'), async (tx, record) => {
    const rows = await tx
      .select({ id: identityCorrections.id, ciphertext: identityCorrections.nationalIdCiphertext })
      .from(identityCorrections)
      .where(and(isNotNull(identityCorrections.nationalIdCiphertext), notLike(identityCorrections.nationalIdCiphertext, `v2:${protector.keyId}:%`)))
      .for('update');
    for (const r of rows) {
      const p = protector.protect(protector.decrypt(r.ciphertext!));
      await tx.update(identityCorrections).set({ nationalIdCiphertext: p.ciphertext, nationalIdIndex: p.index }).where(eq(identityCorrections.id, r.id));
    }
    if (rows.length > 0) record({ action: 'national_ids.reencrypted', resourceType: 'data_key', resourceId: protector.keyId, after: { identityCorrections: rows.length } });
    return rows.length;
  });
  return { rotated, keyId: protector.keyId, corrections };
}
