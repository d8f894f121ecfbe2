import { z } from 'zod';
import { isoDate, text, timestamp, uuid } from '../../http/primitives.js';
import { nationalIdInput } from '../candidates/candidates.schemas.js';
import { identityCorrectionStatuses } from './identity.table.js';

export const createCorrectionBody = z
  .object({
    fullName: text(200).optional().describe('The corrected full name'),
    birthDate: isoDate.optional().describe('The corrected birth date'),
    nationalId: nationalIdInput
      .optional()
      .describe('The corrected national ID (CCCD), 12 digits: kept encrypted until the approver decides, shown only masked, unique to one person'),
    reason: text(1000).describe('What was wrong (a typo in the name, a wrong birth date)'),
    evidence: text(500).optional().describe('The document the correction rests on'),
  })
  .strict();

const identityFields = z.object({
  fullName: z.string().optional(),
  birthDate: z.string().optional(),
  nationalIdMasked: z.string().optional().describe('A corrected national ID, masked (the number is never shown)'),
});

export const correctionSchema = z
  .object({
    id: uuid,
    candidateId: uuid,
    status: z.enum(identityCorrectionStatuses),
    before: identityFields.describe('The identity before the correction'),
    after: identityFields.describe('The identity the correction gives'),
    reason: z.string(),
    evidence: z.string().nullable(),
    decisionNote: z.string().nullable(),
    decidedAt: timestamp.nullable(),
    createdAt: timestamp,
    version: z.number().int(),
  })
  .meta({ id: 'IdentityCorrection' });
export const correctionListSchema = z.object({ items: z.array(correctionSchema) });

export const decideCorrectionBody = z.object({ approve: z.boolean(), note: text(1000) }).strict();
