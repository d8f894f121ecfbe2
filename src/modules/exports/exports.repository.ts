import { sql } from 'drizzle-orm';
import type { Db } from '../../db/client.js';
import { cursorRows } from './cursor.js';

/*
 * Export queries. National IDs only ever leave as the stored masked form. Rows come through a
 * server-side cursor (see cursor.ts), so a drive of 200,000 applications streams in batches.
 */

export type ResultExportRow = {
  agency_code: string;
  agency_name: string;
  position: string;
  slots: number;
  rank: number | null;
  candidate_number: string | null;
  full_name: string;
  birth_date: string;
  national_id_masked: string;
  outcome: string;
  winner_slot: number | null;
  raw_score: string | null;
  priority_points: string;
  ranking_score: string | null;
  decided_by: string | null;
  explanation: string | null;
  cancel_reason: string | null;
  cancelled_at: string | null;
  /** Jointly recruited position (Decree 170/2025 Art. 10(3)): the user agency a winner is placed at, "code name". */
  placed_agency: string | null;
};

export type ApplicationExportRow = {
  agency_code: string;
  agency_name: string;
  position: string;
  job_position_code: string;
  candidate_number: string | null;
  full_name: string;
  birth_date: string;
  gender: string;
  ethnicity: string;
  national_id_masked: string;
  choice: number;
  status: string;
  priority_category: string | null;
  priority_points: string;
  exemptions: string;
  reasons: string;
  submitted_at: string;
};

export function createExportsRepository(db: Db) {
  return {
    /** The drive's current results, by quota then rank (results_drive_idx). */
    results(driveId: string): AsyncGenerator<ResultExportRow> {
      return cursorRows<ResultExportRow>(
        db,
        sql`select ag.code as agency_code, ag.name as agency_name, coalesce(q.title, jp.name) as position, q.slots,
                   r.rank, a.candidate_number, coalesce(ai.full_name, cp.full_name, c.full_name) as full_name,
                   coalesce(ai.birth_date, cp.birth_date, c.birth_date)::text as birth_date, coalesce(ai.national_id_masked, c.national_id_masked) as national_id_masked,
                   r.outcome, r.winner_slot, r.raw_score::text as raw_score, r.priority_points::text as priority_points,
                   r.ranking_score::text as ranking_score, r.decided_by, r.explanation->>'text' as explanation,
                   r.cancel_reason, to_char(r.cancelled_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as cancelled_at,
                   (select pa.code || ' ' || pa.name from agencies pa where pa.id = (r.explanation->'joint'->>'placedAgencyId')::uuid) as placed_agency
              from results r
              join quotas q on q.id = r.quota_id
              join agencies ag on ag.id = q.agency_id
              join job_positions jp on jp.id = q.job_position_id
              join applications a on a.id = r.application_id
              join candidates c on c.id = a.candidate_id
              left join candidate_profiles cp on cp.id = a.profile_id -- the registering agency's submission
              left join approved_identities ai on ai.drive_id = a.drive_id and ai.application_id = a.id -- frozen at approval
             where r.drive_id = ${driveId}
             order by ag.code, jp.code, q.id, r.rank nulls last, a.candidate_number nulls last, r.id`,
      );
    },

    /** Every application of the drive (withdrawn and ineligible too, with reasons), by quota then candidate number. */
    applications(driveId: string): AsyncGenerator<ApplicationExportRow> {
      return cursorRows<ApplicationExportRow>(
        db,
        sql`select ag.code as agency_code, ag.name as agency_name, coalesce(q.title, jp.name) as position, jp.code as job_position_code,
                   a.candidate_number, coalesce(ai.full_name, cp.full_name, c.full_name) as full_name, coalesce(ai.birth_date, cp.birth_date, c.birth_date)::text as birth_date,
                   coalesce(cp.gender, c.gender) as gender, coalesce(cp.ethnicity, c.ethnicity) as ethnicity, coalesce(ai.national_id_masked, c.national_id_masked) as national_id_masked,
                   a.choice, a.status, a.priority_category, a.priority_points::text as priority_points,
                   array_to_string(array(select jsonb_array_elements_text(a.exemptions)), '; ') as exemptions,
                   array_to_string(array(select e->>'message' from jsonb_array_elements(a.reasons) e), '; ') as reasons,
                   to_char(a.submitted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as submitted_at
              from applications a
              join quotas q on q.id = a.quota_id
              join agencies ag on ag.id = q.agency_id
              join job_positions jp on jp.id = q.job_position_id
              join candidates c on c.id = a.candidate_id
              left join candidate_profiles cp on cp.id = a.profile_id -- the registering agency's submission
              left join approved_identities ai on ai.drive_id = a.drive_id and ai.application_id = a.id -- frozen at approval
             where a.drive_id = ${driveId}
             order by ag.code, jp.code, q.id, a.candidate_number nulls last, a.id`,
      );
    },
  };
}
export type ExportsRepository = ReturnType<typeof createExportsRepository>;
