import type { Caller } from '../../context.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import { normalizeName, searchKey } from '../../domain/names.js';
import { AppError, notFound, preconditionFailed } from '../../errors.js';
import { audited } from '../audit/audit.writer.js';
import type { CandidatesRepository } from './candidates.repository.js';
import type { CreateCandidateInput, ListCandidatesQuery, PatchCandidateInput } from './candidates.schemas.js';
import type { CandidateRow, Contacts } from './candidates.table.js';

export type CandidatesDeps = { db: Db; repo: CandidatesRepository; nationalIds: NationalIdProtector };

/** Roles that need the full national ID (identity checks at registration and by the council). */
export const FULL_NATIONAL_ID_ROLES: readonly string[] = ['admin', 'registrar', 'council'];

/** 'nguyen.an@example.vn' → 'n***@example.vn'. */
export function maskEmail(email: string | null | undefined): string | null {
  if (!email) return null;
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** '0912345678' → '091*****78'. */
export function maskPhone(phone: string | null | undefined): string | null {
  if (!phone) return null;
  const digits = phone.replace(/[^0-9+]/g, '');
  if (digits.length <= 5) return '*'.repeat(digits.length);
  return `${digits.slice(0, 3)}${'*'.repeat(digits.length - 5)}${digits.slice(-2)}`;
}

const contactsOf = (c: Contacts) => ({ email: c.email ?? null, phone: c.phone ?? null, address: c.address ?? null });

function view(c: CandidateRow, opts: { masked: boolean; nationalId?: string }) {
  const contacts = contactsOf(c.contacts);
  return {
    id: c.id,
    fullName: c.fullName,
    nationalIdMasked: c.nationalIdMasked,
    ...(opts.nationalId !== undefined ? { nationalId: opts.nationalId } : {}),
    birthDate: c.birthDate,
    gender: c.gender,
    ethnicity: c.ethnicity,
    nationality: c.nationality,
    contacts: opts.masked
      ? { email: maskEmail(contacts.email), phone: maskPhone(contacts.phone), address: contacts.address ? '***' : null }
      : contacts,
    education: c.education,
    priorityClaims: c.priorityClaims,
    registeredByAgencyId: c.registeredByAgencyId,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    version: c.version,
  };
}
export type CandidateView = ReturnType<typeof view>;

/** What the audit trail keeps of a candidate: never the national ID, only its masked form. */
const auditView = (c: CandidateRow) => {
  const v = view(c, { masked: false });
  return { ...v, createdAt: undefined, updatedAt: undefined };
};

export function createCandidatesService(deps: CandidatesDeps) {
  const { db, repo, nationalIds } = deps;

  return {
    async create(caller: Caller, input: CreateCandidateInput): Promise<CandidateView> {
      const protectedId = nationalIds.protect(input.nationalId);
      return audited(db, caller.actor, async (tx, record) => {
        const fullName = normalizeName(input.fullName);
        const row = await repo.insert(tx, {
          id: newId(),
          fullName,
          fullNameSearch: searchKey(fullName),
          nationalIdCiphertext: protectedId.ciphertext,
          nationalIdIndex: protectedId.index,
          nationalIdMasked: protectedId.masked,
          birthDate: input.birthDate,
          gender: input.gender,
          ethnicity: input.ethnicity,
          nationality: input.nationality,
          contacts: input.contacts,
          education: input.education,
          priorityClaims: input.priorityClaims,
          registeredByAgencyId: caller.scopeAgencyId,
        });
        record({ action: 'candidate.created', resourceType: 'candidate', resourceId: row.id, agencyId: caller.scopeAgencyId, after: auditView(row) });
        return view(row, { masked: false });
      });
    },

    /** One candidate; the full national ID only for roles that need it. */
    async get(caller: Caller, id: string): Promise<CandidateView> {
      const row = await repo.findVisible(id, caller.scopePath);
      if (!row) throw notFound('candidate', id);
      const full = FULL_NATIONAL_ID_ROLES.includes(caller.role) ? nationalIds.decrypt(row.nationalIdCiphertext) : undefined;
      return view(row, full !== undefined ? { masked: false, nationalId: full } : { masked: false });
    },

    /** Lists are always masked: national IDs and contacts. */
    async list(caller: Caller, q: ListCandidatesQuery, afterId: string | undefined): Promise<CandidateView[]> {
      const rows = await repo.list({
        scopePath: caller.scopePath,
        nationalIdIndex: q.nationalId ? nationalIds.blindIndex(q.nationalId) : undefined,
        search: q.q ? searchKey(q.q) : undefined,
        afterId,
        limit: q.limit,
      });
      return rows.map((r) => view(r, { masked: true }));
    },

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchCandidateInput): Promise<CandidateView> {
      return audited(db, caller.actor, async (tx, record) => {
        const current = await repo.findVisibleForUpdate(tx, id, caller.scopePath);
        if (!current) throw notFound('candidate', id);
        if (expected !== undefined && expected !== current.version) throw preconditionFailed();
        const changes: Parameters<CandidatesRepository['update']>[3] = {};
        if (input.fullName !== undefined) {
          const fullName = normalizeName(input.fullName);
          Object.assign(changes, { fullName, fullNameSearch: searchKey(fullName) });
        }
        if (input.nationalId !== undefined) {
          const p = nationalIds.protect(input.nationalId);
          Object.assign(changes, { nationalIdCiphertext: p.ciphertext, nationalIdIndex: p.index, nationalIdMasked: p.masked });
        }
        if (input.birthDate !== undefined) changes.birthDate = input.birthDate;
        if (input.gender !== undefined) changes.gender = input.gender;
        if (input.ethnicity !== undefined) changes.ethnicity = input.ethnicity;
        if (input.nationality !== undefined) changes.nationality = input.nationality;
        if (input.contacts !== undefined) changes.contacts = { ...current.contacts, ...input.contacts };
        if (input.education !== undefined) changes.education = { ...current.education, ...input.education };
        if (input.priorityClaims !== undefined) changes.priorityClaims = input.priorityClaims;
        const row = await repo.update(tx, id, current.version, changes);
        if (!row) throw new AppError(409, 'concurrent_change', 'The candidate changed while updating; retry');
        record({
          action: 'candidate.updated',
          resourceType: 'candidate',
          resourceId: id,
          agencyId: current.registeredByAgencyId,
          before: auditView(current),
          after: auditView(row),
        });
        return view(row, { masked: false });
      });
    },
  };
}
export type CandidatesService = ReturnType<typeof createCandidatesService>;
