import { and, asc, gt, notLike, sql } from 'drizzle-orm';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import type { Db } from '../../db/client.js';
import { audited, systemActor } from '../audit/audit.writer.js';
import { pgArrayLiteral } from '../candidates/candidates.repository.js';
import { intakes } from './intake.table.js';

/**
 * Data-key rotation for the people of intakes (docs/keys.md), as for candidates
 * (candidates.key-rotation.ts): re-encrypts each national ID not yet under the current data key and
 * recomputes its blind index, in batches, one transaction and one audit event each. Resumable.
 */
export async function rotateIntakeNationalIdKey(
  db: Db,
  protector: NationalIdProtector,
  opts: { batchSize?: number; onBatch?: (rotatedSoFar: number) => void } = {},
): Promise<{ rotated: number; keyId: string }> {
  const batchSize = opts.batchSize ?? 500;
  let after = '00000000-0000-0000-0000-000000000000';
  let rotated = 0;
  for (;;) {
    const n = await audited(db, systemActor('data key rotation'), async (tx, record) => {
      const rows = await tx
        .select({ id: intakes.id, ciphertext: intakes.nationalIdCiphertext })
        .from(intakes)
        .where(and(gt(intakes.id, after), notLike(intakes.nationalIdCiphertext, `v2:${protector.keyId}:%`)))
        .orderBy(asc(intakes.id))
        .limit(batchSize)
        .for('update');
      if (rows.length === 0) return 0;
      const next = rows.map((r) => ({ id: r.id, ...protector.protect(protector.decrypt(r.ciphertext)) }));
      await tx.execute(sql`
        update ${intakes} i set national_id_ciphertext = u.ct, national_id_index = u.idx
        from unnest(${pgArrayLiteral(next.map((r) => r.id))}::uuid[], ${pgArrayLiteral(next.map((r) => r.ciphertext))}::text[],
          ${pgArrayLiteral(next.map((r) => r.index))}::text[]) as u(id, ct, idx)
        where i.id = u.id`);
      after = rows[rows.length - 1]!.id;
      record({ action: 'national_ids.reencrypted', resourceType: 'data_key', resourceId: protector.keyId, after: { table: 'intakes', rows: rows.length } });
      return rows.length;
    });
    if (n === 0) break;
    rotated += n;
    opts.onBatch?.(rotated);
  }
  return { rotated, keyId: protector.keyId };
}
