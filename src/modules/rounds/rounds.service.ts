import type { Caller, Clock } from '../../context.js';
import { inScope } from '../../context.js';
import type { Db, DbOrTx, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { isUniqueViolation } from '../../db/pg-error.js';
import { appealWindow, formatScore, gatesAdmitOnlyPassers, passesForeignLanguage, isDomainError, JOB_GRADES, localDate, parseScore, reachesPercent, type JobGrade, type RoundDefault, type RuleSet } from '../../domain/index.js';
import { distinctLanguages, examinesLanguage } from '../../domain/foreign-language.js';
import { structureViolation, type HandBuiltRound } from '../../domain/round-structure.js';
import { panelConfigurationViolation } from '../../domain/marking-tt22.js';
import { newScriptCodes, newScriptId, shuffled } from '../../domain/script-codes.js';
import { AppError, conflict, notFound, preconditionFailed, unprocessable } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import type { ScriptOutcome } from './rounds.marking.js';
import type { DriveContext, MarkRow, RoundsRepository } from './rounds.repository.js';
import type {
  CreateRoundInput,
  ListScriptsQuery,
  PartInput,
  PatchRoundInput,
} from './rounds.schemas.js';
import type { PartRow, RoundRow, ScriptRow } from './rounds.table.js';
import { checkReviewRound, oralDueBy } from '../../domain/review.js';

export type RoundsDeps = {
  db: Db;
  repo: RoundsRepository;
  clock: Clock;
  /**
   * The appeal window of a published round as the appeals apply it (src/modules/appeals: 5 working
   * days under the 170 presets, 170 Art. 16(4)(b)); without it, the rule set's calendar days.
   */
  appealPeriodOf?: (tx: DbOrTx, driveId: string, publishedAt: Date) => Promise<{ opensOn: string; closesOn: string; resolutionDueOn: string } | null>;
};

/** Drive statuses in which the exam structure can no longer be set up. */
const DRIVE_CLOSED = new Set(['approved', 'published', 'finished', 'cancelled']);

const NEXT: Record<RoundRow['status'], RoundRow['status'] | null> = {
  scheduled: 'marking',
  marking: 'locked',
  locked: 'revealed',
  revealed: 'published',
  published: null,
};

export type RowError = { code: string; message: string };
export const rowError = (code: string, message: string): RowError => ({ code, message });

/** Parses a typed score into hundredths, or a row error. */
export function scoreOf(input: string | number, max: number): number | RowError {
  let value: number;
  try {
    value = parseScore(input);
  } catch (err) {
    if (isDomainError(err)) return rowError('mark.invalid_score', err.message);
    throw err;
  }
  if (value > max) return rowError('mark.out_of_range', `Score ${formatScore(value)} is above the part's maximum ${formatScore(max)}`);
  return value;
}
export const isRowError = (v: unknown): v is RowError => typeof v === 'object' && v !== null && 'code' in v;
const hundredthsOf = (numeric: string) => parseScore(numeric);
const asText = (h: number | null) => (h === null ? null : formatScore(h));

const partView = (p: PartRow) => ({
  id: p.id,
  code: p.code,
  name: p.name,
  maxScore: p.maxScore,
  passMark: p.passMark,
  weight: p.weight,
  markingMode: p.markingMode,
  panelSize: p.panelSize,
  written: p.written,
  computer: p.computer,
});

type Window = { opensOn: string; closesOn: string; resolutionDueOn: string } | null;

function roundView(r: RoundRow, parts: PartRow[], ruleSet: RuleSet, window?: Window) {
  return {
    id: r.id,
    driveId: r.driveId,
    order: r.order,
    code: r.code,
    name: r.name,
    kind: r.kind,
    ranking: r.ranking,
    grade: r.grade,
    foreignLanguage: r.foreignLanguage,
    language: r.language,
    method: r.method,
    summonedOn: r.summonedOn,
    oralDueBy: r.method === 'review' && ruleSet.review ? oralDueBy(ruleSet.review, r.summonedOn) : null,
    status: r.status,
    exemptionCodes: r.exemptionCodes,
    scheduledOn: r.scheduledOn,
    lockedAt: r.lockedAt,
    revealedAt: r.revealedAt,
    publishedAt: r.publishedAt,
    appealWindow: window !== undefined ? window : r.publishedAt ? appealWindow(r.publishedAt, ruleSet) : null,
    parts: parts.filter((p) => p.roundId === r.id).map(partView),
    createdAt: r.createdAt,
    updatedAt: r.updatedAt,
    version: r.version,
  };
}
export type RoundView = ReturnType<typeof roundView>;

/**
 * A foreign-language round (Decree 170/2025 Art. 9(5)) is a condition: its score "không tính vào điểm
 * thi nghiệp vụ chuyên ngành", so it never ranks; the decree states no exemption from it.
 */
function checkForeignLanguageRound(ranking: boolean | undefined, exemptionCodes: readonly string[] | undefined): void {
  if (ranking) throw unprocessable('round.foreign_language_invalid', 'A foreign-language round is pass/fail and not counted in the score (Decree 170/2025 Art. 9(5)): it cannot rank');
  if (exemptionCodes && exemptionCodes.length > 0) {
    throw unprocessable('round.foreign_language_invalid', 'Decree 170/2025 Art. 9(5) states no exemption from the foreign-language exam', { exemptionCodes });
  }
}

/** A hand-built round departing from the structure the rule set gives its grade (Decree 170/2025 Art. 9): 422. */
function checkStructure(ruleSet: RuleSet, round: HandBuiltRound): void {
  const v = structureViolation(ruleSet, round);
  if (v) throw unprocessable(v.code, v.message, v.details);
}

/** A panel part that fewer than two members could mark, on a drive whose panels follow Circular 22/2025 (Quy chế Art. 20(1), 22(1)): 422. */
function checkPanels(ruleSet: RuleSet, round: Parameters<typeof panelConfigurationViolation>[1], onDate: string): void {
  const v = panelConfigurationViolation(ruleSet, round, onDate);
  if (v) throw unprocessable(v.code, v.message, v.details);
}

function checkParts(parts: PartInput[]): void {
  const codes = parts.map((p) => p.code);
  if (new Set(codes).size !== codes.length) throw unprocessable('round.duplicate_part_code', 'Part codes must be unique within a round');
  parts.forEach((p, i) => {
    if (parseScore(p.maxScore) === 0) throw unprocessable('part.invalid_max_score', `parts[${i}].maxScore must be above 0`);
    if (p.passMark != null && parseScore(p.passMark) > parseScore(p.maxScore)) {
      throw unprocessable('part.pass_mark_above_max', `parts[${i}]: pass mark ${p.passMark} is above the maximum ${p.maxScore}`, {
        passMark: p.passMark,
        maxScore: p.maxScore,
      });
    }
    if (p.panelSize != null && p.markingMode !== 'panel') {
      throw unprocessable('part.panel_size_without_panel', `parts[${i}]: panelSize applies to panel parts only`);
    }
    if (p.computer && !p.written) throw unprocessable('part.computer_not_written', `parts[${i}]: only a written part is taken on computer (Decree 170/2025 Art. 9(2)(b))`);
  });
}

const partRows = (roundId: string, parts: PartInput[]) =>
  parts.map((p, i) => ({
    id: newId(),
    roundId,
    position: i + 1,
    code: p.code,
    name: p.name ?? p.code,
    maxScore: formatScore(parseScore(p.maxScore)),
    passMark: p.passMark == null ? null : formatScore(parseScore(p.passMark)),
    weight: p.weight,
    markingMode: p.markingMode,
    panelSize: p.panelSize ?? null,
    written: p.written,
    computer: p.computer ?? false,
  }));

function orderClashError(clash: RoundRow, order: number) {
  return conflict(
    'round.order_taken',
    `The drive already has a round ${order} (${clash.code}${clash.grade ? `, grade ${clash.grade}` : ', every quota'}) that the same quotas sit`,
    { roundId: clash.id, grade: clash.grade },
  );
}

function roundConstraintError(err: unknown, input: { order?: number | undefined; code?: string | undefined }): never {
  if (isUniqueViolation(err, 'rounds_drive_order_unique')) throw conflict('round.order_taken', `The drive already has a round ${input.order}`);
  if (isUniqueViolation(err, 'rounds_drive_code_unique')) throw conflict('round.code_taken', `The drive already has a round ${input.code}`);
  throw err;
}

/** A round's method: review rounds are sat by review quotas, every other round by exam quotas (Decree 170/2025 Art. 3(2)(d), 11). */
export const methodOf = (round: Pick<RoundRow, 'method'>): 'exam' | 'review' => round.method ?? 'exam';
const sameMethod = (a: Pick<RoundRow, 'method'>, b: Pick<RoundRow, 'method'>) => methodOf(a) === methodOf(b);

/**
 * Whether a round concerns an application: a round of the application's method (exam or review) and
 * of every quota, or of the grade of the application's job position.
 */
export const concerns = (round: Pick<RoundRow, 'grade' | 'method'>, app: { grade: string | null; method: 'exam' | 'review' }) =>
  methodOf(round) === app.method && (round.grade === null || round.grade === app.grade);

/** A review round against the drive's review rules (Decree 170/2025 Art. 11(2), 16(6); 115/2020 Art. 11(2)): 422. */
function checkReview(ruleSet: RuleSet, round: { grade: string | null; ranking: boolean; foreignLanguage: boolean; parts: readonly { code: string; written: boolean; maxScore: string }[]; summonedOn: string | null; scheduledOn: string | null }): void {
  if (!ruleSet.review) throw unprocessable('round.review_not_allowed', `The drive's rule set (${ruleSet.preset}) holds no selection by review`);
  if (round.grade !== null) throw unprocessable('round.review_grade', 'A review round is sat by every review quota: it names no grade');
  const issue = checkReviewRound(ruleSet.review, { ...round, parts: round.parts.map((p) => ({ code: p.code, written: p.written, maxScore: parseScore(p.maxScore) })) });
  if (issue) throw unprocessable(issue.code, issue.message, issue.details);
}

/**
 * A graded round and a round of every quota both concern the quotas of that grade, so they may not
 * share an order (within one grade, and among rounds of every quota, the unique index sees to it).
 */
function orderClash(existing: readonly RoundRow[], round: { id?: string; order: number; grade: string | null; method: RoundRow['method'] }): RoundRow | undefined {
  return existing.find((r) => r.id !== round.id && r.order === round.order && sameMethod(r, round) && r.grade !== round.grade && (r.grade === null || round.grade === null));
}

/**
 * The rule set's rounds preceded by one foreign-language round per language the drive's quotas require
 * (Decree 170/2025 Art. 9(5): the exam is finished before the professional exam, pass/fail, not
 * counted, no exemption): orders 1..k for the k languages, the rule set's rounds shifted after them.
 * The language round is a 100-point computer test by default (the authority sets the form: its parts
 * can be changed while the round is scheduled).
 */
function languagePlan(
  languages: readonly (string | null)[],
  plan: { grade: JobGrade | null; round: RoundDefault }[],
): { grade: JobGrade | null; round: Omit<RoundDefault, 'parts'> & { parts: (RoundDefault['parts'][number] & { computer?: boolean })[] }; language?: string | null }[] {
  const exams = languages.map((language, i) => ({
    grade: null,
    language,
    round: {
      order: i + 1,
      code: languages.length === 1 ? 'foreign_language' : `foreign_language_${i + 1}`,
      purpose: 'gate' as const,
      format: 'computer_mcq' as const,
      parts: [{ code: 'foreign_language', questions: null, maxScore: 10000, weight: 0, written: true, panel: false, computer: true }],
    },
  }));
  return [...exams, ...plan.map(({ grade, round }) => ({ grade, round: { ...round, order: round.order + languages.length } }))];
}

/** The exemption codes that spare an application a part (rule set `exemptions[].skipsParts`). */
export function partExemptions(ruleSet: RuleSet): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const e of ruleSet.exemptions ?? []) {
    for (const partCode of e.skipsParts) {
      const set = out.get(partCode) ?? new Set<string>();
      set.add(e.code);
      out.set(partCode, set);
    }
  }
  return out;
}

export function createRoundsService(deps: RoundsDeps) {
  const { db, repo, clock } = deps;

  async function visibleDrive(caller: Caller, driveId: string, tx: DbOrTx = db, lock?: 'update' | 'share'): Promise<DriveContext> {
    const drive = await repo.driveContext(driveId, tx, lock);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('drive', driveId);
    return drive;
  }

  async function visibleRound(caller: Caller, roundId: string, tx: DbOrTx = db, lock?: 'update' | 'share') {
    const round = await repo.findRound(roundId, tx, lock);
    if (!round) throw notFound('round', roundId);
    const drive = await repo.driveContext(round.driveId, tx);
    if (!drive || !inScope(caller, drive.agencyPath)) throw notFound('round', roundId);
    return { round, drive, ruleSet: drive.ruleSet as RuleSet };
  }

  /**
   * Applications that an earlier gate round keeps out of this round, or null when none does. Under
   * Decree 170/2025 only those who passed round 1 sit round 2 (Art. 9(2)(a): ≥ 50 % of the questions
   * correct "thì được tham dự vòng 2"; Art. 16(3)(c)): a candidate below the pass mark in a part, or
   * absent from it, is kept out; one exempt from the gate round is not. Who passed is known only once
   * the gate round is revealed (codes joined): before that, 409 round.gate_not_revealed.
   */
  async function keptOutByGates(tx: DbOrTx, round: RoundRow, ruleSet: RuleSet): Promise<Set<string> | null> {
    const language = await keptOutByForeignLanguage(tx, round);
    const gated = await keptOutByGateRounds(tx, round, ruleSet);
    if (!language) return gated;
    if (gated) for (const id of gated) language.add(id);
    return language;
  }

  /**
   * Applications of quotas requiring a foreign language (Decree 170/2025 Art. 9(5)) that a
   * foreign-language round before this one keeps out: "Trường hợp đạt kết quả thi ngoại ngữ thì được
   * dự thi nghiệp vụ chuyên ngành": below the quota's pass mark in a part, or absent, they sit no later
   * round. Under every preset (the requirement is the plan's), with no exemption. Candidates of quotas
   * not requiring it are not concerned. Null when no such round precedes this one.
   */
  async function keptOutByForeignLanguage(tx: DbOrTx, round: RoundRow): Promise<Set<string> | null> {
    if (round.foreignLanguage) return null;
    const exams = (await repo.roundsOfDrive(round.driveId, tx)).filter(
      (r) => r.foreignLanguage && r.order < round.order && sameMethod(r, round) && (round.grade === null || r.grade === null || r.grade === round.grade),
    );
    const concerned = (await repo.activeApplications(tx, round.driveId)).filter((a) => a.foreignLanguage !== null && concerns(round, a));
    // The exam is finished before the professional exam (Art. 9(5)): a round sat by candidates whose
    // language no earlier foreign-language round examines cannot be held yet.
    const unexamined = distinctLanguages(
      concerned.filter((a) => !exams.some((e) => concerns(e, a) && examinesLanguage(e.language, a.foreignLanguage!.language))).map((a) => a.foreignLanguage!.language),
    );
    if (unexamined.length > 0) {
      throw conflict(
        'round.foreign_language_exam_missing',
        `Round ${round.code} is sat by candidates of quotas requiring ${unexamined.map((l) => l ?? 'a foreign language').join(', ')}: a foreign-language round examining it must come before it (Decree 170/2025 Art. 9(5))`,
        { languages: unexamined },
      );
    }
    if (exams.length === 0) return null;
    const hidden = exams.filter((g) => g.status !== 'revealed' && g.status !== 'published');
    if (hidden.length > 0) {
      throw conflict(
        'round.gate_not_revealed',
        `Round ${round.code} is sat only by those who passed the foreign-language exam ${hidden.map((g) => g.code).join(', ')} (Decree 170/2025 Art. 9(5)): reveal it first`,
        { gateRounds: hidden.map((g) => ({ id: g.id, code: g.code, status: g.status })) },
      );
    }
    const parts = await repo.partsOf(exams.map((g) => g.id), tx);
    const scores = new Map((await repo.finalScoresOf(tx, exams.map((g) => g.id))).map((s) => [`${s.partId}/${s.applicationId}`, s]));
    const keptOut = new Set<string>();
    for (const app of concerned) {
      for (const exam of exams) {
        if (!concerns(exam, app) || !examinesLanguage(exam.language, app.foreignLanguage!.language)) continue;
        for (const part of parts) {
          if (part.roundId !== exam.id) continue;
          const s = scores.get(`${part.id}/${app.id}`);
          const score = s === undefined || s.absent || s.finalScore === null ? null : hundredthsOf(s.finalScore);
          if (!passesForeignLanguage(score, hundredthsOf(part.maxScore), app.foreignLanguage!.passMark)) keptOut.add(app.id);
        }
      }
    }
    return keptOut;
  }

  async function keptOutByGateRounds(tx: DbOrTx, round: RoundRow, ruleSet: RuleSet): Promise<Set<string> | null> {
    if (!gatesAdmitOnlyPassers(ruleSet)) return null;
    const gates = (await repo.roundsOfDrive(round.driveId, tx)).filter(
      (r) => r.kind === 'gate' && !r.foreignLanguage && r.order < round.order && sameMethod(r, round) && (round.grade === null || r.grade === null || r.grade === round.grade),
    );
    if (gates.length === 0) return null;
    const hidden = gates.filter((g) => g.status !== 'revealed' && g.status !== 'published');
    if (hidden.length > 0) {
      throw conflict(
        'round.gate_not_revealed',
        `Round ${round.code} is sat only by those who passed ${hidden.map((g) => g.code).join(', ')} (Decree 170/2025 Art. 9(2)(a)): reveal it first`,
        { gateRounds: hidden.map((g) => ({ id: g.id, code: g.code, status: g.status })) },
      );
    }
    const parts = await repo.partsOf(gates.map((g) => g.id), tx);
    const scores = new Map((await repo.finalScoresOf(tx, gates.map((g) => g.id))).map((s) => [`${s.partId}/${s.applicationId}`, s]));
    const skipsPart = partExemptions(ruleSet);
    const keptOut = new Set<string>();
    for (const app of await repo.activeApplications(tx, round.driveId)) {
      if (!concerns(round, app)) continue;
      for (const gate of gates) {
        if (!concerns(gate, app)) continue;
        const exempt = app.exemptions.some((e) => gate.exemptionCodes.includes(e)) || ruleSet.exemptions.some((e) => app.exemptions.includes(e.code) && e.skipsRounds.includes(gate.order));
        if (exempt) continue;
        for (const part of parts) {
          if (part.roundId !== gate.id) continue;
          const partSkip = skipsPart.get(part.code);
          if (partSkip && app.exemptions.some((e) => partSkip.has(e))) continue;
          const s = scores.get(`${part.id}/${app.id}`);
          const passed =
            s !== undefined && !s.absent && s.finalScore !== null && reachesPercent(hundredthsOf(s.finalScore), hundredthsOf(part.maxScore), ruleSet.gate.gateRoundPartMinPercent);
          if (!passed) keptOut.add(app.id);
        }
      }
    }
    return keptOut;
  }

  /**
   * Whether an application is kept out of a part because it did not pass a computer written part
   * before it in the same round (Decree 170/2025 Art. 16(4)(c): after a computer written test only
   * those who passed it sit the interview; after a paper one the interview may follow at once).
   * Passing is reaching the ranking part minimum (Art. 10(1)(a): ≥ 50 % of each part); a rule set
   * without that minimum keeps no one out. `now`: computer scores being imported in the same request
   * (null: absent), which count as if already stored.
   */
  async function laterPartGate(tx: DbOrTx, round: RoundRow, ruleSet: RuleSet, parts: readonly PartRow[], now?: Map<string, number | null>) {
    const percent = ruleSet.gate.rankingRoundPartMinPercent;
    const computer = parts.filter((p) => p.computer);
    if (computer.length === 0 || percent === null) return (_part: PartRow, _applicationId: string) => false;
    const stored = new Map((await repo.finalScoresOf(tx, [round.id])).map((s) => [`${s.partId}/${s.applicationId}`, s.absent || s.finalScore === null ? null : hundredthsOf(s.finalScore)]));
    const passed = (c: PartRow, applicationId: string) => {
      const key = `${c.id}/${applicationId}`;
      const score = now?.has(key) ? now.get(key) : stored.get(key);
      return score !== undefined && score !== null && reachesPercent(score, hundredthsOf(c.maxScore), percent);
    };
    return (part: PartRow, applicationId: string) => computer.some((c) => c.position < part.position && !passed(c, applicationId));
  }

  /**
   * Scripts the round should have but does not: every part of every active application, except
   * the rounds and parts its exemptions skip and, under Decree 170/2025, those an earlier gate round
   * keeps out. Also counts the applications exempt from the round and those kept out.
   */
  async function missingScripts(
    tx: DbOrTx,
    round: RoundRow,
    drive: { id: string; kind: string },
    ruleSet: RuleSet,
    quotaIds?: readonly string[],
  ) {
    const parts = await repo.partsOf([round.id], tx);
    let apps = await repo.activeApplications(tx, drive.id);
    const existing = await repo.scriptKeysOf(tx, round.id);
    const have = new Set(existing.map((s) => `${s.partId}/${s.applicationId}`));
    // A graded round is sat by the quotas of its grade only (Decree 170/2025 Art. 9); a review round
    // by the review quotas, any other by the exam quotas (Art. 3(2)(d), 11).
    apps = apps.filter((a) => concerns(round, a));
    // The foreign-language exam is sat only by the candidates of quotas requiring it (Art. 9(5)).
    if (round.foreignLanguage) apps = apps.filter((a) => a.foreignLanguage !== null && examinesLanguage(round.language, a.foreignLanguage.language));
    if (quotaIds) {
      const only = new Set(quotaIds);
      apps = apps.filter((a) => only.has(a.quotaId));
    } else if (drive.kind === 'leadership') {
      // Each leadership title is examined on its own date (2424/BNV-CCVC): a title none of whose
      // candidates has a script yet is not examined in this round (its outcome stays pending).
      const appQuota = new Map(apps.map((a) => [a.id, a.quotaId]));
      const examined = new Set(existing.map((s) => appQuota.get(s.applicationId)).filter((q): q is string => q !== undefined));
      apps = apps.filter((a) => examined.has(a.quotaId));
    }
    const skipsRound = new Set(round.exemptionCodes);
    const skipsPart = partExemptions(ruleSet);
    const keptOut = await keptOutByGates(tx, round, ruleSet);
    const blocked = await laterPartGate(tx, round, ruleSet, parts);
    let exempt = 0;
    let notAdmitted = 0;
    const missing: { partId: string; applicationId: string }[] = [];
    for (const app of apps) {
      // Exempt holders (e.g. input-quality verification, Decree 06/2023) skip the round entirely.
      if (app.exemptions.some((e) => skipsRound.has(e))) {
        exempt++;
        continue;
      }
      if (keptOut?.has(app.id)) {
        notAdmitted++;
        continue;
      }
      for (const part of parts) {
        const partSkip = skipsPart.get(part.code);
        if (partSkip && app.exemptions.some((e) => partSkip.has(e))) continue;
        if (blocked(part, app.id)) continue;
        if (!have.has(`${part.id}/${app.id}`)) missing.push({ partId: part.id, applicationId: app.id });
      }
    }
    return { parts, existing, exempt, notAdmitted, missing };
  }

  /**
   * The rounds the rule set sets up for the drive: its default rounds for every quota; or, when the
   * drive's job positions record their grade and the rule set knows each grade's structure (Decree
   * 170/2025 Art. 9; Art. 9(4) as amended by 300 Art. 2), each grade's structure for that grade's
   * quotas. Then every quota needs a grade (422 round.quota_without_grade).
   */
  async function defaultRoundsOf(tx: DbOrTx, driveId: string, ruleSet: RuleSet): Promise<{ grade: JobGrade | null; round: RoundDefault }[]> {
    // The rule set's structures are the exam's; review quotas sit the review round (Art. 11).
    const all = await repo.quotaGradesOfDrive(tx, driveId);
    const quotas = all.filter((q) => q.method === 'exam');
    if (all.length > 0 && quotas.length === 0) return [];
    const structures = ruleSet.structures;
    if (structures && quotas.some((q) => q.grade !== null)) {
      const ungraded = quotas.filter((q) => q.grade === null).map((q) => q.id);
      if (ungraded.length > 0) {
        throw unprocessable('round.quota_without_grade', `${ungraded.length} quota(s) have a job position without a grade: each grade sits its own structure (Decree 170/2025 Art. 9)`, {
          quotaIds: ungraded,
        });
      }
      const grades = JOB_GRADES.filter((g) => quotas.some((q) => q.grade === g));
      const missing = grades.filter((g) => !structures[g]);
      if (missing.length > 0) throw unprocessable('round.no_structure', `Rule set ${ruleSet.preset} defines no structure for ${missing.join(', ')}`, { grades: missing });
      return grades.flatMap((g) => structures[g]!.map((round) => ({ grade: g, round })));
    }
    const defaults = ruleSet.roundDefaults ?? [];
    if (defaults.length === 0) throw unprocessable('round.no_defaults', `Rule set ${ruleSet.preset} defines no default rounds`);
    return defaults.map((round) => ({ grade: null, round }));
  }

  /** The appeal window shown on a published round: the appeals module's own (working days under 170). */
  async function windowOf(round: RoundRow, tx: DbOrTx): Promise<Window | undefined> {
    if (!round.publishedAt || !deps.appealPeriodOf) return undefined;
    const p = await deps.appealPeriodOf(tx, round.driveId, round.publishedAt);
    return p ? { opensOn: p.opensOn, closesOn: p.closesOn, resolutionDueOn: p.resolutionDueOn } : undefined;
  }

  async function view(round: RoundRow, ruleSet: RuleSet, tx: DbOrTx = db): Promise<RoundView> {
    return roundView(round, await repo.partsOf([round.id], tx), ruleSet, await windowOf(round, tx));
  }

  function requireMarking(round: RoundRow): void {
    if (round.status !== 'marking') {
      throw conflict('round.not_marking', `Marks and scores are taken only while the round is marking (it is ${round.status})`, { roundStatus: round.status });
    }
  }

  /** Stores a script's new outcome and, when the final score changes, a score_history row. */
  async function applyOutcome(tx: Tx, caller: Caller, script: ScriptRow, outcome: ScriptOutcome & { absent?: boolean }): Promise<ScriptRow> {
    const newScore = asText(outcome.score);
    const absent = outcome.absent ?? false;
    if (script.status === outcome.status && script.finalScore === newScore && script.finalRule === outcome.rule && script.absent === absent) return script;
    const updated = await repo.updateScript(tx, script.id, {
      status: outcome.status,
      finalScore: newScore,
      finalRule: outcome.rule,
      decisionReason: outcome.reason,
      absent,
    });
    if (script.finalScore !== newScore || script.finalRule !== outcome.rule) {
      await repo.insertHistory(tx, [
        { scriptId: script.id, previousScore: script.finalScore, newScore, rule: outcome.rule ?? outcome.status, reason: outcome.reason, actorKeyId: caller.actor.keyId },
      ]);
    }
    return updated;
  }

  /** The members who entered these marks, by id (the council's views say who marked each slot). */
  async function markersOf(marks: MarkRow[]) {
    // The member who gave each mark, and the secretary who transcribed a member's sheet.
    const ids = [...new Set(marks.flatMap((m) => [m.memberId, m.enteredByMemberId].filter((x): x is string => x !== null)))];
    return new Map((await repo.membersByIds(ids)).map((m) => [m.memberId, m]));
  }

  async function visibleApplication(caller: Caller, applicationId: string, tx: DbOrTx = db) {
    const app = await repo.applicationContext(applicationId, tx);
    if (!app) throw notFound('application', applicationId);
    const drive = await repo.driveContext(app.driveId, tx);
    if (!drive) throw notFound('application', applicationId);
    const registeredPath = app.registeredByAgencyId ? await repo.agencyPath(app.registeredByAgencyId, tx) : undefined;
    if (!inScope(caller, drive.agencyPath) && !(registeredPath && inScope(caller, registeredPath))) throw notFound('application', applicationId);
    return { app, drive, ruleSet: drive.ruleSet as RuleSet };
  }


  return {
    visibleApplication,
    /** What the marking module (src/modules/marking) shares with the rounds it marks. */
    internals: { visibleRound, requireMarking, applyOutcome, markersOf, keptOutByGates, laterPartGate },

    // --- rounds ----------------------------------------------------------------------------------

    async create(caller: Caller, driveId: string, input: CreateRoundInput): Promise<RoundView> {
      checkParts(input.parts);
      if (input.foreignLanguage) checkForeignLanguageRound(input.ranking, input.exemptionCodes);
      else if (input.language != null) throw unprocessable('round.language_without_foreign_language', 'Only a foreign-language round (foreignLanguage: true) names a language (Decree 170/2025 Art. 9(5))');
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await visibleDrive(caller, driveId, tx, input.grade ? 'update' : 'share');
        if (DRIVE_CLOSED.has(drive.status)) throw conflict('round.drive_closed', `Rounds cannot be added to a ${drive.status} drive`);
        const grade = input.grade ?? null;
        const method = input.method === 'review' ? 'review' : null;
        if (method === 'review') {
          checkReview(drive.ruleSet as RuleSet, { grade, ranking: input.ranking, foreignLanguage: input.foreignLanguage === true, parts: input.parts, summonedOn: input.summonedOn ?? null, scheduledOn: input.scheduledOn ?? null });
        } else {
          if (input.summonedOn != null) throw unprocessable('round.summons_without_review', 'Only a review round records the summons to its oral (Decree 170/2025 Art. 16(6))');
          checkStructure(drive.ruleSet as RuleSet, { grade, kind: input.kind, ranking: input.ranking, foreignLanguage: input.foreignLanguage === true, parts: input.parts });
        }
        checkPanels(drive.ruleSet as RuleSet, { grade, parts: input.parts }, localDate(clock()));
        const clash = orderClash(await repo.roundsOfDrive(driveId, tx), { order: input.order, grade, method });
        if (clash) throw orderClashError(clash, input.order);
        const id = newId();
        let round: RoundRow;
        try {
          round = await repo.insertRound(tx, {
            id,
            driveId,
            order: input.order,
            code: input.code,
            name: input.name,
            kind: input.kind,
            ranking: input.ranking,
            grade,
            foreignLanguage: input.foreignLanguage === true,
            language: input.foreignLanguage ? (input.language?.trim() ?? null) : null,
            exemptionCodes: input.exemptionCodes,
            scheduledOn: input.scheduledOn ?? null,
            method,
            summonedOn: input.summonedOn ?? null,
          });
        } catch (err) {
          roundConstraintError(err, input);
        }
        await repo.insertParts(tx, partRows(id, input.parts));
        const v = await view(round, drive.ruleSet as RuleSet, tx);
        record({ action: 'round.created', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId, after: v });
        return v;
      });
    },

    /** The rule set's default rounds (e.g. Decree 138/2020 Art. 8: computer round 1, professional round 2). */
    async createFromRuleSet(caller: Caller, driveId: string): Promise<RoundView[]> {
      return audited(db, caller.actor, async (tx, record) => {
        const drive = await visibleDrive(caller, driveId, tx, 'update');
        if (DRIVE_CLOSED.has(drive.status)) throw conflict('round.drive_closed', `Rounds cannot be added to a ${drive.status} drive`);
        const ruleSet = drive.ruleSet as RuleSet;
        const languages = distinctLanguages((await repo.quotaGradesOfDrive(tx, driveId)).flatMap((q) => (q.foreignLanguage ? [q.foreignLanguage.language] : [])));
        const plan = languagePlan(languages, await defaultRoundsOf(tx, driveId, ruleSet));
        const existing = await repo.roundsOfDrive(driveId, tx);
        const created: RoundView[] = [];
        for (const { grade, round: d, language } of plan) {
          if (
            existing.some((r) => methodOf(r) === 'exam' && r.grade === grade && (r.order === d.order || r.code === d.code)) ||
            orderClash(existing, { order: d.order, grade, method: null })
          ) {
            continue;
          }
          const id = newId();
          const round = await repo.insertRound(tx, {
            id,
            driveId,
            order: d.order,
            code: d.code,
            name: language !== undefined ? `Thi ngoại ngữ${language ? ` (${language})` : ''}` : grade ? `${d.code} (${grade})` : d.code,
            kind: d.purpose === 'gate' ? 'gate' : 'scored',
            ranking: d.purpose !== 'gate',
            grade,
            foreignLanguage: language !== undefined,
            language: language ?? null,
            // Exemptions name the rule set's own round numbers, before any foreign-language round shifts them.
            exemptionCodes: language !== undefined ? [] : ruleSet.exemptions.filter((e) => e.skipsRounds.includes(d.order - languages.length)).map((e) => e.code),
          });
          await repo.insertParts(
            tx,
            partRows(
              id,
              d.parts.map((p) => ({
                code: p.code,
                name: p.code,
                // Computer multiple-choice parts are scored by questions answered correctly.
                maxScore: p.questions !== null ? String(p.questions) : formatScore(p.maxScore ?? 10000),
                passMark: null,
                weight: p.weight,
                markingMode: p.panel ? 'panel' : p.written && !p.computer ? 'double' : 'single',
                // A panel has at least two members (Circular 22/2025 Quy chế Art. 22(1)); a larger panel is set while scheduled.
                panelSize: p.panel ? 2 : null,
                written: p.written,
                computer: p.computer,
              })),
            ),
          );
          const v = await view(round, ruleSet, tx);
          record({ action: 'round.created', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId, after: v });
          created.push(v);
        }
        // Review quotas (Decree 170/2025 Art. 11; 115/2020 Art. 11): round 1 is the form check (the
        // eligibility decision), round 2 the review, an oral by a panel on the rule set's maximum.
        const review = ruleSet.review;
        const hasReview = (await repo.quotaGradesOfDrive(tx, driveId)).some((q) => q.method === 'review');
        if (review && hasReview && !existing.some((r) => methodOf(r) === 'review' && r.ranking)) {
          const id = newId();
          const round = await repo.insertRound(tx, {
            id,
            driveId,
            order: 2,
            code: 'review_round2',
            name: 'Vòng 2 — xét tuyển',
            kind: 'scored',
            ranking: true,
            grade: null,
            method: 'review',
            exemptionCodes: [],
          });
          await repo.insertParts(
            tx,
            partRows(id, [{ code: 'oral', name: 'Vấn đáp', maxScore: formatScore(review.round2MaxScore), passMark: null, weight: 1, markingMode: 'panel', panelSize: 2, written: false }]),
          );
          const v = await view(round, ruleSet, tx);
          record({ action: 'round.created', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId, after: v });
          created.push(v);
        }
        return created;
      });
    },

    async list(caller: Caller, driveId: string): Promise<RoundView[]> {
      const drive = await visibleDrive(caller, driveId);
      const rounds = await repo.roundsOfDrive(driveId);
      const parts = await repo.partsOf(rounds.map((r) => r.id));
      const windows = await Promise.all(rounds.map((r) => windowOf(r, db)));
      return rounds.map((r, i) => roundView(r, parts, drive.ruleSet as RuleSet, windows[i]));
    },

    async get(caller: Caller, id: string): Promise<RoundView> {
      const { round, ruleSet } = await visibleRound(caller, id);
      return view(round, ruleSet);
    },

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchRoundInput): Promise<RoundView> {
      if (input.parts) checkParts(input.parts);
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive, ruleSet } = await visibleRound(caller, id, tx, 'update');
        if (expected !== undefined && expected !== round.version) throw preconditionFailed();
        if (round.status !== 'scheduled') throw conflict('round.not_scheduled', `The round structure can change only while scheduled (it is ${round.status})`);
        if (round.foreignLanguage) checkForeignLanguageRound(input.ranking, input.exemptionCodes);
        const before = await view(round, ruleSet, tx);
        if (methodOf(round) === 'review') {
          const parts = input.parts ?? (await repo.partsOf([round.id], tx));
          checkReview(ruleSet, {
            grade: round.grade,
            ranking: input.ranking ?? round.ranking,
            foreignLanguage: round.foreignLanguage,
            parts,
            summonedOn: input.summonedOn !== undefined ? input.summonedOn : round.summonedOn,
            scheduledOn: input.scheduledOn !== undefined ? input.scheduledOn : round.scheduledOn,
          });
        } else if (input.summonedOn != null) {
          throw unprocessable('round.summons_without_review', 'Only a review round records the summons to its oral (Decree 170/2025 Art. 16(6))');
        } else if (input.parts || input.kind !== undefined || input.ranking !== undefined) {
          const parts = input.parts ?? (await repo.partsOf([round.id], tx));
          checkStructure(ruleSet, { grade: round.grade, kind: input.kind ?? round.kind, ranking: input.ranking ?? round.ranking, foreignLanguage: round.foreignLanguage, parts });
        }
        if (input.parts) {
          checkPanels(ruleSet, { grade: round.grade, parts: input.parts }, localDate(clock()));
          if ((await repo.scriptCount(tx, id)) > 0) throw conflict('round.scripts_issued', 'Script codes are issued for this round: its parts can no longer change');
          await repo.deleteParts(tx, id);
          await repo.insertParts(tx, partRows(id, input.parts));
        }
        const { parts: _parts, ...changes } = input;
        if (input.order !== undefined && input.order !== round.order) {
          const clash = orderClash(await repo.roundsOfDrive(drive.id, tx), { id: round.id, order: input.order, grade: round.grade, method: round.method });
          if (clash) throw orderClashError(clash, input.order);
        }
        let row: RoundRow | undefined;
        try {
          row = await repo.updateRound(tx, id, round.version, changes);
        } catch (err) {
          roundConstraintError(err, input);
        }
        if (!row) throw new AppError(409, 'concurrent_change', 'The round changed while updating; retry');
        const after = await view(row, ruleSet, tx);
        record({ action: 'round.updated', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId: drive.id, before, after });
        return after;
      });
    },

    async transition(caller: Caller, id: string, expected: number | undefined, to: RoundRow['status'], reason?: string): Promise<RoundView> {
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive, ruleSet } = await visibleRound(caller, id, tx, 'update');
        if (expected !== undefined && expected !== round.version) throw preconditionFailed();
        if (NEXT[round.status] !== to) {
          throw conflict('round.invalid_transition', `A ${round.status} round cannot move to ${to}`, { from: round.status, to, allowed: NEXT[round.status] });
        }
        const changes: Partial<RoundRow> = { status: to };
        if (to === 'marking' && (await repo.partsOf([id], tx)).length === 0) throw unprocessable('round.no_parts', 'A round needs at least one part');
        if (to === 'locked') {
          // Every script of an active application must have its final score (absent scripts aside).
          // Scripts never issued (an application added since) count too: nobody may be left unscored.
          const pending = await repo.unreconciledCounts(tx, id);
          const { missing } = await missingScripts(tx, round, drive, ruleSet);
          const total = pending.reduce((s, p) => s + p.n, 0) + missing.length;
          if (total > 0) {
            throw conflict('round.unreconciled_scripts', `${total} script(s) have no final score yet`, {
              unreconciled: total,
              byStatus: Object.fromEntries(pending.map((p) => [p.status, p.n])),
              missingScripts: missing.length,
            });
          }
          changes.lockedAt = clock();
        }
        if (to === 'revealed') throw conflict('round.reveal_required', 'Use POST /v1/rounds/{id}/reveal: revealing codes is its own audited action');
        if (to === 'published') changes.publishedAt = clock();
        const row = await repo.updateRound(tx, id, round.version, changes);
        if (!row) throw new AppError(409, 'concurrent_change', 'The round changed while updating; retry');
        const after = await view(row, ruleSet, tx);
        record({
          action: `round.${to}`,
          resourceType: 'round',
          resourceId: id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          before: { status: round.status },
          after: { status: to, reason: reason ?? null, publishedAt: row.publishedAt, lockedAt: row.lockedAt },
        });
        return after;
      });
    },

    // --- anonymity -------------------------------------------------------------------------------

    /**
     * Issues a random code for every part of every active, non-exempt application (DOMAIN.md
     * "Anonymous marking"). Idempotent: codes already issued never change; new applications get new codes.
     */
    async issueScripts(caller: Caller, id: string, quotaIds?: readonly string[]) {
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive, ruleSet } = await visibleRound(caller, id, tx, 'update');
        if (round.status !== 'scheduled' && round.status !== 'marking') {
          throw conflict('round.scripts_closed', `Script codes are issued only before marks are locked (the round is ${round.status})`);
        }
        // A recruitment round examines everyone; a leadership round may examine some titles now.
        const only = quotaIds ?? (drive.kind === 'leadership' ? await repo.quotaIdsOfDrive(tx, drive.id) : undefined);
        const { parts, existing, exempt, notAdmitted, missing: wanted } = await missingScripts(tx, round, drive, ruleSet, only);
        const taken = new Set(existing.map((s) => s.code));
        const codes = newScriptCodes(wanted.length, taken);
        // Random ids, issued in a shuffled order: nothing about a script follows its application (DOMAIN.md "Anonymous marking").
        const issued = await repo.insertScripts(
          tx,
          shuffled(wanted).map((w, i) => ({ id: newScriptId(), roundId: id, partId: w.partId, applicationId: w.applicationId, code: codes[i]! })),
        );
        const result = { issued, existing: existing.length, exempt, notAdmitted, parts: parts.length };
        if (issued > 0) {
          record({ action: 'scripts.issued', resourceType: 'round', resourceId: id, agencyId: drive.organizingAgencyId, driveId: drive.id, after: result });
        }
        return result;
      });
    },

    async listScripts(caller: Caller, id: string, q: ListScriptsQuery, afterCode: string | undefined) {
      const { round } = await visibleRound(caller, id);
      const parts = await repo.partsOf([id]);
      const partById = new Map(parts.map((p) => [p.id, p]));
      let partId: string | undefined;
      if (q.partCode) {
        partId = parts.find((p) => p.code === q.partCode)?.id;
        if (!partId) return [];
      }
      const showsApplication = caller.role === 'admin' || caller.role === 'anonymizer' || round.status === 'revealed' || round.status === 'published';
      // Before the reveal an absent candidate's script is not in the coded pile: its flag would pair its code with the attendance list.
      const rows = await repo.listScripts(id, { partId, status: q.status, afterCode, limit: q.limit, presentOnly: !showsApplication });
      const isMarker = caller.role === 'marker';
      const memberId = caller.member?.id;
      // A marker sees only their own marks (a member's, whichever of their keys entered them); the council and the board see every mark.
      let marks = await repo.marksOf(
        rows.map((r) => r.id),
        db,
        isMarker && !memberId ? caller.actor.keyId : undefined,
      );
      if (isMarker && memberId) marks = marks.filter((m) => m.memberId === memberId);
      const marksBy = new Map<string, MarkRow[]>();
      for (const m of marks) marksBy.set(m.scriptId, [...(marksBy.get(m.scriptId) ?? []), m]);
      const who = isMarker ? new Map() : await markersOf(marks);
      const markView = (m: MarkRow) => ({ slot: m.slot, score: m.score, enteredAt: m.enteredAt });
      const councilMarkView = (m: MarkRow) => ({
        ...markView(m),
        markedBy: (m.memberId ? who.get(m.memberId) : undefined) ?? null,
        markerKeyId: m.markerKeyId,
        ...(m.sheetRef ? { transcription: { sheetRef: m.sheetRef, by: (m.enteredByMemberId ? who.get(m.enteredByMemberId) : undefined) ?? null } } : {}),
      });
      return rows.map((s) => {
        const partCode = partById.get(s.partId)?.code ?? '';
        const own = marksBy.get(s.id) ?? [];
        if (isMarker) return { code: s.code, partCode, status: s.status, marks: own.map(markView) };
        return {
          id: s.id,
          code: s.code,
          partCode,
          status: s.status,
          absent: s.absent,
          finalScore: s.finalScore,
          finalRule: s.finalRule,
          marks: own.map(councilMarkView),
          ...(showsApplication ? { applicationId: s.applicationId } : {}),
        };
      });
    },

    /** Ghép phách: only once marks are locked, as its own audited action (DOMAIN.md "Anonymous marking"). */
    async reveal(caller: Caller, id: string) {
      return audited(db, caller.actor, async (tx, record) => {
        const { round, drive } = await visibleRound(caller, id, tx, 'update');
        if (round.status !== 'locked' && round.status !== 'revealed' && round.status !== 'published') {
          throw conflict('round.not_locked', `Codes are revealed only after marks are locked (the round is ${round.status})`, { roundStatus: round.status });
        }
        // The supervision board attends the reveal (Quy chế Art. 23(4)(b)): it sees the map from then on, never makes it.
        if (caller.member?.board === 'supervision' && round.status === 'locked') {
          throw new AppError(403, 'supervision.read_only', 'The council reveals the codes; the supervision board sees the map once it is revealed');
        }
        let revealedAt = round.revealedAt ?? clock();
        if (round.status === 'locked') {
          const row = await repo.updateRound(tx, id, round.version, { status: 'revealed', revealedAt });
          if (!row) throw new AppError(409, 'concurrent_change', 'The round changed while revealing; retry');
          revealedAt = row.revealedAt ?? revealedAt;
        }
        const items = await repo.revealJoin(tx, id);
        record({
          action: round.status === 'locked' ? 'round.revealed' : 'round.reveal_viewed',
          resourceType: 'round',
          resourceId: id,
          agencyId: drive.organizingAgencyId,
          driveId: drive.id,
          before: { status: round.status },
          after: { status: round.status === 'locked' ? 'revealed' : round.status, scripts: items.length },
        });
        return { roundId: id, revealedAt, items };
      });
    },

  };
}

export type RoundsService = ReturnType<typeof createRoundsService>;
