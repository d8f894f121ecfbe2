import { z } from 'zod';
import { PRESETS, ruleSetSchema } from '../../domain/rule-sets.js';

export const presetParams = z.object({ preset: z.string().max(64) }).strict();

const legalText = z.object({
  number: z.string(),
  title: z.string(),
  issuedOn: z.string().nullable(),
  inForceFrom: z.string().nullable(),
  inForceUntil: z.string().nullable().describe('Last day in force; null while in force or not known to us'),
  articles: z.array(z.string()),
  note: z.string().nullable(),
});

export const presetSchema = z
  .object({
    preset: z.enum(PRESETS),
    title: z.string(),
    citation: z.array(legalText).describe('The texts the preset implements: document number, articles, in-force dates'),
    period: z
      .object({ planApprovedFrom: z.string().nullable(), planApprovedTo: z.string().nullable() })
      .describe('Plans approved within these dates (inclusive; null = open) may pin the preset'),
    historicalOnly: z.boolean().describe('Repealed: only a drive marked as a historical recomputation (with a reason) may pin it'),
    provisionalFrom: z.string().nullable().describe('Plans approved from this date may pin it only as provisional'),
    notes: z.array(z.string()),
    ruleSet: ruleSetSchema.describe('Priority table, round structures (by grade where the law sets them), gates, tie chain, exemptions'),
  })
  .meta({ id: 'RuleSetPreset' });

export const presetListSchema = z.object({ items: z.array(presetSchema) });
