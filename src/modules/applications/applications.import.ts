import { randomUUID } from 'node:crypto';
import { inScope, type Caller, type Clock } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import type { Spool } from '../../crypto/spool.js';
import { isDomainError } from '../../domain/errors.js';
import { localDate } from '../../domain/deadlines.js';
import { matchEthnicity } from '../../domain/ethnicity.js';
import { maskNationalId, validateNationalId } from '../../domain/masking.js';
import { identityImplausible } from '../../domain/plausibility.js';
import { searchKey } from '../../domain/names.js';
import { AppError } from '../../errors.js';
import { audited, type Record as RecordAudit } from '../audit/audit.writer.js';
import { scopePrefixOf, type CandidatesRepository } from '../candidates/candidates.repository.js';
import type { PriorityClaim } from '../candidates/candidates.table.js';
import type { DriveRow } from '../drives/drives.table.js';
import {
  activeApplications,
  bulkId,
  candidateIdsByIndex,
  existingCandidates,
  insertBatch,
  relinkProfiles,
  type ExistingCandidate,
  type NewApplication,
  type NewCandidate,
  type NewProfile,
} from './applications.bulk.js';
import { isMaskedNationalId } from './applications.columns.js';
import { fastImportRow } from './applications.import-row.js';
import type { ApplicationsRepository, QuotaWithCodes } from './applications.repository.js';
import { jointPreferences } from './applications.joint.js';
import { applicantRefusal, duplicateRefusal, ethnicityRefusal, reviewRefusal, quotaNotInDrive, refuse, windowRefusal } from './applications.rules.js';
import { importRowSchema, type ImportResult, type ImportRow, type ImportRowError } from './applications.schemas.js';
import { visibleDrive } from './applications.service.js';

export type ImportDeps = {
  db: Db;
  repo: ApplicationsRepository;
  candidates: CandidatesRepository;
  nationalIds: NationalIdProtector;
  clock: Clock;
  /** Runs in each batch's transaction that created applications (the boards module raises conflicts of interest). */
  onRegistered?: (tx: Tx, record: RecordAudit, drive: { id: string; organizingAgencyId: string }) => Promise<unknown>;
  spool: Spool;
};

export type RawRow = Record<string, unknown>;
export type ImportSummary = { rows: number; created: number; exists: number; errors: number };
/**
 * The per-row results are not held in memory (200,000 rows make a report of ~27 MiB): they are
 * written to an encrypted spool file as comma-separated JSON objects while the rows are processed.
 * `chunks()` reads them back (callable more than once); `discard()` removes the file.
 */
export type ImportResults = { chunks: () => AsyncIterable<string>; discard: () => Promise<void> };
export type ImportReport = { summary: ImportSummary; results: ImportResults };

/**
 * Hooks of an import run as a job (src/modules/jobs): progress, cancellation between batches, and
 * resumption. Without `atomic`, each batch's results are handed to `batchWritten` in the batch's own
 * transaction; a later attempt passes them back as `committed` and those batches are not written
 * again (their rows are still read and checked, so duplicates within the file are found as before).
 */
export type ImportJobHooks = {
  committed?: ReadonlyMap<number, ImportResult[]>;
  batchWritten?: (tx: Tx, firstRow: number, results: ImportResult[]) => Promise<void>;
  /** Called before each batch is written: throws to stop the import there. */
  checkpoint?: () => void;
  /** Rows whose outcome is known, after each batch. */
  progress?: (rows: number) => Promise<void>;
};

/** `?atomic=true` and a row failed: nothing was written; `results` is the per-row report of the refusal. */
export class ImportFailedError extends AppError {
  constructor(
    readonly summary: ImportSummary,
    readonly results: ImportResults,
  ) {
    super(422, 'import.failed', `${summary.errors} of ${summary.rows} rows have errors; nothing was written`, { summary });
  }
}

/** One row's result as JSON, members in the order of the response schema (importResultSchema). */
function resultJson(r: ImportResult): string {
  return JSON.stringify({
    row: r.row,
    status: r.status,
    applicationId: r.applicationId,
    candidateId: r.candidateId,
    errors: r.errors?.map((e) => ({ code: e.code, message: e.message, field: e.field })),
  });
}

/*
 * Pieces of the report are kept under V8's large-object size (128 KiB): a larger string is allocated
 * in its own pages and, if a collection of the young generation finds it still in use (being written
 * to the socket or the file), moved straight to the old generation, where it waits for a full collection.
 */
const RESULTS_PER_WRITE = 400;

/** Appends results to an encrypted spool file (src/crypto/spool.ts), keeping only the counters in memory. */
function resultsFile(spool: Spool): { write: (items: ImportResult[]) => Promise<void>; close: () => Promise<ImportResults> } {
  const writer = spool.create();
  let first = true;
  return {
    async write(items) {
      if (items.length === 0) return;
      try {
        // A few hundred rows per write: each piece of text stays a small, short-lived string.
        for (let i = 0; i < items.length; i += RESULTS_PER_WRITE) {
          await writer.write((first ? '' : ',') + items.slice(i, i + RESULTS_PER_WRITE).map(resultJson).join(','));
          first = false;
        }
      } catch (err) {
        await writer.discard();
        throw err;
      }
    },
    async close() {
      const file = await writer.close();
      return { chunks: () => file.read({ encoding: 'utf8' }) as AsyncIterable<string>, discard: () => file.discard() };
    },
  };
}

/**
 * Rows per transaction. Each batch is one audited transaction of two set-based statements (plus
 * the audit's two): larger batches mean fewer transactions and audit events, and the row locks are
 * still those of the batch's own new rows.
 */
export const IMPORT_BATCH_ROWS = 2000;
/** Batch transactions in flight at once (without `atomic`). */
const IMPORT_WRITERS = 2;
/** The event loop is let go (setImmediate) after this many rows of CPU work: other requests are served during an import. */
const ROWS_PER_SLICE = 250;
const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

type QuotaMaps = {
  byId: Map<string, QuotaWithCodes>;
  byCodes: Map<string, QuotaWithCodes>;
  position: Map<string, number>;
  /** Quotas of the drive outside the importing key's subtree: their rows are refused as not found (issue 12, item 2). */
  hidden: Set<string>;
  /** The service clock's local date, for birth-date plausibility. */
  today: string;
  /** Per jointly recruited position (job position id): its user agencies by agency code (Decree 170/2025 Art. 10(3)). */
  jointAgencies: Map<string, Map<string, string>>;
};

/** A row that passed the checks made without the database, with its national ID's blind index. */
type Prepared = {
  row: number;
  input: ImportRow;
  index: string;
  quota: QuotaWithCodes;
  /** The user agencies accepted, for a jointly recruited position (Decree 170/2025 Art. 10(3)); empty otherwise. */
  agencyPreferences: string[];
  /** The national ID protected, for the first row of the batch with this ID (a new candidate, most likely). */
  created?: { ciphertext: string; masked: string; fullNameSearch: string };
};
/** Rows `first` … `first + count - 1`: each row's result once known (`out[row - first]`), and the rows still to write. */
type PreparedBatch = { first: number; count: number; out: ImportResult[]; work: Prepared[] };

/**
 * Where rows of this file already used a national ID: a second row for the same choice or quota is an error.
 * It holds one entry per national ID of the file for the whole import, so it is kept small: the key is the
 * national ID's 12 digits as a number (a valid ID is 12 digits, and one ID has one blind index), and a use is
 * packed into one number (row, choice and the quota's position in the drive) rather than an object.
 */
type Seen = Map<number, number | number[]>;
type Use = { row: number; choice: number; quota: number };
const packUse = (u: Use, quotaCount: number) => (u.row * 2 + (u.choice - 1)) * quotaCount + u.quota;
function unpackUse(packed: number, quotaCount: number): Use {
  const quota = packed % quotaCount;
  const rest = (packed - quota) / quotaCount;
  return { row: Math.floor(rest / 2), choice: (rest % 2) + 1, quota };
}

/** The first cell of a row whose text holds a NUL character. */
function nulCell(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string' && v.includes('\u0000')) return k;
  return undefined;
}

/**
 * A row of the source that holds nothing (a blank row between rows of a worksheet): it takes its
 * number, so later rows keep the numbers Excel shows, and has no result.
 */
export const BLANK_ROW: unique symbol = Symbol('blank import row');

const errorResult = (row: number, errors: ImportRowError[]): ImportResult => ({ row, status: 'error', errors });

export function createApplicationsImporter(deps: ImportDeps) {
  const { db, repo, nationalIds, clock, spool } = deps;

  function parseRow(raw: unknown): { input: ImportRow } | { errors: ImportRowError[] } {
    // PostgreSQL text cannot hold U+0000: such a cell is this row's error, not the whole import's 500.
    const nul = nulCell(raw);
    if (nul !== undefined) return { errors: [{ code: 'row.nul_byte', message: 'Text may not contain the NUL character (U+0000)', field: nul }] };
    // A row left as the export wrote it: its masked national ID identifies no one (matching on the visible digits would be a guess).
    if (typeof raw === 'object' && raw !== null && isMaskedNationalId((raw as RawRow).nationalId)) {
      return {
        errors: [
          {
            code: 'import.national_id_masked',
            message: 'The national ID is masked as exported: enter the full 12 digits, or leave the row out of the file',
            field: 'nationalId',
          },
        ],
      };
    }
    // A valid row of text cells (the usual CSV row) takes the fast path; any other gets the schema and its errors.
    const fast = fastImportRow(raw);
    if (fast) return { input: fast };
    const parsed = importRowSchema.safeParse(raw);
    const errors: ImportRowError[] = [];
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const keys = (issue as { keys?: string[] }).keys;
        const field = keys?.length ? keys.join(',') : String(issue.path[0] ?? '');
        errors.push({ code: keys?.length ? 'row.unknown_field' : 'row.invalid', message: issue.message, ...(field ? { field } : {}) });
      }
    }
    const id = parsed.success ? parsed.data.nationalId : typeof raw === 'object' && raw ? (raw as RawRow).nationalId : undefined;
    if ((typeof id === 'string' || typeof id === 'number') && !errors.some((e) => e.field === 'nationalId')) {
      try {
        validateNationalId(String(id));
      } catch (err) {
        if (!isDomainError(err)) throw err;
        errors.push({ code: err.code, message: err.message, field: 'nationalId' });
      }
    }
    return parsed.success && errors.length === 0 ? { input: parsed.data } : { errors };
  }

  /**
   * The work of one row that needs no database: validation, the quota, the blind index, the
   * duplicate-in-file check, and (first row of the batch with this national ID) its encryption and
   * search key, so that the database stage only matches and writes. Rows are prepared in file order.
   */
  function prepareRow(batch: PreparedBatch, drive: DriveRow, quotas: QuotaMaps, seen: Seen, protectedInBatch: Set<string>, row: number, raw: unknown): void {
    const parsed = parseRow(raw);
    if ('errors' in parsed) {
      batch.out[row - batch.first] = errorResult(row, parsed.errors);
      return;
    }
    const input = parsed.input;
    const bad = identityImplausible(input, quotas.today);
    if (bad) {
      batch.out[row - batch.first] = errorResult(row, [{ code: bad.code, message: bad.message, field: bad.field }]);
      return;
    }
    const quota = input.quotaId ? quotas.byId.get(input.quotaId) : quotas.byCodes.get(`${input.agencyCode}\u0000${input.jobPositionCode}`);
    const quotaRef = input.quotaId ?? `${input.agencyCode}/${input.jobPositionCode}`;
    const quotaField = input.quotaId ? 'quotaId' : 'agencyCode';
    if (!quota) {
      const r = quotaNotInDrive(quotaRef, drive.id, quotaField);
      batch.out[row - batch.first] = errorResult(row, [{ code: r.code, message: r.message, field: r.field! }]);
      return;
    }
    if (quotas.hidden.has(quota.quota.id)) {
      batch.out[row - batch.first] = errorResult(row, [{ code: 'quota.not_found', message: `No quota ${quotaRef}`, field: quotaField }]);
      return;
    }
    // Decree 170/2025 Art. 10(3): the agencyPreferences column names user agencies by code, best first.
    const userAgencies = quota.joint ? quotas.jointAgencies.get(quota.quota.jobPositionId)! : null;
    let givenPreferences: string[] | undefined;
    if (input.agencyPreferences !== undefined) {
      const codes = input.agencyPreferences.split(';').map((c) => c.trim());
      const unknown = userAgencies ? codes.find((c) => !userAgencies.has(c)) : undefined;
      if (unknown !== undefined) {
        batch.out[row - batch.first] = errorResult(row, [
          { code: 'application.agency_preference_not_user_agency', message: `Agency ${unknown} holds no quota of this jointly recruited position in the drive`, field: 'agencyPreferences' },
        ]);
        return;
      }
      givenPreferences = userAgencies ? codes.map((c) => userAgencies.get(c)!) : codes;
    }
    const preferences = jointPreferences(quota.quota, userAgencies ? [...userAgencies.values()] : null, givenPreferences);
    if ('refusal' in preferences) {
      batch.out[row - batch.first] = errorResult(row, [{ code: preferences.refusal.code, message: preferences.refusal.message, field: 'agencyPreferences' }]);
      return;
    }
    const index = nationalIds.blindIndex(input.nationalId);
    const quotaCount = quotas.position.size;
    const position = quotas.position.get(quota.quota.id)!;
    const person = Number(input.nationalId);
    const packed = seen.get(person);
    if (packed !== undefined) {
      const uses = (typeof packed === 'number' ? [packed] : packed).map((u) => unpackUse(u, quotaCount));
      const earlier = uses.find((u) => u.choice === input.choice || u.quota === position);
      if (earlier) {
        batch.out[row - batch.first] = errorResult(row, [
          { code: 'import.duplicate_in_file', message: `The same national ID is already in row ${earlier.row} of this file for this choice or quota`, field: 'nationalId' },
        ]);
        return;
      }
    }
    const use = packUse({ row, choice: input.choice, quota: position }, quotaCount);
    seen.set(person, packed === undefined ? use : [...(typeof packed === 'number' ? [packed] : packed), use]);
    const prepared: Prepared = { row, input, index, quota, agencyPreferences: preferences.agencyPreferences };
    if (!protectedInBatch.has(index)) {
      protectedInBatch.add(index);
      prepared.created = protection(input);
    }
    batch.work.push(prepared);
  }

  /** The candidate's protected national ID and search key (the name is already NFC, trimmed and collapsed by the row schema). */
  const protection = (input: ImportRow) => ({
    ciphertext: nationalIds.encrypt(input.nationalId),
    masked: maskNationalId(input.nationalId),
    fullNameSearch: searchKey(input.fullName),
  });

  /**
   * Writes one prepared batch and sets the result of each of its rows still open. It may run again on
   * the same batch (audited() retries a transaction that hit a deadlock or a serialization failure):
   * it reads the batch and sets every result, never consumes them.
   */
  async function processBatch(tx: Tx, record: RecordAudit, caller: Caller, drive: DriveRow, batch: PreparedBatch): Promise<ImportResult[]> {
    const { out, work, first } = batch;
    const fail = (row: number, errors: ImportRowError[]) => (out[row - first] = errorResult(row, errors));

    // Existing persons are matched by national ID over every agency (one person, one record). A person
    // the importing subtree already submitted is reused as stored; one it never submitted gets the
    // row as the subtree's own profile, and the row is answered as for a new person.
    const scopePrefix = scopePrefixOf(caller.scopePath);
    const existing = new Map<string, ExistingCandidate>();
    for (const c of await existingCandidates(tx, drive.id, drive.registrationOpensOn, scopePrefix, [...new Set(work.map((w) => w.index))])) {
      existing.set(c.nationalIdIndex, c);
    }
    const toProfile = new Map<string, NewProfile>();
    const profileOf = (input: ImportRow, candidateId: string, claims: PriorityClaim[], fullNameSearch: string): NewProfile => ({
      id: bulkId(),
      candidateId,
      fullName: input.fullName,
      fullNameSearch,
      birthDate: input.birthDate,
      gender: input.gender,
      ethnicity: input.ethnicity,
      ethnicityCode: matchEthnicity(input.ethnicity)?.code ?? null,
      nationality: input.nationality,
      contacts: { email: input.email ?? null, phone: input.phone ?? null, address: input.address ?? null },
      priorityClaims: claims,
    });

    // New candidates, one per national ID (NV1 and NV2 rows of one person share it), written with
    // the applications in one statement.
    const toCreate = new Map<string, NewCandidate>();
    const apps: NewApplication[] = [];
    /** The row of each application in `apps`. */
    const appRow: number[] = [];
    for (const w of work) {
      const candidate = existing.get(w.index);
      const held = candidate?.held ? candidate : undefined;
      const input = w.input;
      const claims: PriorityClaim[] = input.priorityCategory
        ? [{ category: input.priorityCategory, evidenceRef: input.evidenceRef ?? '' }]
        : (held?.priorityClaims ?? []);
      const applicant = held ? { birthDate: held.birthDate!, nationality: held.nationality! } : input;
      // A reserved position (Decree 170/2025 Art. 3(2)(c)): the ethnicity is the held submission's, else the row's.
      const restricted = ethnicityRefusal(
        w.quota.quota,
        held ? { ethnicity: held.ethnicity, ethnicityCode: held.ethnicityCode } : { ethnicity: input.ethnicity, ethnicityCode: matchEthnicity(input.ethnicity)?.code ?? null },
      );
      if (restricted) {
        fail(w.row, [{ code: restricted.code, message: restricted.message, field: 'ethnicity' }]);
        continue;
      }
      const reviewEvidence = input.reviewEvidenceRefs === undefined ? [] : input.reviewEvidenceRefs.split(';').map((r) => r.trim()).filter((r) => r.length > 0);
      const review = reviewRefusal(w.quota.quota, { group: input.reviewGroup ?? null, evidenceRefs: reviewEvidence }, input.choice);
      if (review) {
        fail(w.row, [{ code: review.code, message: review.message, field: review.field === 'choice' ? 'choice' : 'reviewGroup' }]);
        continue;
      }
      const checked = applicantRefusal(drive, drive.ruleSet, applicant, candidate?.barred ?? false, {
        choice: input.choice,
        priorityClaims: claims,
        exemptions: [],
        secondChoiceOpen: w.quota.quota.secondChoiceOpen,
      });
      if ('refusal' in checked) {
        const r = checked.refusal;
        fail(w.row, [{ code: r.code, message: r.message, ...(r.field ? { field: r.field } : {}) }]);
        continue;
      }
      const active = candidate?.active ?? [];
      const same = active.find((a) => a.quotaId === w.quota.quota.id);
      if (same) {
        out[w.row - first] = { row: w.row, status: 'exists', applicationId: same.id, candidateId: candidate!.id };
        continue;
      }
      if (active.some((a) => a.choice === input.choice)) {
        const r = duplicateRefusal();
        fail(w.row, [{ code: r.code, message: r.message, field: 'choice' }]);
        continue;
      }
      let profileId = held?.profileId ?? null;
      if (candidate && !held) {
        let profile = toProfile.get(w.index);
        if (!profile) {
          profile = profileOf(input, candidate.id, claims, (w.created ?? protection(input)).fullNameSearch);
          toProfile.set(w.index, profile);
        }
        profileId = profile.id;
      }
      if (!candidate && !toCreate.has(w.index)) {
        const p = w.created ?? protection(input);
        toCreate.set(w.index, {
          // Random (v4), not time-ordered: see candidates.service create.
          id: randomUUID(),
          fullName: input.fullName,
          fullNameSearch: p.fullNameSearch,
          nationalIdCiphertext: p.ciphertext,
          nationalIdIndex: w.index,
          nationalIdMasked: p.masked,
          birthDate: input.birthDate,
          gender: input.gender,
          ethnicity: input.ethnicity,
          ethnicityCode: matchEthnicity(input.ethnicity)?.code ?? null,
          nationality: input.nationality,
          contacts: { email: input.email ?? null, phone: input.phone ?? null, address: input.address ?? null },
          priorityClaims: claims,
        });
      }
      apps.push({
        id: bulkId(),
        quotaId: w.quota.quota.id,
        candidateId: candidate?.id ?? null,
        candidateIndex: w.index,
        profileId,
        choice: input.choice,
        priorityClaims: claims,
        priorityCategory: checked.priority.priorityCategory,
        priorityPoints: checked.priority.priorityPoints,
        agencyPreferences: w.agencyPreferences,
        reviewGroup: input.reviewGroup ?? null,
        reviewEvidence,
      });
      appRow.push(w.row);
    }

    const common = { driveId: drive.id, registeredByAgencyId: caller.scopeAgencyId, submittedAt: clock() };
    const written = await insertBatch(tx, common, [...toCreate.values()], apps, [...toProfile.values()]);
    const notInserted = written.applicationsSkipped;
    const relink = apps.filter((a) => a.profileId !== null && written.profilesSkipped.has(a.profileId)).map((a) => a.id);

    // Another request created some of these candidates meanwhile: their applications go in with the
    // stored candidate, and with the row as this subtree's own profile unless that request was its own.
    const raced = await candidateIdsByIndex(tx, scopePrefix, [...written.candidatesSkipped]);
    if (raced.size > 0) {
      const profiles = new Map<string, NewProfile>();
      const again = apps
        .filter((a) => a.candidateId === null && raced.has(a.candidateIndex))
        .map((a) => {
          const person = raced.get(a.candidateIndex)!;
          if (person.held || caller.scopeAgencyId === null) return { ...a, candidateId: person.id };
          const c = toCreate.get(a.candidateIndex)!;
          let profile = profiles.get(a.candidateIndex);
          if (!profile) {
            profile = { ...c, id: bulkId(), candidateId: person.id };
            profiles.set(a.candidateIndex, profile);
          }
          return { ...a, candidateId: person.id, profileId: profile.id };
        });
      const retried = await insertBatch(tx, common, [], again, [...profiles.values()]);
      for (const a of again) {
        if (!retried.applicationsSkipped.has(a.id)) notInserted.delete(a.id);
        if (a.profileId !== null && retried.profilesSkipped.has(a.profileId)) relink.push(a.id);
      }
    }
    if (relink.length > 0 && caller.scopeAgencyId !== null) await relinkProfiles(tx, caller.scopeAgencyId, relink);
    const candidateOf = (a: NewApplication) =>
      a.candidateId ?? (written.candidatesSkipped.has(a.candidateIndex) ? raced.get(a.candidateIndex)?.id : toCreate.get(a.candidateIndex)?.id);

    const skipped = new Set<string>();
    for (const a of apps) {
      const c = candidateOf(a);
      if (notInserted.has(a.id) && c) skipped.add(c);
    }
    const nowActive = new Map<string, { id: string; quotaId: string }[]>();
    for (const a of await activeApplications(tx, drive.id, [...skipped])) {
      const list = nowActive.get(a.candidateId);
      if (list) list.push(a);
      else nowActive.set(a.candidateId, [a]);
    }
    const createdApplications: { id: string; candidateId: string; quotaId: string }[] = [];
    apps.forEach((a, i) => {
      const row = appRow[i]!;
      const candidateId = candidateOf(a);
      if (candidateId && !notInserted.has(a.id)) {
        out[row - first] = { row, status: 'created', applicationId: a.id, candidateId };
        createdApplications.push({ id: a.id, candidateId, quotaId: a.quotaId });
        return;
      }
      // Another request registered this candidate meanwhile: the same quota is "exists", anything else a duplicate.
      const same = candidateId ? (nowActive.get(candidateId) ?? []).find((x) => x.quotaId === a.quotaId) : undefined;
      if (same) out[row - first] = { row, status: 'exists', applicationId: same.id, candidateId: candidateId! };
      else fail(row, [{ code: 'application.duplicate', message: duplicateRefusal().message, field: 'choice' }]);
    });

    const candidatesCreated: string[] = [];
    for (const [index, c] of toCreate) if (!written.candidatesSkipped.has(index)) candidatesCreated.push(c.id);
    if (createdApplications.length > 0 || candidatesCreated.length > 0) {
      record({
        action: 'applications.imported',
        resourceType: 'drive',
        resourceId: drive.id,
        driveId: drive.id,
        agencyId: caller.scopeAgencyId,
        after: { candidatesCreated, applications: createdApplications },
      });
    }
    if (createdApplications.length > 0) await deps.onRegistered?.(tx, record, drive);
    return out;
  }

  return {
    /** The refusals of a whole import known before any row is read: the drive (404) and its registration window. */
    async check(caller: Caller, driveId: string): Promise<void> {
      const { drive } = await visibleDrive(repo, caller, driveId);
      const closed = windowRefusal(drive, clock());
      if (closed) throw refuse(closed);
    },
    /**
     * Imports rows of one drive. Without `atomic`, each batch of rows commits on its own and every
     * row reports its outcome; with `atomic`, everything runs in one transaction that is rolled
     * back when any row fails (422 import.failed with the report).
     *
     * Rows flow through a pipeline two batches deep: while one batch's statements run, the next is
     * read, validated and its national IDs protected, so the process and the database work at the
     * same time and at most two batches are held in memory.
     */
    async run(
      caller: Caller,
      driveId: string,
      rows: AsyncIterable<unknown> | Iterable<unknown>,
      /** firstRow: the number of the first row (1 by default; 2 for a worksheet whose header is Excel's row 1). */
      opts: { atomic: boolean; firstRow?: number },
      job: ImportJobHooks = {},
    ): Promise<ImportReport> {
      const { drive } = await visibleDrive(repo, caller, driveId);
      const closed = windowRefusal(drive, clock());
      if (closed) throw refuse(closed);
      const list = await repo.quotasOfDrive(driveId);
      const quotas: QuotaMaps = {
        byId: new Map(list.map((q) => [q.quota.id, q])),
        byCodes: new Map(list.map((q) => [`${q.agencyCode}\u0000${q.jobPositionCode}`, q])),
        position: new Map<string, number>(),
        hidden: new Set(list.filter((q) => !inScope(caller, q.agencyPath)).map((q) => q.quota.id)),
        today: localDate(clock()),
        jointAgencies: new Map(),
      };
      for (const q of list) {
        if (!q.joint) continue;
        const agencies = quotas.jointAgencies.get(q.quota.jobPositionId) ?? new Map<string, string>();
        agencies.set(q.agencyCode, q.quota.agencyId);
        quotas.jointAgencies.set(q.quota.jobPositionId, agencies);
      }
      for (const q of list) if (!quotas.position.has(q.quota.id)) quotas.position.set(q.quota.id, quotas.position.size);
      const seen: Seen = new Map();
      const summary: ImportSummary = { rows: 0, created: 0, exists: 0, errors: 0 };
      const full = resultsFile(spool);
      // With `atomic`, a refusal reports the rows without the ids that were rolled back: written beside the full report.
      let brief: ReturnType<typeof resultsFile> | undefined;
      if (opts.atomic) brief = resultsFile(spool);
      const done = async () => ({ full: await full.close(), brief: await brief?.close() });
      const record = async (batchResults: (ImportResult | null | undefined)[]) => {
        // Blank rows (BLANK_ROW) left holes.
        const results = batchResults.filter((r): r is ImportResult => r !== undefined && r !== null);
        for (const r of results) {
          summary.rows++;
          if (r.status === 'created') summary.created++;
          else if (r.status === 'exists') summary.exists++;
          else summary.errors++;
        }
        await full.write(results);
        if (brief) await brief.write(results.map((r) => (r.status === 'error' ? r : { row: r.row, status: r.status })));
        await job.progress?.(summary.rows);
      };

      const source = (async function* () {
        yield* rows;
      })();
      let nextRow = opts.firstRow ?? 1;
      /** Reads and prepares the next batch (null at the end of the rows). */
      const prepareNext = async (): Promise<PreparedBatch | null> => {
        const batch: PreparedBatch = { first: nextRow, count: 0, out: new Array<ImportResult>(IMPORT_BATCH_ROWS), work: [] };
        const protectedInBatch = new Set<string>();
        while (batch.count < IMPORT_BATCH_ROWS) {
          const next = await source.next();
          if (next.done) break;
          if (next.value === BLANK_ROW) {
            nextRow++;
            batch.count++;
            continue;
          }
          prepareRow(batch, drive, quotas, seen, protectedInBatch, nextRow++, next.value);
          if (++batch.count % ROWS_PER_SLICE === 0) await yieldToLoop();
        }
        batch.out.length = batch.count;
        return batch.count > 0 ? batch : null;
      };
      /**
       * Runs `handle` over the batches in order, with up to `writers` batches being written at once
       * while the next one is prepared; results are recorded in row order.
       */
      const consume = async (handle: (batch: PreparedBatch) => Promise<ImportResult[]>, writers: number) => {
        const ignore = () => undefined;
        const writing: Promise<ImportResult[]>[] = [];
        let pending = prepareNext();
        // Rejections are taken up by the awaits below; until then the promises are not "unhandled".
        pending.catch(ignore);
        try {
          for (let batch = await pending; batch; batch = await pending) {
            job.checkpoint?.();
            pending = prepareNext();
            pending.catch(ignore);
            const written = handle(batch);
            written.catch(ignore);
            writing.push(written);
            if (writing.length >= writers) await record(await writing.shift()!);
          }
          while (writing.length > 0) await record(await writing.shift()!);
        } finally {
          await pending.catch(ignore);
          await Promise.allSettled(writing);
          await source.return(undefined);
        }
      };

      try {
        if (opts.atomic) {
          // The rows stream once: no automatic retry of the one big transaction.
          await audited(
            db,
            caller.actor,
            async (tx, rec) => {
              await consume((batch) => processBatch(tx, rec, caller, drive, batch), 1);
              if (summary.errors > 0) {
                const files = await done();
                await files.full.discard();
                throw new ImportFailedError({ ...summary, created: 0, exists: 0 }, files.brief!);
              }
            },
            { retries: 0 },
          );
        } else {
          // Two batch transactions at once on two connections: one writes while the other commits.
          // A person whose rows fall in both (NV1 and NV2) is matched as any concurrent request's
          // candidate would be: the later batch waits for the earlier one's candidate and reuses it.
          await consume((batch) => {
            // A batch a previous attempt of this job committed: its results as they were then.
            const committed = job.committed?.get(batch.first);
            if (committed) return Promise.resolve(committed);
            return audited(db, caller.actor, async (tx, rec) => {
              const out = await processBatch(tx, rec, caller, drive, batch);
              await job.batchWritten?.(tx, batch.first, out);
              return out;
            });
          }, IMPORT_WRITERS);
        }
      } catch (err) {
        if (!(err instanceof ImportFailedError)) {
          const files = await done().catch(() => undefined);
          await files?.full.discard();
          await files?.brief?.discard();
        }
        throw err;
      }
      const files = await done();
      await files.brief?.discard();
      return { summary, results: files.full };
    },
  };
}
export type ApplicationsImporter = ReturnType<typeof createApplicationsImporter>;
