import type { NationalIdProtector } from '../../crypto/national-id.js';
import type { Db } from '../../db/client.js';
import { rotateTableNationalIds } from '../candidates/candidates.key-rotation.js';
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
  const rotated = await rotateTableNationalIds(db, protector, intakes, { ...opts, table: 'intakes' });
  return { rotated, keyId: protector.keyId };
}
