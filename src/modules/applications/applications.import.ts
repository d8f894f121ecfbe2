import type { Caller, Clock } from '../../context.js';
import type { Db, Tx } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import { isDomainError } from '../../domain/errors.js';
import { normalizeName, searchKey } from '../../domain/names.js';
import { AppError } from '../../errors.js';
import { audited, type Record as RecordAudit } from '../audit/audit.writer.js';
import type { CandidatesRepository } from '../candidates/candidates.repository.js';
import type { CandidateRow, PriorityClaim } from '../candidates/candidates.table.js';
import type { DriveRow } from '../drives/drives.table.js';
import type { ApplicationsRepository, QuotaWithCodes } from './applications.repository.js';
import { applicantRefusal, duplicateRefusal, quotaNotInDrive, refuse, windowRefusal, type PriorityOutcome } from './applications.rules.js';
import { importRowSchema, type ImportResult, type ImportRow, type ImportRowError } from './applications.schemas.js';
import { visibleDrive } from './applications.service.js';

export type ImportDeps = {
  db: Db;
  repo: ApplicationsRepository;
  candidates: CandidatesRepository;
  nationalIds: NationalIdProtector;
  clock: Clock;
};

export type RawRow = Record<string, unknown>;
export type ImportReport = { summary: { rows: number; created: number; exists: number; errors: number }; results: ImportResult[] };

/** Rows per transaction: large enough for set-based inserts, small enough to keep locks short. */
export const IMPORT_BATCH_ROWS = 500;

type Ready = {
  row: number;
  input: ImportRow;
  index: string;
  quota: QuotaWithCodes;
  claims: PriorityClaim[];
  priority: PriorityOutcome;
  candidate: CandidateRow | undefined;
};

/** Where rows of this file already used a national ID: a second row for the same choice or quota is an error. */
type Seen = Map<string, { row: number; choice: number; quotaId: string }[]>;

export function createApplicationsImporter(deps: ImportDeps) {
  const { db, repo, nationalIds, clock } = deps;

  function parseRow(raw: unknown): { input: ImportRow } | { errors: ImportRowError[] } {
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
        nationalIds.blindIndex(String(id));
      } catch (err) {
        if (!isDomainError(err)) throw err;
        errors.push({ code: err.code, message: err.message, field: 'nationalId' });
      }
    }
    return parsed.success && errors.length === 0 ? { input: parsed.data } : { errors };
  }

  async function processBatch(
    tx: Tx,
    record: RecordAudit,
    caller: Caller,
    drive: DriveRow,
    quotas: { byId: Map<string, QuotaWithCodes>; byCodes: Map<string, QuotaWithCodes> },
    seen: Seen,
    batch: { row: number; raw: unknown }[],
  ): Promise<ImportResult[]> {
    const out = new Map<number, ImportResult>();
    const fail = (row: number, errors: ImportRowError[]) => out.set(row, { row, status: 'error', errors });
    const work: { row: number; input: ImportRow; index: string; quota: QuotaWithCodes }[] = [];

    for (const { row, raw } of batch) {
      const parsed = parseRow(raw);
      if ('errors' in parsed) {
        fail(row, parsed.errors);
        continue;
      }
      const input = parsed.input;
      const quota = input.quotaId ? quotas.byId.get(input.quotaId) : quotas.byCodes.get(`${input.agencyCode}\u0000${input.jobPositionCode}`);
      if (!quota) {
        const r = quotaNotInDrive(input.quotaId ?? `${input.agencyCode}/${input.jobPositionCode}`, drive.id, input.quotaId ? 'quotaId' : 'agencyCode');
        fail(row, [{ code: r.code, message: r.message, field: r.field! }]);
        continue;
      }
      const index = nationalIds.blindIndex(input.nationalId);
      const uses = seen.get(index) ?? [];
      const earlier = uses.find((u) => u.row !== row && (u.choice === input.choice || u.quotaId === quota.quota.id));
      if (earlier) {
        fail(row, [
          { code: 'import.duplicate_in_file', message: `The same national ID is already in row ${earlier.row} of this file for this choice or quota`, field: 'nationalId' },
        ]);
        continue;
      }
      if (!uses.some((u) => u.row === row)) seen.set(index, [...uses, { row, choice: input.choice, quotaId: quota.quota.id }]);
      work.push({ row, input, index, quota });
    }

    // Existing candidates are matched by national ID and reused as stored.
    const existing = new Map((await deps.candidates.findByIndexes(tx, [...new Set(work.map((w) => w.index))])).map((c) => [c.nationalIdIndex, c]));
    const existingIds = [...new Set([...existing.values()].map((c) => c.id))];
    const barred = await deps.candidates.barredAmong(tx, existingIds, drive.id, drive.registrationOpensOn);
    const activeByCandidate = groupBy(await repo.activeOf(tx, drive.id, existingIds), (a) => a.candidateId);

    const ready: Ready[] = [];
    for (const w of work) {
      const candidate = existing.get(w.index);
      const claims: PriorityClaim[] = w.input.priorityCategory
        ? [{ category: w.input.priorityCategory, evidenceRef: w.input.evidenceRef ?? '' }]
        : (candidate?.priorityClaims ?? []);
      const checked = applicantRefusal(drive, drive.ruleSet, candidate ?? w.input, candidate ? barred.has(candidate.id) : false, {
        choice: w.input.choice,
        priorityClaims: claims,
        exemptions: [],
      });
      if ('refusal' in checked) {
        const r = checked.refusal;
        fail(w.row, [{ code: r.code, message: r.message, ...(r.field ? { field: r.field } : {}) }]);
        continue;
      }
      const active = candidate ? (activeByCandidate.get(candidate.id) ?? []) : [];
      const same = active.find((a) => a.quotaId === w.quota.quota.id);
      if (same) {
        out.set(w.row, { row: w.row, status: 'exists', applicationId: same.id, candidateId: same.candidateId });
        continue;
      }
      if (active.some((a) => a.choice === w.input.choice)) {
        const r = duplicateRefusal();
        fail(w.row, [{ code: r.code, message: r.message, field: 'choice' }]);
        continue;
      }
      ready.push({ ...w, claims, priority: checked.priority, candidate });
    }

    // New candidates, one per national ID (NV1 and NV2 rows of one person share it).
    const toCreate = new Map<string, Ready>();
    for (const r of ready) if (!r.candidate && !toCreate.has(r.index)) toCreate.set(r.index, r);
    const candidateRows = [...toCreate.values()].map((r) => {
      const p = nationalIds.protect(r.input.nationalId);
      const fullName = normalizeName(r.input.fullName);
      return {
        id: newId(),
        fullName,
        fullNameSearch: searchKey(fullName),
        nationalIdCiphertext: p.ciphertext,
        nationalIdIndex: p.index,
        nationalIdMasked: p.masked,
        birthDate: r.input.birthDate,
        gender: r.input.gender,
        ethnicity: r.input.ethnicity,
        nationality: r.input.nationality,
        contacts: { email: r.input.email ?? null, phone: r.input.phone ?? null, address: r.input.address ?? null },
        priorityClaims: r.claims,
        registeredByAgencyId: caller.scopeAgencyId,
      };
    });
    const createdCandidates = await deps.candidates.insertMissing(tx, candidateRows);
    const candidateIdByIndex = new Map(createdCandidates.map((c) => [c.nationalIdIndex, c.id]));
    const raced = candidateRows.filter((c) => !candidateIdByIndex.has(c.nationalIdIndex)).map((c) => c.nationalIdIndex);
    for (const c of await deps.candidates.findByIndexes(tx, raced)) candidateIdByIndex.set(c.nationalIdIndex, c.id);

    const now = clock();
    const appRows = ready.map((r) => ({
      id: newId(),
      driveId: drive.id,
      quotaId: r.quota.quota.id,
      candidateId: r.candidate?.id ?? candidateIdByIndex.get(r.index)!,
      choice: r.input.choice,
      priorityClaims: r.claims,
      exemptions: [],
      ...r.priority,
      registeredByAgencyId: caller.scopeAgencyId,
      submittedAt: now,
    }));
    const inserted = await repo.insertMany(tx, appRows);
    const skipped = appRows.filter((a) => !inserted.has(a.id));
    const nowActive = groupBy(await repo.activeOf(tx, drive.id, [...new Set(skipped.map((a) => a.candidateId))]), (a) => a.candidateId);
    ready.forEach((r, i) => {
      const a = appRows[i]!;
      if (inserted.has(a.id)) {
        out.set(r.row, { row: r.row, status: 'created', applicationId: a.id, candidateId: a.candidateId });
        return;
      }
      // Another request registered this candidate meanwhile: the same quota is "exists", anything else a duplicate.
      const same = (nowActive.get(a.candidateId) ?? []).find((x) => x.quotaId === a.quotaId);
      if (same) out.set(r.row, { row: r.row, status: 'exists', applicationId: same.id, candidateId: same.candidateId });
      else fail(r.row, [{ code: 'application.duplicate', message: duplicateRefusal().message, field: 'choice' }]);
    });

    if (inserted.size > 0 || createdCandidates.length > 0) {
      record({
        action: 'applications.imported',
        resourceType: 'drive',
        resourceId: drive.id,
        driveId: drive.id,
        agencyId: caller.scopeAgencyId,
        after: {
          candidatesCreated: createdCandidates.map((c) => c.id),
          applications: appRows.filter((a) => inserted.has(a.id)).map((a) => ({ id: a.id, candidateId: a.candidateId, quotaId: a.quotaId })),
        },
      });
    }
    return batch.map((b) => out.get(b.row)!);
  }

  return {
    /**
     * Imports rows of one drive. Without `atomic`, each batch of rows commits on its own and every
     * row reports its outcome; with `atomic`, everything runs in one transaction that is rolled
     * back when any row fails (422 import.failed with the report).
     */
    async run(caller: Caller, driveId: string, rows: AsyncIterable<unknown> | Iterable<unknown>, opts: { atomic: boolean }): Promise<ImportReport> {
      const { drive } = await visibleDrive(repo, caller, driveId);
      const closed = windowRefusal(drive, clock());
      if (closed) throw refuse(closed);
      const list = await repo.quotasOfDrive(driveId);
      const quotas = {
        byId: new Map(list.map((q) => [q.quota.id, q])),
        byCodes: new Map(list.map((q) => [`${q.agencyCode}\u0000${q.jobPositionCode}`, q])),
      };
      const seen: Seen = new Map();
      const results: ImportResult[] = [];

      const consume = async (handle: (batch: { row: number; raw: unknown }[]) => Promise<ImportResult[]>) => {
        let batch: { row: number; raw: unknown }[] = [];
        let n = 0;
        for await (const raw of rows) {
          batch.push({ row: ++n, raw });
          if (batch.length >= IMPORT_BATCH_ROWS) {
            results.push(...(await handle(batch)));
            batch = [];
          }
        }
        if (batch.length > 0) results.push(...(await handle(batch)));
      };

      if (opts.atomic) {
        // The rows stream once: no automatic retry of the one big transaction.
        await audited(
          db,
          caller.actor,
          async (tx, record) => {
            await consume((batch) => processBatch(tx, record, caller, drive, quotas, seen, batch));
            const report = summarize(results);
            if (report.summary.errors > 0) {
              throw new AppError(422, 'import.failed', `${report.summary.errors} of ${report.summary.rows} rows have errors; nothing was written`, {
                summary: { ...report.summary, created: 0, exists: 0 },
                results: report.results.map((r) => (r.status === 'error' ? r : { row: r.row, status: r.status })),
              });
            }
          },
          { retries: 0 },
        );
        return summarize(results);
      }
      await consume((batch) => audited(db, caller.actor, (tx, record) => processBatch(tx, record, caller, drive, quotas, seen, batch)));
      return summarize(results);
    },
  };
}
export type ApplicationsImporter = ReturnType<typeof createApplicationsImporter>;

function summarize(results: ImportResult[]): ImportReport {
  const summary = { rows: results.length, created: 0, exists: 0, errors: 0 };
  for (const r of results) {
    if (r.status === 'created') summary.created++;
    else if (r.status === 'exists') summary.exists++;
    else summary.errors++;
  }
  return { summary, results };
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}
