import { IMPORT_COLUMNS } from './applications.schemas.js';

/*
 * Import column names. Besides the English field names, an import takes the Vietnamese headers the
 * service's own applications export writes (src/modules/exports/exports.service.ts), so that an office
 * can export the list, edit it in Excel and import it again (issue 19, item 4). Columns the export
 * writes but the service computes (status, candidate number, priority points, reasons, times, names
 * of the agency and position) are read and ignored.
 */

type ImportColumn = (typeof IMPORT_COLUMNS)[number];

/** Vietnamese header → import field. Keys are compared NFC-normalised, case- and space-insensitive. */
const VIETNAMESE: Record<string, ImportColumn> = {
  'họ và tên': 'fullName',
  'số cccd': 'nationalId',
  'số cccd (đã che)': 'nationalId',
  'ngày sinh': 'birthDate',
  'giới tính': 'gender',
  'dân tộc': 'ethnicity',
  'quốc tịch': 'nationality',
  email: 'email',
  'số điện thoại': 'phone',
  'địa chỉ': 'address',
  'mã chỉ tiêu': 'quotaId',
  'mã đơn vị': 'agencyCode',
  'mã vị trí việc làm': 'jobPositionCode',
  'đối tượng ưu tiên': 'priorityCategory',
  'minh chứng ưu tiên': 'evidenceRef',
  'nguyện vọng': 'choice',
  'đơn vị sử dụng (vị trí tuyển chung)': 'agencyPreferences',
};

/** Headers of the applications export whose values the service computes: accepted and not read. */
const EXPORT_ONLY = new Set([
  'đơn vị',
  'vị trí / chức danh',
  'số báo danh',
  'trạng thái',
  'điểm ưu tiên',
  'miễn thi',
  'lý do',
  'thời điểm đăng ký (utc)',
  'thời điểm đăng ký',
  'thời điểm đăng ký (giờ việt nam)',
]);

const ENGLISH = new Set<string>(IMPORT_COLUMNS);
const fold = (h: string) => h.normalize('NFC').trim().replace(/\s+/g, ' ').toLowerCase();

/**
 * The import field a header names: the English field itself, the field of a Vietnamese export
 * header, null for an export-only column (ignored), or the header unchanged (unknown: the header check refuses it).
 */
export function importColumn(header: string): string | null {
  const h = header.normalize('NFC').trim();
  if (ENGLISH.has(h)) return h;
  const f = fold(h);
  if (Object.hasOwn(VIETNAMESE, f)) return VIETNAMESE[f]!;
  if (EXPORT_ONLY.has(f)) return null;
  return h;
}

/** The Vietnamese headers accepted, for documentation. */
export const VIETNAMESE_IMPORT_HEADERS = Object.keys(VIETNAMESE);

/** A national ID cell as the export writes it (masked with '*'): it cannot identify anyone. */
export const isMaskedNationalId = (v: unknown): boolean => typeof v === 'string' && v.includes('*');
