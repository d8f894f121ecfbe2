import type { Caller } from '../../context.js';
import type { DrivesService } from '../drives/drives.service.js';
import type { ApplicationExportRow, ExportsRepository, ResultExportRow } from './exports.repository.js';
import { label, labelList, officeDate, officeTime, type ExportStyle } from './labels.js';
import type { Column } from './tabular.js';

/** What a route streams: the rows (read lazily, when the download starts) and how to lay them out. */
export type TabularExport<R> = { baseName: string; sheetName: string; columns: readonly Column<R>[]; rows: AsyncIterable<R> };

export type ExportsDeps = { repo: ExportsRepository; drives: Pick<DrivesService, 'visibleDrive'> };

// Headers in Vietnamese: the office pastes these files into its own reports. The `iso` style
// (machines) keeps the codes, ISO dates and UTC times; the `office` style (the default) writes
// Vietnamese labels, dd/mm/yyyy dates and Asia/Ho_Chi_Minh times (src/modules/exports/labels.ts).
const resultColumnsIso: readonly Column<ResultExportRow>[] = [
  { header: 'Mã đơn vị', value: (r) => r.agency_code },
  { header: 'Đơn vị', value: (r) => r.agency_name, width: 40 },
  { header: 'Vị trí / chức danh', value: (r) => r.position, width: 40 },
  { header: 'Chỉ tiêu', kind: 'int', value: (r) => r.slots },
  { header: 'Thứ hạng', kind: 'int', value: (r) => r.rank },
  { header: 'Số báo danh', value: (r) => r.candidate_number },
  { header: 'Họ và tên', value: (r) => r.full_name, width: 30 },
  { header: 'Ngày sinh', value: (r) => r.birth_date },
  { header: 'Số CCCD (đã che)', value: (r) => r.national_id_masked, width: 16 },
  { header: 'Kết quả', value: (r) => r.outcome },
  { header: 'Chỉ tiêu trúng tuyển số', kind: 'int', value: (r) => r.winner_slot },
  { header: 'Điểm vòng 2', kind: 'decimal', value: (r) => r.raw_score },
  { header: 'Điểm ưu tiên', kind: 'decimal', value: (r) => r.priority_points },
  { header: 'Tổng điểm xét', kind: 'decimal', value: (r) => r.ranking_score },
  { header: 'Quyết định bởi', value: (r) => r.decided_by },
  { header: 'Giải thích', value: (r) => r.explanation, width: 60 },
  { header: 'Lý do hủy kết quả', value: (r) => r.cancel_reason },
  { header: 'Thời điểm hủy (UTC)', value: (r) => r.cancelled_at },
  // Decree 170/2025 Art. 10(3): a jointly recruited position's winner is placed at one of its user agencies.
  { header: 'Đơn vị sử dụng trúng tuyển (vị trí tuyển chung)', value: (r) => r.placed_agency, width: 40 },
];

const applicationColumnsIso: readonly Column<ApplicationExportRow>[] = [
  { header: 'Mã đơn vị', value: (r) => r.agency_code },
  { header: 'Đơn vị', value: (r) => r.agency_name, width: 40 },
  { header: 'Vị trí / chức danh', value: (r) => r.position, width: 40 },
  // The code lets an edited export be imported again (POST …/applications/import reads these headers).
  { header: 'Mã vị trí việc làm', value: (r) => r.job_position_code },
  { header: 'Số báo danh', value: (r) => r.candidate_number },
  { header: 'Họ và tên', value: (r) => r.full_name, width: 30 },
  { header: 'Ngày sinh', value: (r) => r.birth_date },
  { header: 'Giới tính', value: (r) => r.gender },
  { header: 'Dân tộc', value: (r) => r.ethnicity },
  { header: 'Số CCCD (đã che)', value: (r) => r.national_id_masked, width: 16 },
  { header: 'Nguyện vọng', kind: 'int', value: (r) => r.choice },
  { header: 'Trạng thái', value: (r) => r.status },
  { header: 'Đối tượng ưu tiên', value: (r) => r.priority_category },
  { header: 'Điểm ưu tiên', kind: 'decimal', value: (r) => r.priority_points },
  { header: 'Miễn thi', value: (r) => r.exemptions },
  { header: 'Lý do', value: (r) => r.reasons, width: 40 },
  { header: 'Thời điểm đăng ký (UTC)', value: (r) => r.submitted_at },
];

/** The same columns with each code, date and time as the office reads it (headers say so where they named UTC). */
function officeColumns<R>(iso: readonly Column<R>[], by: Record<string, { header?: string; value: (row: R) => string | null }>): readonly Column<R>[] {
  return iso.map((c) => {
    const o = by[c.header];
    return o ? { ...c, header: o.header ?? c.header, value: o.value } : c;
  });
}

const resultColumnsOffice = officeColumns<ResultExportRow>(resultColumnsIso, {
  'Ngày sinh': { value: (r) => officeDate(r.birth_date) },
  'Kết quả': { value: (r) => label('outcome', r.outcome) },
  'Quyết định bởi': { value: (r) => label('decided_by', r.decided_by) },
  'Lý do hủy kết quả': { value: (r) => label('cancel_reason', r.cancel_reason) },
  'Thời điểm hủy (UTC)': { header: 'Thời điểm hủy (giờ Việt Nam)', value: (r) => officeTime(r.cancelled_at) },
});

const applicationColumnsOffice = officeColumns<ApplicationExportRow>(applicationColumnsIso, {
  'Ngày sinh': { value: (r) => officeDate(r.birth_date) },
  'Giới tính': { value: (r) => label('gender', r.gender) },
  'Trạng thái': { value: (r) => label('status', r.status) },
  'Đối tượng ưu tiên': { value: (r) => label('priority', r.priority_category) },
  'Miễn thi': { value: (r) => labelList('exemption', r.exemptions) },
  'Thời điểm đăng ký (UTC)': { header: 'Thời điểm đăng ký (giờ Việt Nam)', value: (r) => officeTime(r.submitted_at) },
});

export function createExportsService(deps: ExportsDeps) {
  const { repo, drives } = deps;
  return {
    /** The drive's current results (every row with its outcome and explanation), national IDs masked. */
    async results(caller: Caller, driveId: string, style: ExportStyle = 'iso'): Promise<TabularExport<ResultExportRow>> {
      const drive = await drives.visibleDrive(caller, driveId);
      const columns = style === 'office' ? resultColumnsOffice : resultColumnsIso;
      return { baseName: `ket-qua-${drive.code}`, sheetName: 'Kết quả', columns, rows: repo.results(drive.id) };
    },

    /** Every application of the drive with its status and reasons, national IDs masked. */
    async applications(caller: Caller, driveId: string, style: ExportStyle = 'iso'): Promise<TabularExport<ApplicationExportRow>> {
      const drive = await drives.visibleDrive(caller, driveId);
      const columns = style === 'office' ? applicationColumnsOffice : applicationColumnsIso;
      return { baseName: `ho-so-${drive.code}`, sheetName: 'Hồ sơ đăng ký', columns, rows: repo.applications(drive.id) };
    },
  };
}
export type ExportsService = ReturnType<typeof createExportsService>;
