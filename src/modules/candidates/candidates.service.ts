import { randomUUID } from 'node:crypto';
import type { Caller, Clock } from '../../context.js';
import type { Db } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import type { NationalIdProtector } from '../../crypto/national-id.js';
import { localDate } from '../../domain/deadlines.js';
import { ethnicGroupByCode, matchEthnicity } from '../../domain/ethnicity.js';
import { normalizeName, searchKey } from '../../domain/names.js';
import { birthDateImplausible, identityImplausible, nameImplausible, nationalIdContradiction, type Implausible } from '../../domain/plausibility.js';
import { AppError, conflict, notFound, preconditionFailed } from '../../errors.js';
import { identityFrozen } from '../identity/identity.service.js';
import { audited } from '../audit/audit.writer.js';
import type { CandidatesRepository, ScopedCandidate, Submission, SubmissionFields } from './candidates.repository.js';
import type { CandidateLookup, CreateCandidateInput, PatchCandidateInput } from './candidates.schemas.js';
import type { Contacts } from './candidates.table.js';

export type CandidatesDeps = { db: Db; repo: CandidatesRepository; nationalIds: NationalIdProtector; clock: Clock };

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

/** A person as one caller reads them: the person's national ID, and that caller's submission (its own dates and version). */
function view(c: ScopedCandidate, opts: { masked: boolean; nationalId?: string }) {
  const s = c.submission;
  const contacts = contactsOf(s.contacts);
  return {
    id: c.id,
    fullName: s.fullName,
    nationalIdMasked: c.nationalIdMasked,
    ...(opts.nationalId !== undefined ? { nationalId: opts.nationalId } : {}),
    birthDate: s.birthDate,
    gender: s.gender,
    ethnicity: s.ethnicity,
    ethnicityCode: s.ethnicityCode,
    nationality: s.nationality,
    contacts: opts.masked
      ? { email: maskEmail(contacts.email), phone: maskPhone(contacts.phone), address: contacts.address ? '***' : null }
      : contacts,
    education: s.education,
    priorityClaims: s.priorityClaims,
    registeredByAgencyId: s.agencyId,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
    version: s.version,
  };
}
export type CandidateView = ReturnType<typeof view>;

/** What the audit trail keeps of a candidate: never the national ID, only its masked form. */
const auditView = (c: ScopedCandidate) => {
  const v = view(c, { masked: false });
  return { ...v, profileId: c.submission.profileId, createdAt: undefined, updatedAt: undefined };
};

const duplicate = () => conflict('candidate.duplicate_national_id', 'A candidate with this national ID already exists');
const implausible = (r: Implausible) => new AppError(r.status, r.code, r.message, { field: r.field });

type PersonRow = { id: string; nationalIdCiphertext: string; nationalIdIndex: string; nationalIdMasked: string };
const ownSubmission = (row: SubmissionFields & { createdAt: Date; updatedAt: Date; version: number }, agencyId: string | null, profileId: string | null): Submission => ({
  profileId,
  fullName: row.fullName,
  fullNameSearch: row.fullNameSearch,
  birthDate: row.birthDate,
  gender: row.gender,
  ethnicity: row.ethnicity,
  ethnicityCode: row.ethnicityCode,
  nationality: row.nationality,
  contacts: row.contacts,
  education: row.education,
  priorityClaims: row.priorityClaims,
  agencyId,
  own: true,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  version: row.version,
});
const scopedOf = (person: PersonRow, submission: Submission): ScopedCandidate => ({
  id: person.id,
  nationalIdCiphertext: person.nationalIdCiphertext,
  nationalIdIndex: person.nationalIdIndex,
  nationalIdMasked: person.nationalIdMasked,
  submission,
});

export function createCandidatesService(deps: CandidatesDeps) {
  const { db, repo, nationalIds, clock } = deps;
  const today = () => localDate(clock());

  async function find(caller: Caller, q: CandidateLookup, afterId: string | undefined): Promise<CandidateView[]> {
    const rows = await repo.list({
      scopePath: caller.scopePath,
      nationalIdIndex: q.nationalId ? nationalIds.blindIndex(q.nationalId) : undefined,
      search: q.q ? searchKey(q.q) : undefined,
      afterId,
      limit: q.limit,
    });
    return rows.map((r) => view(r, { masked: true }));
  }

  return {
    /**
     * Registers a person. A national ID no agency of the caller's subtree has submitted is a new
     * registration whatever other agencies hold: when the person exists, the caller's submission is
     * linked to them (one person: one application per drive, bars and conflict checks hold), and the
     * answer is the one a new person gets, showing only what the caller submitted. Only a person
     * the caller's own subtree already submitted is a duplicate (409).
     */
    async create(caller: Caller, input: CreateCandidateInput): Promise<CandidateView> {
      const fullName = normalizeName(input.fullName);
      const bad = identityImplausible({ ...input, fullName }, today());
      if (bad) throw implausible(bad);
      const protectedId = nationalIds.protect(input.nationalId);
      const fields: SubmissionFields = {
        fullName,
        fullNameSearch: searchKey(fullName),
        birthDate: input.birthDate,
        gender: input.gender,
        ethnicity: input.ethnicity,
        ethnicityCode: ethnicityCodeOf(input.ethnicity, input.ethnicityCode),
        nationality: input.nationality,
        contacts: input.contacts,
        education: input.education,
        priorityClaims: input.priorityClaims,
      };
      return audited(db, caller.actor, async (tx, record) => {
        // A random (v4) id, not a time-ordered one: an id minted when another agency first
        // registered the person would tell a later registrant that the person already existed.
        const person = await repo.insertIfNew(tx, {
          id: randomUUID(),
          ...fields,
          nationalIdCiphertext: protectedId.ciphertext,
          nationalIdIndex: protectedId.index,
          nationalIdMasked: protectedId.masked,
          registeredByAgencyId: caller.scopeAgencyId,
        });
        let created: ScopedCandidate;
        if (person) {
          created = scopedOf(person, ownSubmission(person, caller.scopeAgencyId, null));
        } else {
          const existing = await repo.personByIndex(tx, protectedId.index, caller.scopePath);
          if (!existing || existing.held || caller.scopeAgencyId === null) throw duplicate();
          const profile = await repo.insertProfile(tx, { id: newId(), candidateId: existing.id, agencyId: caller.scopeAgencyId, ...fields });
          if (!profile) throw duplicate();
          const linked = { id: existing.id, nationalIdCiphertext: protectedId.ciphertext, nationalIdIndex: protectedId.index, nationalIdMasked: protectedId.masked };
          created = scopedOf(linked, ownSubmission(profile, caller.scopeAgencyId, profile.id));
        }
        record({ action: 'candidate.created', resourceType: 'candidate', resourceId: created.id, agencyId: caller.scopeAgencyId, after: auditView(created) });
        return view(created, { masked: false });
      });
    },

    /** Ethnicity texts of the caller's subtree that name none of the 54 groups, by count (no personal data). */
    async unmappedEthnicities(caller: Caller, limit: number) {
      const items = await repo.unmappedEthnicities(caller.scopePath, limit);
      return { items, total: items.reduce((n, i) => n + i.count, 0) };
    },

    /** One candidate as the caller's subtree submitted it; the full national ID only for roles that need it. */
    async get(caller: Caller, id: string): Promise<CandidateView> {
      const row = await repo.findVisible(id, caller.scopePath);
      if (!row) throw notFound('candidate', id);
      const full = FULL_NATIONAL_ID_ROLES.includes(caller.role) ? nationalIds.decrypt(row.nationalIdCiphertext) : undefined;
      return view(row, full !== undefined ? { masked: false, nationalId: full } : { masked: false });
    },

    /** Lists are always masked: national IDs and contacts. */
    list: find,
    /** The same lookup with the national ID in the body (POST /v1/candidates/search): never in a URL or an access log. */
    search: find,

    async update(caller: Caller, id: string, expected: number | undefined, input: PatchCandidateInput): Promise<CandidateView> {
      return audited(db, caller.actor, async (tx, record) => {
        // Every correction of any submission of the person takes the person's row lock first.
        const person = await repo.lockPerson(tx, id);
        const current = person ? await repo.findVisible(id, caller.scopePath, tx) : undefined;
        if (!person || !current) throw notFound('candidate', id);
        const s = current.submission;
        if (expected !== undefined && expected !== s.version) throw preconditionFailed();
        if ((input.fullName !== undefined || input.birthDate !== undefined || input.nationalId !== undefined) && (await identityFrozen(tx, id))) {
          throw conflict('candidate.identity_frozen', 'The candidate is in a drive whose results are approved: the identity is corrected only through an identity correction the approver authorises (POST /v1/candidates/{id}/identity-corrections)', {
            path: 'identity_correction',
          });
        }

        const changes: Partial<SubmissionFields> = {};
        if (input.fullName !== undefined) {
          const fullName = normalizeName(input.fullName);
          Object.assign(changes, { fullName, fullNameSearch: searchKey(fullName) });
        }
        if (input.birthDate !== undefined) changes.birthDate = input.birthDate;
        if (input.gender !== undefined) changes.gender = input.gender;
        if (input.ethnicity !== undefined || input.ethnicityCode !== undefined) {
          const ethnicity = input.ethnicity ?? s.ethnicity;
          Object.assign(changes, { ethnicity, ethnicityCode: ethnicityCodeOf(ethnicity, input.ethnicityCode) });
        }
        if (input.nationality !== undefined) changes.nationality = input.nationality;
        if (input.contacts !== undefined) changes.contacts = { ...s.contacts, ...input.contacts };
        if (input.education !== undefined) changes.education = { ...s.education, ...input.education };
        if (input.priorityClaims !== undefined) changes.priorityClaims = input.priorityClaims;

        const merged = { fullName: changes.fullName ?? s.fullName, birthDate: changes.birthDate ?? s.birthDate, gender: changes.gender ?? s.gender };
        const bad =
          (input.fullName !== undefined ? nameImplausible(merged.fullName) : null) ??
          (input.birthDate !== undefined ? birthDateImplausible(merged.birthDate, today()) : null) ??
          (input.nationalId !== undefined || input.birthDate !== undefined || input.gender !== undefined
            ? nationalIdContradiction(input.nationalId ?? nationalIds.decrypt(person.nationalIdCiphertext), merged.birthDate, merged.gender)
            : null);
        if (bad) throw implausible(bad);

        let updated: ScopedCandidate;
        if (s.profileId === null) {
          const personChanges: Parameters<CandidatesRepository['update']>[3] = { ...changes };
          if (input.nationalId !== undefined) {
            // The national ID is the person's, shared by every agency that registered them: it is
            // corrected only while a single agency holds the person. Moving one agency's submission
            // to another person would change the candidate id that agency knows. Known limit: the
            // refusal tells an agency that corrects the national ID of a person it registered that
            // another agency registered them too (it must register the person first, which is audited).
            if ((await repo.profileCount(tx, id)) > 0) throw nationalIdShared();
            const p = nationalIds.protect(input.nationalId);
            Object.assign(personChanges, { nationalIdCiphertext: p.ciphertext, nationalIdIndex: p.index, nationalIdMasked: p.masked });
          }
          const row = await repo.update(tx, id, s.version, personChanges);
          if (!row) throw concurrentChange();
          updated = scopedOf(row, ownSubmission(row, row.registeredByAgencyId, null));
        } else {
          if (input.nationalId !== undefined) throw nationalIdShared();
          const row = await repo.updateProfile(tx, s.profileId, s.version, changes);
          if (!row) throw concurrentChange();
          updated = scopedOf(person, ownSubmission(row, row.agencyId, row.id));
        }
        record({
          action: 'candidate.updated',
          resourceType: 'candidate',
          resourceId: id,
          agencyId: s.agencyId,
          before: auditView(current),
          after: auditView(updated),
        });
        return view(updated, { masked: false });
      });
    },
  };
}

/**
 * The code stored with an ethnicity text: the one the client gives (which the text, when it names a
 * group, must agree with), else the group the text names, else null — an unmapped text is accepted
 * as before and listed by GET /v1/candidates/ethnicity-unmapped.
 */
export function ethnicityCodeOf(ethnicity: string, given: string | null | undefined): string | null {
  const named = matchEthnicity(ethnicity);
  if (given === undefined || given === null) return named?.code ?? null;
  if (named && named.code !== given) {
    throw new AppError(422, 'candidate.ethnicity_mismatch', `The ethnicity "${ethnicity}" is ${named.name} (${named.code}), not ${ethnicGroupByCode(given)?.name ?? given} (${given})`, {
      field: 'ethnicityCode',
      ethnicityCode: given,
      matchedCode: named.code,
    });
  }
  return given;
}

const concurrentChange = () => new AppError(409, 'concurrent_change', 'The candidate changed while updating; retry');
const nationalIdShared = () =>
  conflict(
    'candidate.national_id_shared',
    'The national ID of a person registered by more than one agency cannot be corrected here; register the person under the correct national ID',
  );
export type CandidatesService = ReturnType<typeof createCandidatesService>;
