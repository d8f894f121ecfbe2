import { z } from 'zod';
import { pageQuery } from '../../http/pagination.js';
import { isoDate, searchQuery, text, timestamp, uuid } from '../../http/primitives.js';
import { ETHNIC_CODES } from '../../domain/ethnicity.js';
import { isValidNationalId } from '../../domain/masking.js';
import { genders } from './candidates.table.js';

export const ethnicityCode = z
  .enum(ETHNIC_CODES as [string, ...string[]])
  .describe('Code of one of the 54 ethnic groups of Việt Nam, 01 Kinh … 54 Rơ-măm (General Statistics Office, Decision 121-TCTK/PPCĐ)')
  .meta({ id: 'EthnicityCode' });

/** GET /v1/candidates/ethnicity-unmapped */
export const unmappedEthnicitiesQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(200).describe('At most this many texts, most frequent first (1–500)') })
  .strict();
export const unmappedEthnicitiesSchema = z
  .object({
    items: z
      .array(z.object({ ethnicity: z.string().describe('The text as submitted'), count: z.number().int().describe('Submissions holding it') }))
      .describe('Most frequent first'),
    total: z.number().int().describe('Submissions counted in `items`'),
  })
  .meta({ id: 'UnmappedEthnicities' });

export const gender = z.enum(genders).describe('male | female | other');
export const nationalIdInput = z
  .string()
  .trim()
  .regex(/^\d{12}$/, 'a national ID (CCCD) has exactly 12 digits')
  .describe('National ID (CCCD), 12 digits. Stored encrypted; never listed in full');
export const nationality = z
  .string()
  .trim()
  .regex(/^[A-Za-z]{2}$/, 'ISO 3166-1 alpha-2 code')
  .transform((s) => s.toUpperCase())
  .describe('ISO 3166-1 alpha-2, e.g. VN');
const optionalText = (max: number) => text(max).nullable().optional();

export const contactsInput = z
  .object({
    email: z.string().trim().max(254).email().nullable().optional(),
    phone: z
      .string()
      .trim()
      .regex(/^\+?[0-9 .-]{6,20}$/, 'digits, spaces, dots or dashes, optionally starting with +')
      .nullable()
      .optional(),
    address: optionalText(500),
  })
  .strict();

export const educationInput = z
  .object({
    level: optionalText(100).describe('e.g. bachelor, master, doctor'),
    major: optionalText(200),
    institution: optionalText(300),
    graduationYear: z.number().int().min(1900).max(2100).nullable().optional(),
  })
  .strict();

export const priorityClaimInput = z
  .object({
    category: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, 'lower_snake_case category code')
      .describe('A category of the drive’s priority table (checked at registration)'),
    evidenceRef: text(300).describe('Reference to the evidence document'),
  })
  .strict();

export const createCandidateBody = z
  .object({
    fullName: text(200).describe('Full name in Vietnamese; stored NFC'),
    nationalId: nationalIdInput,
    birthDate: isoDate,
    gender,
    ethnicity: text(100).describe(
      'As written, e.g. Kinh, Tày, Mường, H’Mông. Mapped to `ethnicityCode` (case, diacritics and common spellings ignored); a text naming none of the 54 groups is accepted with a null code and listed by GET /v1/candidates/ethnicity-unmapped',
    ),
    ethnicityCode: ethnicityCode.optional().describe('The group’s code, when the client knows it; the text, if it names a group, must name this one (422 candidate.ethnicity_mismatch)'),
    nationality: nationality.default('VN'),
    contacts: contactsInput.default({}),
    education: educationInput.default({}),
    priorityClaims: z.array(priorityClaimInput).max(20).default([]),
  })
  .strict();

export const patchCandidateBody = z
  .object({
    fullName: text(200).optional(),
    nationalId: nationalIdInput.optional(),
    birthDate: isoDate.optional(),
    gender: gender.optional(),
    ethnicity: text(100).optional().describe('A new text: its code is mapped again (unless `ethnicityCode` is given)'),
    ethnicityCode: ethnicityCode.nullable().optional().describe('Sets the code (null: map it from the text again)'),
    nationality: nationality.optional(),
    contacts: contactsInput.optional(),
    education: educationInput.optional(),
    priorityClaims: z.array(priorityClaimInput).max(20).optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'at least one field');

const nationalIdLookup = nationalIdInput
  .refine(isValidNationalId, 'not a valid national ID (CCCD): unknown province or century code')
  .describe('Exact lookup by national ID (through its blind index)');

export const listCandidatesQuery = z
  .object({
    ...pageQuery,
    nationalId: nationalIdLookup
      .optional()
      .meta({ deprecated: true })
      .describe('Deprecated: a national ID in a URL ends up in access logs and browser history. Use POST /v1/candidates/search'),
    q: searchQuery,
  })
  .strict();

/** POST /v1/candidates/search: the lookups of the list, with the national ID in the body. */
export const searchCandidatesBody = z
  .object({
    nationalId: nationalIdLookup.optional(),
    q: z.string().max(100).optional().describe('Search in names, with or without diacritics'),
    limit: z.number().int().min(1).max(500).default(50).describe('Page size (1–500)'),
    cursor: z.string().max(512).optional().describe('Opaque cursor: nextCursor of the previous page'),
  })
  .strict();

const contactsSchema = z.object({
  email: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
});
const educationSchema = z.object({
  level: z.string().nullable().optional(),
  major: z.string().nullable().optional(),
  institution: z.string().nullable().optional(),
  graduationYear: z.number().int().nullable().optional(),
});
export const priorityClaimSchema = z.object({ category: z.string(), evidenceRef: z.string() }).meta({ id: 'CandidatePriorityClaim' });

export const candidateSchema = z
  .object({
    id: uuid,
    fullName: z.string(),
    nationalIdMasked: z.string().describe('Province code and last 2 digits: 001*******67'),
    nationalId: z
      .string()
      .optional()
      .describe('Full national ID: only on GET /v1/candidates/{id}, and only to admin, registrar and council keys'),
    birthDate: z.string(),
    gender,
    ethnicity: z.string().describe('As submitted'),
    ethnicityCode: ethnicityCode
      .nullable()
      .describe('The group of the 54 (GSO list, Decision 121-TCTK/PPCĐ) the ethnicity names; null: it names none (flagged, and refused by quotas reserved under Decree 170/2025 Art. 3(2)(c))'),
    nationality: z.string(),
    contacts: contactsSchema.describe('Masked in lists'),
    education: educationSchema,
    priorityClaims: z.array(priorityClaimSchema),
    registeredByAgencyId: uuid.nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'Candidate' });

export type CreateCandidateInput = z.infer<typeof createCandidateBody>;
export type PatchCandidateInput = z.infer<typeof patchCandidateBody>;
export type ListCandidatesQuery = z.infer<typeof listCandidatesQuery>;
export type SearchCandidatesBody = z.infer<typeof searchCandidatesBody>;
/** What a list or a search filters on. */
export type CandidateLookup = { nationalId?: string | undefined; q?: string | undefined; limit: number };
