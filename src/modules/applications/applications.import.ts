import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
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
export type ImportSummary = { rows: number; created: number; exists: number; errors: number };
/**
 * The per-row results are not held in memory (200,000 rows make a report of ~27 MiB): they are
 * written to a temporary file as comma-separated JSON objects while the rows are processed.
 * `chunks()` reads them back (callable more than once); `discard()` removes the file.
 */
export type ImportResults = { chunks: () => AsyncIterable<string>; discard: () => Promise<void> };
export type ImportReport = { summary: ImportSummary; results: ImportResults };

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

/** Appends results to a temporary file, keeping only the counters in memory. */
async function resultsFile(): Promise<{ write: (items: ImportResult[]) => Promise<void>; close: () => Promise<ImportResults> }> {
  const file = path.join(tmpdir(), `tuyendung-import-report-${randomUUID()}.json`);
  const discard = () => rm(file, { force: true });
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'w', 0o600);
  } catch (err) {
    await discard();
    throw err;
  }
  let first = true;
  let closed = false;
  const close = async () => {
    if (!closed) await handle!.close();
    closed = true;
  };
  return {
    async write(items) {
      if (items.length === 0) return;
      const text = (first ? '' : ',') + items.map(resultJson).join(',');
      first = false;
      try {
        await handle!.write(text);
      } catch (err) {
        await close().catch(() => undefined);
        await discard();
        throw err;
      }
    },
    async close() {
      await close();
      return {
        chunks: () => createReadStream(file, { encoding: 'utf8', highWaterMark: 256 * 1024 }) as AsyncIterable<string>,
        discard,
      };
    },
  };
}

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

/**
 * Where rows of this file already used a national ID: a second row for the same choice or quota is an error.
 * It holds one entry per national ID of the file, so a use is packed into one number (row, choice and the
 * quota's position in the drive) rather than an object: about a third of the memory on 200,000 rows.
 */
type Seen = Map<string, number | number[]>;
type Use = { row: number; choice: number; quota: number };
const packUse = (u: Use, quotaCount: number) => (u.row * 2 + (u.choice - 1)) * quotaCount + u.quota;
function unpackUse(packed: number, quotaCount: number): Use {
  const quota = packed % quotaCount;
  const rest = (packed - quota) / quotaCount;
  return { row: Math.floor(rest / 2), choice: (rest % 2) + 1, quota };
}

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
    quotas: { byId: Map<string, QuotaWithCodes>; byCodes: Map<string, QuotaWithCodes>; position: Map<string, number> },
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
      const quotaCount = quotas.position.size;
      const position = quotas.position.get(quota.quota.id)!;
      const packed = seen.get(index);
      const uses = (packed === undefined ? [] : typeof packed === 'number' ? [packed] : packed).map((u) => unpackUse(u, quotaCount));
      const earlier = uses.find((u) => u.row !== row && (u.choice === input.choice || u.quota === position));
      if (earlier) {
        fail(row, [
          { code: 'import.duplicate_in_file', message: `The same national ID is already in row ${earlier.row} of this file for this choice or quota`, field: 'nationalId' },
        ]);
        continue;
      }
      if (!uses.some((u) => u.row === row)) {
        const use = packUse({ row, choice: input.choice, quota: position }, quotaCount);
        seen.set(index, packed === undefined ? use : [...(typeof packed === 'number' ? [packed] : packed), use]);
      }
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
        position: new Map<string, number>(),
      };
      for (const q of list) if (!quotas.position.has(q.quota.id)) quotas.position.set(q.quota.id, quotas.position.size);
      const seen: Seen = new Map();
      const summary: ImportSummary = { rows: 0, created: 0, exists: 0, errors: 0 };
      const full = await resultsFile();
      // With `atomic`, a refusal reports the rows without the ids that were rolled back: written beside the full report.
      let brief: Awaited<ReturnType<typeof resultsFile>> | undefined;
      if (opts.atomic) {
        try {
          brief = await resultsFile();
        } catch (err) {
          await (await full.close()).discard();
          throw err;
        }
      }
      const done = async () => ({ full: await full.close(), brief: await brief?.close() });
      const record = async (results: ImportResult[]) => {
        for (const r of results) {
          summary.rows++;
          if (r.status === 'created') summary.created++;
          else if (r.status === 'exists') summary.exists++;
          else summary.errors++;
        }
        await full.write(results);
        if (brief) await brief.write(results.map((r) => (r.status === 'error' ? r : { row: r.row, status: r.status })));
      };

      const consume = async (handle: (batch: { row: number; raw: unknown }[]) => Promise<ImportResult[]>) => {
        let batch: { row: number; raw: unknown }[] = [];
        let n = 0;
        for await (const raw of rows) {
          batch.push({ row: ++n, raw });
          if (batch.length >= IMPORT_BATCH_ROWS) {
            await record(await handle(batch));
            batch = [];
          }
        }
        if (batch.length > 0) await record(await handle(batch));
      };

      try {
        if (opts.atomic) {
          // The rows stream once: no automatic retry of the one big transaction.
          await audited(
            db,
            caller.actor,
            async (tx, rec) => {
              await consume((batch) => processBatch(tx, rec, caller, drive, quotas, seen, batch));
              if (summary.errors > 0) {
                const files = await done();
                await files.full.discard();
                throw new ImportFailedError({ ...summary, created: 0, exists: 0 }, files.brief!);
              }
            },
            { retries: 0 },
          );
        } else {
          await consume((batch) => audited(db, caller.actor, (tx, rec) => processBatch(tx, rec, caller, drive, quotas, seen, batch)));
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
