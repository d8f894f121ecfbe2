import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../../db/client.js';
import { ethnicGroupByCode } from '../../domain/ethnicity.js';
import { conflict } from '../../errors.js';

/** A named group of a reserved quota with more winners than the slots the plan set for it. */
export type GroupOverfilled = { quotaId: string; code: string; name: string; slots: number; winners: number };

/**
 * Decree 170/2025 Art. 3(2)(c): where the plan sets the ethnic structure of a reserved position
 * (slots per group), the winners of each group stay within its slots. The ranking gives a quota's
 * slots on score alone, so this is checked on the computed results, before they are submitted for
 * approval. A winner's group is that of the submission the application was registered with.
 */
export async function overfilledEthnicGroups(tx: DbOrTx, driveId: string): Promise<GroupOverfilled[]> {
  const result = await tx.execute(sql`
    select q.id::text as quota_id, g.code, g.slots, count(r.id)::int as winners
      from quotas q
      cross join lateral jsonb_to_recordset(q.ethnic_groups) as g(code text, slots int)
      left join results r on r.quota_id = q.id and r.outcome = 'winner'
      left join applications a on a.id = r.application_id
      left join candidate_profiles p on p.id = a.profile_id
      left join candidates c on c.id = a.candidate_id
     where q.drive_id = ${driveId}::uuid and g.slots is not null
       and (r.id is null or coalesce(p.ethnicity_code, case when a.profile_id is null then c.ethnicity_code end) = g.code)
     group by q.id, g.code, g.slots
    having count(r.id) > g.slots
     order by q.id, g.code`);
  return (result as unknown as { rows: { quota_id: string; code: string; slots: number; winners: number }[] }).rows.map((r) => ({
    quotaId: r.quota_id,
    code: r.code,
    name: ethnicGroupByCode(r.code)?.name ?? r.code,
    slots: Number(r.slots),
    winners: Number(r.winners),
  }));
}

export function refuseOverfilledEthnicGroups(over: GroupOverfilled[]): void {
  if (over.length === 0) return;
  throw conflict(
    'results.ethnic_group_slots_exceeded',
    `The plan's ethnic structure is not met (Decree 170/2025 Art. 3(2)(c)): ` +
      over.map((o) => `quota ${o.quotaId} has ${o.winners} winners of ${o.name} (${o.code}) for ${o.slots} slot${o.slots === 1 ? '' : 's'}`).join('; '),
    { groups: over.slice(0, 100) },
  );
}
