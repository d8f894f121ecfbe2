import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import type { Db, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { formatScore, parseScore } from '../../domain/decimal.js';
import { assessIntake, checkCouncilComposition, oralOutcome, type IntakeAssessment } from '../../domain/intake.js';
import { maskNationalId } from '../../domain/masking.js';
import { searchKey } from '../../domain/names.js';
import { AppError, conflict, forbidden, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import type { AgenciesRepository } from '../agencies/agencies.repository.js';
import { audited } from '../audit/audit.writer.js';
import { FULL_NATIONAL_ID_ROLES } from '../candidates/candidates.service.js';
import { fromArray, type Column } from '../exports/tabular.js';
import type { JobPositionsRepository } from '../job-positions/job-positions.repository.js';
import type { QuotasService } from '../quotas/quotas.service.js';
import type { IntakeRepository, ScopedIntake } from './intake.repository.js';
import type { CouncilInput, CouncilReportInput, CreateCategoryInput, CreateIntakeInput, DecisionInput, ListIntakesQuery, OralMarksInput } from './intake.schemas.js';
import type { IntakeCategoryRow, IntakeCouncilMemberRow, IntakeRow } from './intake.table.js';

/*
 * Intake (tiếp nhận), outside drives: Decree 170/2025 Art. 13–14 as issued (civil servants; replaced
 * by 300/2026 Art. 3–4, held in summary only, so the category catalogue is data) and Decree 115/2020
 * Art. 13 as amended by 85/2023 (public employees). A request holds one unit of the agency's unused
 * headcount of the decision's year under the quotas' guard; the review council (where the category
 * needs one) checks the person and holds the oral; the authority the category names decides.
 */

export type IntakeDeps = {
  db: Db;
  repo: IntakeRepository;
  agencies: AgenciesRepository;
  jobPositions: JobPositionsRepository;
  quotas: Pick<QuotasService, 'guardHeadcount'>;
  nationalIds: NationalIdProtector;
  clock: Clock;
};

export const categoryView = (c: IntakeCategoryRow) => ({
  id: c.id,
  catalogue: c.catalogue,
  staffCategory: c.staffCategory,
  code: c.code,
  name: c.name,
  source: c.source,
  condition: c.condition,
  minYears: c.minYears,
  councilRequired: c.councilRequired,
  oralRequired: c.oralRequired,
  decidingAuthority: c.decidingAuthority,
  dossierItems: c.dossierItems,
  effectiveFrom: c.effectiveFrom,
  effectiveTo: c.effectiveTo,
});

const assessmentOf = (row: IntakeRow, category: IntakeCategoryRow): IntakeAssessment =>
  assessIntake(
    { condition: category.condition, minYears: category.minYears, councilRequired: category.councilRequired, oralRequired: category.oralRequired, dossierItems: category.dossierItems },
    { ...row.conditions, leadershipPost: row.leadershipPost, receivedOn: row.receivedOn, dossier: row.dossier },
  );

type Detail = { category: IntakeCategoryRow; members: IntakeCouncilMemberRow[]; marks: { memberId: string; score: string }[] };

function oralOf(marks: Detail['marks']) {
  if (marks.length === 0) return null;
  const o = oralOutcome(marks.map((m) => parseScore(m.score)));
  return { status: o.status, score: o.score === null ? null : formatScore(o.score), reason: o.reason };
}

function view(row: IntakeRow, d: Detail, nationalId?: string) {
  const assessment = assessmentOf(row, d.category);
  const markOf = new Map(d.marks.map((m) => [m.memberId, m.score]));
  return {
    id: row.id,
    agencyId: row.agencyId,
    jobPositionId: row.jobPositionId,
    staffCategory: row.staffCategory,
    year: row.year,
    category: { id: d.category.id, catalogue: d.category.catalogue, code: d.category.code, name: d.category.name, decidingAuthority: d.category.decidingAuthority },
    person: { fullName: row.fullName, nationalIdMasked: row.nationalIdMasked, ...(nationalId !== undefined ? { nationalId } : {}), birthDate: row.birthDate },
    currentEmployer: row.currentEmployer,
    leadershipPost: row.leadershipPost,
    conditions: row.conditions,
    dossier: row.dossier,
    receivedOn: row.receivedOn,
    assessment,
    status: row.status,
    council: assessment.councilRequired
      ? {
          members: d.members.map((m) => ({
            id: m.id,
            seat: m.seat,
            fullName: m.fullName,
            nationalIdMasked: m.nationalIdMasked,
            title: m.title,
            relativesDeclared: m.relativesDeclared,
            decisionNumber: m.decisionNumber,
            decisionDate: m.decisionDate,
            oralScore: markOf.get(m.id) ?? null,
          })),
          oral: row.oralScore !== null ? { status: 'final', score: row.oralScore, reason: row.oralRule } : oralOf(d.marks),
          outcome: row.councilOutcome,
          reportedOn: row.councilReportedOn,
          minutesRef: row.councilMinutesRef,
        }
      : null,
    decision:
      row.decisionNumber && row.decisionDate && row.decisionAuthority
        ? { authority: row.decisionAuthority, number: row.decisionNumber, date: row.decisionDate, reason: row.decisionReason }
        : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    version: row.version,
  };
}
export type IntakeView = ReturnType<typeof view>;

/** What the audit trail and webhooks carry: ids and codes, never the person. */
const auditView = (row: IntakeRow, category: IntakeCategoryRow) => ({
  id: row.id,
  agencyId: row.agencyId,
  jobPositionId: row.jobPositionId,
  categoryId: category.id,
  catalogue: category.catalogue,
  categoryCode: category.code,
  staffCategory: row.staffCategory,
  year: row.year,
  status: row.status,
  councilOutcome: row.councilOutcome,
  decisionNumber: row.decisionNumber,
  decisionDate: row.decisionDate,
  version: row.version,
});

const closed = (row: IntakeRow) => conflict('intake.decided', `The intake was already ${row.status}`, { status: row.status });
const concurrent = () => new AppError(409, 'concurrent_change', 'The intake changed while updating; retry');

export type IntakeExportRow = Awaited<ReturnType<IntakeRepository['exportRows']>>[number];
const exportColumns: readonly Column<IntakeExportRow>[] = [
  { header: 'Mã hồ sơ tiếp nhận', value: (r) => r.id, width: 38 },
  { header: 'Mã đơn vị', value: (r) => r.agencyId, width: 38 },
  { header: 'Mã vị trí việc làm', value: (r) => r.jobPositionId, width: 38 },
  { header: 'Văn bản', value: (r) => r.catalogue },
  { header: 'Đối tượng', value: (r) => r.categoryCode },
  { header: 'Năm', kind: 'int', value: (r) => r.year },
  { header: 'Họ và tên', value: (r) => r.fullName, width: 30 },
  { header: 'Ngày sinh', value: (r) => r.birthDate },
  { header: 'Số CCCD (đã che)', value: (r) => r.nationalIdMasked, width: 16 },
  { header: 'Ngày nhận hồ sơ', value: (r) => r.receivedOn },
  { header: 'Kết luận Hội đồng', value: (r) => r.councilOutcome },
  { header: 'Điểm sát hạch', kind: 'decimal', value: (r) => r.oralScore },
  { header: 'Trạng thái', value: (r) => r.status },
  { header: 'Số quyết định', value: (r) => r.decisionNumber },
  { header: 'Ngày quyết định', value: (r) => r.decisionDate },
];

export function createIntakeService(deps: IntakeDeps) {
  const { db, repo, nationalIds } = deps;

  async function detail(row: IntakeRow, tx: Db | Tx = db): Promise<Detail> {
    const category = await repo.category(row.categoryId, tx);
    return { category: category!, members: await repo.members(row.id, tx), marks: await repo.marks(row.id, tx) };
  }

  /** An intake in the caller's subtree, else 404 (another agency's intake is not acknowledged). */
  async function visible(caller: Caller, id: string, tx: Db | Tx = db, lock = false): Promise<ScopedIntake> {
    const row = await repo.find(id, tx, lock);
    if (!row || !inScope(caller, row.agencyPath)) throw notFound('intake', id);
    return row;
  }

  /** Locked and still requested, at the version the caller expects. */
  async function open(tx: Tx, caller: Caller, id: string, expected: number | undefined): Promise<ScopedIntake> {
    const row = await visible(caller, id, tx, true);
    if (expected !== undefined && expected !== row.version) throw preconditionFailed();
    if (row.status !== 'requested') throw closed(row);
    return row;
  }

  return {
    async categories(q: { staffCategory?: 'civil_servant' | 'public_employee' | undefined; on?: string | undefined }) {
      return { items: (await repo.categories(q)).map(categoryView) };
    },

    /** A new entry of the catalogue (e.g. Decree 300/2026's categories once its text is held). */
    async createCategory(caller: Caller, input: CreateCategoryInput) {
      if (input.condition === 'insured_years' && input.minYears === null) {
        throw unprocessable('intake_category.min_years_required', 'A category asking insured years states how many (minYears)');
      }
      if (input.effectiveTo !== null && input.effectiveTo <= input.effectiveFrom) {
        throw unprocessable('intake_category.period_invalid', 'effectiveTo must be after effectiveFrom');
      }
      return audited(db, caller.actor, async (tx, record) => {
        try {
          const row = await repo.insertCategory(tx, { id: newId(), ...input, oralRequired: input.councilRequired && input.oralRequired });
          record({ action: 'intake_category.created', resourceType: 'intake_category', resourceId: row.id, after: categoryView(row) });
          return categoryView(row);
        } catch (err) {
          if (isUniqueViolation(err, 'intake_categories_catalogue_code_unique')) {
            throw conflict('intake_category.duplicate', `The catalogue ${input.catalogue} already has category ${input.code} for ${input.staffCategory}`);
          }
          throw err;
        }
      });
    },

    async create(caller: Caller, input: CreateIntakeInput): Promise<IntakeView> {
      return audited(db, caller.actor, async (tx, record) => {
        const agency = await deps.agencies.findById(input.agencyId, tx);
        if (!agency || !inScope(caller, agency.path)) throw unprocessable('intake.agency_not_found', `No agency ${input.agencyId}`);
        const position = await deps.jobPositions.findById(input.jobPositionId, tx);
        if (!position || !inScope(caller, position.agencyPath)) throw unprocessable('intake.position_not_found', `No job position ${input.jobPositionId}`);
        if (position.agencyId !== input.agencyId) {
          throw unprocessable('intake.position_not_at_agency', `Job position ${position.code} belongs to another agency`, { jobPositionAgencyId: position.agencyId, agencyId: input.agencyId });
        }
        if (!position.active) throw unprocessable('intake.position_inactive', `Job position ${position.code} is inactive`);
        const category = await repo.category(input.categoryId, tx);
        if (!category) throw unprocessable('intake.category_not_found', `No intake category ${input.categoryId}`);
        if (category.staffCategory !== position.staffCategory) {
          throw unprocessable('intake.category_mismatch', `Category ${category.code} of ${category.catalogue} is for ${category.staffCategory}; the position is for ${position.staffCategory}`, {
            categoryStaffCategory: category.staffCategory,
            positionStaffCategory: position.staffCategory,
          });
        }
        if (input.receivedOn < category.effectiveFrom || (category.effectiveTo !== null && input.receivedOn >= category.effectiveTo)) {
          throw unprocessable('intake.category_not_in_force', `Category ${category.code} of ${category.catalogue} is in force from ${category.effectiveFrom}${category.effectiveTo ? ` to ${category.effectiveTo}` : ''}; the dossier was received on ${input.receivedOn}`, {
            effectiveFrom: category.effectiveFrom,
            effectiveTo: category.effectiveTo,
          });
        }
        if (Number(input.receivedOn.slice(0, 4)) > input.year) {
          throw unprocessable('intake.year_before_receipt', `The decision cannot fall in ${input.year}, before the dossier was received on ${input.receivedOn}`);
        }
        // The same guard as quotas, on the same locked headcount row: one unit held while requested.
        await deps.quotas.guardHeadcount(tx, { agencyId: input.agencyId, year: input.year, staffCategory: position.staffCategory }, 1);
        const id = nationalIds.protect(input.person.nationalId);
        const row = await repo.insert(tx, {
          id: newId(),
          agencyId: input.agencyId,
          jobPositionId: input.jobPositionId,
          categoryId: category.id,
          staffCategory: position.staffCategory,
          year: input.year,
          fullName: input.person.fullName.normalize('NFC'),
          fullNameSearch: searchKey(input.person.fullName),
          birthDate: input.person.birthDate,
          nationalIdCiphertext: id.ciphertext,
          nationalIdIndex: id.index,
          nationalIdMasked: id.masked,
          currentEmployer: input.currentEmployer,
          leadershipPost: input.leadershipPost,
          conditions: input.conditions,
          dossier: input.dossier,
          receivedOn: input.receivedOn,
        });
        record({ action: 'intake.requested', resourceType: 'intake', resourceId: row.id, agencyId: row.agencyId, after: auditView(row, category) });
        return view(row, { category, members: [], marks: [] });
      });
    },

    async get(caller: Caller, id: string): Promise<IntakeView> {
      const row = await visible(caller, id);
      const full = FULL_NATIONAL_ID_ROLES.includes(caller.role) ? nationalIds.decrypt(row.nationalIdCiphertext) : undefined;
      return view(row, await detail(row), full);
    },

    /** Lists are always masked. */
    async list(caller: Caller, q: ListIntakesQuery, afterId: string | undefined): Promise<IntakeView[]> {
      const rows = await repo.list({ scopePath: caller.scopePath, agencyId: q.agencyId, status: q.status, year: q.year, afterId, limit: q.limit });
      return Promise.all(rows.map(async (r) => view(r, await detail(r))));
    },

    /**
     * The review council (Hội đồng kiểm tra, sát hạch), formed as the recruitment council (170 Art.
     * 14(1)(a), 8(1); 115 Art. 13(2)(a), 8): 5 or 7 members with a chair, a deputy and a secretary,
     * none of them related to the person, under discipline or disciplined for corruption (170 Art.
     * 14(3); the boards' rules, 170 Art. 8(3)). Replaces an earlier composition and its marks.
     */
    async formCouncil(caller: Caller, id: string, expected: number | undefined, input: CouncilInput): Promise<IntakeView> {
      return audited(db, caller.actor, async (tx, record) => {
        const row = await open(tx, caller, id, expected);
        const d = await detail(row, tx);
        if (!assessmentOf(row, d.category).councilRequired) {
          throw conflict('intake.no_council', `Category ${d.category.code} of ${d.category.catalogue}${row.leadershipPost ? ', taken in to a leadership post,' : ''} is decided without a review council (170 Art. 14(2); 115 Art. 13(4))`);
        }
        if (row.councilOutcome !== null) throw conflict('intake.council_reported', 'The council has reported: its composition no longer changes');
        const composition = checkCouncilComposition(input.members.map((m) => m.seat));
        if (composition) throw unprocessable('intake.council_composition', composition);
        const members = input.members.map((m) => {
          if (m.discipline !== 'none') {
            throw unprocessable('intake.member_disciplined', `${m.fullName} is ${m.discipline.replace('_', ' ')}: such a person may not sit on the review council (170 Art. 14(3), 8(3))`, { discipline: m.discipline });
          }
          const index = m.nationalId ? nationalIds.blindIndex(m.nationalId) : null;
          if (index !== null && index === row.nationalIdIndex) throw unprocessable('intake.member_is_subject', `${m.fullName} is the person being taken in`);
          const related = m.relatives.some(
            (r) =>
              (r.nationalId !== undefined && nationalIds.blindIndex(r.nationalId) === row.nationalIdIndex) ||
              (r.nationalId === undefined && r.fullName !== undefined && r.birthDate === row.birthDate && searchKey(r.fullName) === row.fullNameSearch),
          );
          if (related) {
            throw unprocessable('intake.member_related', `${m.fullName} has declared the person as a relative: relatives may not sit on the review council (170 Art. 14(3))`);
          }
          return {
            id: newId(),
            intakeId: row.id,
            seat: m.seat,
            fullName: m.fullName.normalize('NFC'),
            nationalIdIndex: index,
            nationalIdMasked: m.nationalId ? maskNationalId(m.nationalId) : null,
            title: m.title ?? null,
            discipline: m.discipline,
            relativesDeclared: m.relatives.length,
            decisionNumber: input.decision.number,
            decisionDate: input.decision.date,
          };
        });
        await repo.replaceCouncil(tx, row.id, members);
        const updated = await repo.update(tx, row.id, row.version, {});
        if (!updated) throw concurrent();
        record({
          action: 'intake.council_formed',
          resourceType: 'intake',
          resourceId: row.id,
          agencyId: row.agencyId,
          after: { ...auditView(updated, d.category), memberIds: members.map((m) => m.id), decisionNumber: input.decision.number },
        });
        return view(updated, await detail(updated, tx));
      });
    },

    /** The council members' marks for the oral (170 Art. 14(1)(b)): mean at 2 decimals; the chair decides past 10 points (Quy chế Art. 22(1)). */
    async putOralMarks(caller: Caller, id: string, input: OralMarksInput): Promise<IntakeView> {
      return audited(db, caller.actor, async (tx, record) => {
        const row = await open(tx, caller, id, undefined);
        const d = await detail(row, tx);
        if (!assessmentOf(row, d.category).oralRequired) throw conflict('intake.no_oral', `Category ${d.category.code} of ${d.category.catalogue} holds no oral`);
        if (row.councilOutcome !== null) throw conflict('intake.council_reported', 'The council has reported: the marks no longer change');
        const ids = new Set(d.members.map((m) => m.id));
        const seen = new Set<string>();
        for (const m of input.marks) {
          if (!ids.has(m.memberId)) throw unprocessable('intake.not_a_member', `${m.memberId} is not a member of this intake's council`);
          if (seen.has(m.memberId)) throw unprocessable('intake.mark_twice', `Member ${m.memberId} is marked twice`);
          seen.add(m.memberId);
          if (parseScore(m.score) > 10_000) throw unprocessable('intake.mark_out_of_range', 'A mark is out of 100');
        }
        await repo.putMarks(tx, row.id, input.marks.map((m) => ({ memberId: m.memberId, score: formatScore(parseScore(m.score)) })));
        const updated = await repo.update(tx, row.id, row.version, {});
        if (!updated) throw concurrent();
        record({ action: 'intake.oral_marked', resourceType: 'intake', resourceId: row.id, agencyId: row.agencyId, after: { ...auditView(updated, d.category), memberIds: [...seen] } });
        return view(updated, await detail(updated, tx));
      });
    },

    /** The council's report to the head (170 Art. 14(1)(b)–(c)): its majority finding, with the oral's score where one is held. */
    async reportCouncil(caller: Caller, id: string, expected: number | undefined, input: CouncilReportInput): Promise<IntakeView> {
      return audited(db, caller.actor, async (tx, record) => {
        const row = await open(tx, caller, id, expected);
        const d = await detail(row, tx);
        const assessment = assessmentOf(row, d.category);
        if (!assessment.councilRequired) throw conflict('intake.no_council', `Category ${d.category.code} of ${d.category.catalogue} is decided without a review council`);
        if (row.councilOutcome !== null) throw conflict('intake.council_reported', 'The council has already reported');
        if (d.members.length === 0) throw conflict('intake.council_not_formed', 'Form the council first (PUT …/council)');
        if (input.reportedOn < row.receivedOn) throw unprocessable('intake.date_invalid', 'The report cannot precede the dossier');
        let oralScore: string | null = null;
        let oralRule: string | null = null;
        if (assessment.oralRequired) {
          const o = oralOutcome(d.marks.map((m) => parseScore(m.score)));
          if (o.status === 'final') {
            oralScore = formatScore(o.score!);
            oralRule = o.reason;
          } else if (o.status === 'head_decides' && input.chairDecidedScore !== undefined) {
            oralScore = formatScore(parseScore(input.chairDecidedScore));
            oralRule = `Decided by the chair: ${o.reason}`;
          } else {
            throw conflict('intake.oral_not_final', o.reason ?? 'The oral has no final score', { oralStatus: o.status });
          }
        }
        const updated = await repo.update(tx, row.id, row.version, {
          councilOutcome: input.outcome,
          councilReportedOn: input.reportedOn,
          councilMinutesRef: input.minutesRef,
          oralScore,
          oralRule,
        });
        if (!updated) throw concurrent();
        record({ action: 'intake.council_reported', resourceType: 'intake', resourceId: row.id, agencyId: row.agencyId, before: auditView(row, d.category), after: auditView(updated, d.category) });
        return view(updated, await detail(updated, tx));
      });
    },

    /**
     * The decision of the authority the category names (170 Art. 13(2), 14(4); 115 Art. 13(2)(c)).
     * Acceptance needs the conditions, a complete dossier and, where a council sits, its finding that
     * the person passed; it fills the unit of headcount the request held. Refusal releases it.
     */
    async decide(caller: Caller, id: string, expected: number | undefined, input: DecisionInput): Promise<IntakeView> {
      return audited(db, caller.actor, async (tx, record) => {
        const row = await open(tx, caller, id, expected);
        const d = await detail(row, tx);
        if (input.authority !== d.category.decidingAuthority) {
          throw unprocessable('intake.wrong_authority', `Category ${d.category.code} of ${d.category.catalogue} is decided by the ${d.category.decidingAuthority.replace(/_/g, ' ')} (${d.category.source})`, {
            decidingAuthority: d.category.decidingAuthority,
          });
        }
        // The managing authority sits above the receiving agency: a key scoped to that agency itself is not it.
        if (d.category.decidingAuthority === 'managing_authority_head' && caller.scopeAgencyId === row.agencyId) {
          throw forbidden('The managing authority decides this category: a key scoped to the receiving agency may not');
        }
        if (input.decision.date < row.receivedOn) throw unprocessable('intake.date_invalid', 'The decision cannot precede the dossier');
        if (Number(input.decision.date.slice(0, 4)) !== row.year) {
          throw unprocessable('intake.decision_year_mismatch', `The intake holds headcount of ${row.year}; the decision is dated ${input.decision.date}`, { year: row.year });
        }
        const assessment = assessmentOf(row, d.category);
        if (input.outcome === 'accepted') {
          if (assessment.problems.length > 0) {
            throw unprocessable('intake.conditions_not_met', assessment.problems.map((p) => p.message).join('; '), { problems: assessment.problems });
          }
          if (assessment.councilRequired && row.councilOutcome !== 'passed') {
            throw conflict(
              row.councilOutcome === null ? 'intake.council_pending' : 'intake.council_failed',
              row.councilOutcome === null ? 'The review council has not reported (170 Art. 14(1)(b))' : 'The review council found the person did not pass',
            );
          }
          await deps.agencies.lockHeadcounts(tx, row.agencyId, row.year);
          if ((await repo.fillHeadcount(tx, row)) === 0) {
            throw unprocessable('intake.no_headcount', `The agency has no ${row.staffCategory} headcount for ${row.year}`);
          }
        } else if (!input.reason) {
          throw unprocessable('intake.reason_required', 'A refusal states its reason');
        }
        const updated = await repo.update(tx, row.id, row.version, {
          status: input.outcome,
          decisionAuthority: input.authority,
          decisionNumber: input.decision.number,
          decisionDate: input.decision.date,
          decisionReason: input.reason ?? null,
          decidedAt: deps.clock(),
        });
        if (!updated) throw concurrent();
        record({ action: `intake.${input.outcome}`, resourceType: 'intake', resourceId: row.id, agencyId: row.agencyId, before: auditView(row, d.category), after: auditView(updated, d.category) });
        return view(updated, d);
      });
    },

    async exportRows(caller: Caller, year: number | undefined) {
      const rows = await repo.exportRows(caller.scopePath, year);
      return { baseName: `intakes${year ? `-${year}` : ''}`, sheetName: 'Tiếp nhận', columns: exportColumns, rows: fromArray(rows) };
    },

    /** Recruited in a year per agency: by exam, by review (quota method review) and by intake. */
    async recruitmentReport(caller: Caller, year: number, agencyId: string | undefined) {
      if (agencyId) {
        const agency = await deps.agencies.findById(agencyId);
        if (!agency || !inScope(caller, agency.path)) throw notFound('agency', agencyId);
      }
      const rows = await repo.recruitment(year, caller.scopePath, agencyId);
      const agencies = rows.map((r) => ({
        agencyId: r.agency_id,
        agencyCode: r.agency_code,
        agencyName: r.agency_name,
        byExam: r.by_exam,
        byReview: r.by_review,
        byIntake: r.by_intake,
        total: r.by_exam + r.by_review + r.by_intake,
      }));
      const sum = (k: 'byExam' | 'byReview' | 'byIntake') => agencies.reduce((n, a) => n + a[k], 0);
      const totals = { byExam: sum('byExam'), byReview: sum('byReview'), byIntake: sum('byIntake'), total: 0 };
      totals.total = totals.byExam + totals.byReview + totals.byIntake;
      return { year, agencies, totals };
    },
  };
}
export type IntakeService = ReturnType<typeof createIntakeService>;
