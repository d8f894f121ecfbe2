import { z } from 'zod';
import { hasMessage, negotiateLanguage, tFor } from '../../http/i18n.js';
import { vi } from '../../http/i18n.vi.js';

/*
 * How an export writes its values (issue #19 item 3). `office` (the default) is what an HR office
 * opens in Excel: Vietnamese labels for every enum value (outcome `winner` → "Trúng tuyển"),
 * dd/mm/yyyy dates and times in Asia/Ho_Chi_Minh. `iso` is for machines: the stable codes, ISO
 * dates and UTC times, exactly as before — asked for with `?format=iso` or `Accept-Language: en`.
 * Labels come from the Vietnamese i18next catalogue (src/http/i18n.vi.ts, keys `export.<kind>.<code>`).
 */

export const EXPORT_STYLES = ['office', 'iso'] as const;
export type ExportStyle = (typeof EXPORT_STYLES)[number];

export const exportQuery = z.object({
  format: z
    .enum(EXPORT_STYLES)
    .optional()
    .describe(
      '`office` (default): Vietnamese labels for codes, dd/mm/yyyy dates, Asia/Ho_Chi_Minh times, for Excel. ' +
        '`iso`: stable codes, ISO 8601 dates, UTC times, for machines (also chosen by `Accept-Language: en` when no format is given)',
    ),
});

/** The style asked for: `?format=` wins; else English asked for in Accept-Language means machines; else the office's. */
export function exportStyle(format: ExportStyle | undefined, acceptLanguage: string | string[] | undefined): ExportStyle {
  if (format) return format;
  return negotiateLanguage(acceptLanguage) === 'en' ? 'iso' : 'office';
}

export type LabelKind = 'outcome' | 'gender' | 'status' | 'decided_by' | 'priority' | 'exemption' | 'cancel_reason';

/** The Vietnamese label of a code; a code the catalogue does not know yet stays the code (never blank). */
export function label(kind: LabelKind, code: string | null | undefined): string | null {
  if (code === null || code === undefined || code === '') return code ?? null;
  const key = `export.${kind}.${code}`;
  return hasMessage('vi', key) ? tFor('vi')(key) : code;
}

/** The code a Vietnamese label stands for (the export's own labels read back by the import); undefined when none. */
export function codeOfLabel(kind: LabelKind, text: string): string | undefined {
  const wanted = text.normalize('NFC').trim().toLowerCase();
  const prefix = `export.${kind}.`;
  for (const [key, value] of Object.entries(vi)) {
    if (key.startsWith(prefix) && value.normalize('NFC').toLowerCase() === wanted) return key.slice(prefix.length);
  }
  return undefined;
}

/** A `; `-separated list of codes, each labelled. */
export const labelList = (kind: LabelKind, codes: string | null | undefined): string | null =>
  codes ? codes.split('; ').map((c) => label(kind, c)).join('; ') : (codes ?? null);

/** `YYYY-MM-DD` → `dd/mm/yyyy` (anything else unchanged). */
export function officeDate(iso: string | null | undefined): string | null {
  if (!iso) return iso ?? null;
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : iso;
}

const HCM = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** An ISO UTC instant → `dd/mm/yyyy HH:MM:SS` in Asia/Ho_Chi_Minh (anything unparsable unchanged). */
export function officeTime(iso: string | null | undefined): string | null {
  if (!iso) return iso ?? null;
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const p = Object.fromEntries(HCM.formatToParts(at).map((x) => [x.type, x.value]));
  return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}:${p.second}`;
}
