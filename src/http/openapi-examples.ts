/*
 * Request body examples for the OpenAPI document (issue 19, item 1): realistic Vietnamese data,
 * in the order of a drive, each valid against its operation's schema
 * (test/contract/openapi-examples.test.ts checks every one with Ajv 2020). The ids are the same
 * throughout, so that the examples read as one drive: Sở Nội vụ tỉnh Lào Cai recruits civil
 * servants in 2026.
 */

const AGENCY = '3f1c2a9e-5b7d-4e21-9a3c-1d2e3f4a5b6c';
const DEPARTMENT = '7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d';
const POSITION = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e';
const QUOTA = 'c4d5e6f7-a8b9-4c0d-8e1f-2a3b4c5d6e7f';
const CANDIDATE = 'd5e6f7a8-b9c0-4d1e-9f2a-3b4c5d6e7f8a';
const APPLICATION_1 = 'e6f7a8b9-c0d1-4e2f-8a3b-4c5d6e7f8a9b';
const APPLICATION_2 = 'f7a8b9c0-d1e2-4f3a-9b4c-5d6e7f8a9b0c';
const ROUND = 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d';
const MEMBER = '0b1c2d3e-4f5a-4b6c-9d7e-8f9a0b1c2d3e';

const decision = { number: '125/QĐ-SNV', date: '2026-09-15' };

/** Example request bodies by `METHOD path` (the path as the document spells it). */
export const REQUEST_EXAMPLES: Record<string, unknown> = {
  // Agencies and headcount (biên chế).
  'POST /v1/agencies': { code: 'SNV-LCI', name: 'Sở Nội vụ tỉnh Lào Cai', bloc: 'state', parentId: null },
  'PATCH /v1/agencies/{id}': { name: 'Sở Nội vụ tỉnh Lào Cai (sau hợp nhất)' },
  'PUT /v1/agencies/{id}/headcount/{year}': {
    categories: [
      { staffCategory: 'civil_servant', assigned: 68, filled: 61 },
      { staffCategory: 'public_employee', assigned: 24, filled: 22 },
    ],
  },
  'POST /v1/api-keys': { name: 'Phòng Tổ chức cán bộ — cổng tuyển dụng', role: 'registrar', agencyId: AGENCY },
  // Job positions (vị trí việc làm).
  'POST /v1/job-positions': {
    agencyId: DEPARTMENT,
    code: 'CV-TCBC',
    name: 'Chuyên viên về tổ chức bộ máy, biên chế',
    staffCategory: 'civil_servant',
    leadership: false,
    grade: 'chuyen_vien',
    description: 'Tham mưu công tác tổ chức bộ máy và quản lý biên chế công chức',
  },
  'PATCH /v1/job-positions/{id}': { name: 'Chuyên viên về tổ chức bộ máy, biên chế và cải cách hành chính' },
  // Drives (kỳ tuyển dụng).
  'POST /v1/drives': {
    code: 'TDCC-LCI-2026',
    name: 'Kỳ tuyển dụng công chức tỉnh Lào Cai năm 2026',
    kind: 'recruitment',
    staffCategory: 'civil_servant',
    year: 2026,
    organizingAgencyId: AGENCY,
    ruleSet: { preset: 'nd170-300' },
    planApprovedOn: '2026-08-10',
    registrationOpensOn: '2026-08-20',
  },
  'PATCH /v1/drives/{id}': { name: 'Kỳ tuyển dụng công chức các cơ quan hành chính tỉnh Lào Cai năm 2026' },
  'POST /v1/drives/{id}/transitions': { to: 'open' },
  // Quotas (chỉ tiêu).
  'POST /v1/drives/{id}/quotas': { agencyId: DEPARTMENT, jobPositionId: POSITION, slots: 3, title: 'Chuyên viên tổ chức biên chế — Phòng Tổ chức' },
  'PATCH /v1/quotas/{id}': { slots: 2 },
  // Candidates and applications.
  'POST /v1/candidates': {
    fullName: 'Nguyễn Thị Bảo Ngọc',
    nationalId: '010195012345',
    birthDate: '1995-05-17',
    gender: 'female',
    ethnicity: 'Tày',
    nationality: 'VN',
    contacts: { email: 'baongoc.nguyen@example.vn', phone: '0912 345 678', address: 'Số 12 đường Hoàng Liên, phường Cốc Lếu, tỉnh Lào Cai' },
    education: { level: 'bachelor', major: 'Quản lý nhà nước', institution: 'Học viện Hành chính Quốc gia', graduationYear: 2017 },
  },
  'PATCH /v1/candidates/{id}': { contacts: { phone: '0987 654 321' } },
  'POST /v1/candidates/search': { nationalId: '010195012345' },
  'POST /v1/drives/{id}/applications': { candidateId: CANDIDATE, quotaId: QUOTA, choice: 1 },
  'POST /v1/drives/{id}/applications/import': [
    {
      fullName: 'Trần Văn Minh',
      nationalId: '015096004321',
      birthDate: '1996-11-02',
      gender: 'male',
      ethnicity: 'Kinh',
      nationality: 'VN',
      email: 'tranvanminh@example.vn',
      phone: '0915 222 333',
      quotaId: QUOTA,
    },
    {
      fullName: 'Lò Thị Hoa',
      nationalId: '010198007654',
      birthDate: '1998-03-08',
      gender: 'female',
      ethnicity: 'Thái',
      quotaId: QUOTA,
      priorityCategory: 'ethnic_minority',
      evidenceRef: 'Giấy khai sinh số 45/2018',
    },
  ],
  'POST /v1/applications/{id}/eligibility': { eligible: true },
  'POST /v1/applications/{id}/withdraw': { reason: 'Thí sinh có đơn xin rút hồ sơ ngày 02/10/2026' },
  // Rounds, scripts, marks and scores.
  'POST /v1/drives/{id}/rounds': {
    order: 2,
    code: 'written',
    name: 'Vòng 2: thi viết môn nghiệp vụ chuyên ngành',
    kind: 'scored',
    ranking: true,
    scheduledOn: '2026-10-25',
    parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', markingMode: 'double' }],
  },
  'PATCH /v1/rounds/{id}': { scheduledOn: '2026-11-01' },
  'POST /v1/rounds/{id}/transitions': { to: 'marking' },
  'POST /v1/rounds/{id}/scripts': { quotaIds: [QUOTA] },
  'PUT /v1/rounds/{id}/marks': [
    { code: 'LC-0001', slot: '1', score: '72.50', sheetRef: 'Phiếu chấm số 01' },
    { code: 'LC-0002', slot: '1', score: '64.00', sheetRef: 'Phiếu chấm số 01' },
  ],
  'POST /v1/rounds/{id}/reconciliation': {
    decisions: [{ code: 'LC-0001', score: '71.00', reason: 'Trưởng ban chấm thi quyết định sau khi đối thoại hai giám khảo (Quy chế Điều 16)' }],
  },
  'PUT /v1/rounds/{id}/scores': [
    { applicationId: APPLICATION_1, partCode: 'written', score: '82.50' },
    { applicationId: APPLICATION_2, partCode: 'written', absent: true },
  ],
  // Appeals (phúc khảo).
  'POST /v1/applications/{id}/appeals': { roundId: ROUND, partCode: 'written', reason: 'Đề nghị phúc khảo bài thi viết: điểm thấp hơn dự kiến' },
  'POST /v1/appeals/{id}/resolution': { note: 'Hội đồng phúc khảo giữ nguyên điểm', newScore: '71.00', minuteRef: 'Biên bản phúc khảo số 03/BB-HĐTD' },
  'POST /v1/appeals/{id}/remarks': { score: '73.50' },
  'POST /v1/rounds/{id}/discipline': {
    applicationId: APPLICATION_2,
    partCode: 'written',
    kind: 'warning',
    minuteRef: 'Biên bản vi phạm số 02/BB-PT3',
    reason: 'Trao đổi bài với thí sinh khác sau khi đã bị khiển trách (Nội quy Điều 2)',
  },
  'PUT /v1/rounds/{id}/bags': [
    { code: 'LC-0001', bag: 'TUI-01' },
    { code: 'LC-0002', bag: 'TUI-01' },
  ],
  'POST /v1/candidates/{id}/identity-corrections': {
    fullName: 'Nguyễn Thị Bảo Ngọc',
    birthDate: '1995-05-27',
    reason: 'Ngày sinh nhập sai so với căn cước công dân',
    evidence: 'Bản sao căn cước công dân số 010195012345',
  },
  'POST /v1/identity-corrections/{id}/decision': { approve: true, note: 'Đã đối chiếu bản gốc căn cước công dân' },
  'POST /v1/drives/{id}/boards/members/{memberId}/removal': {
    decision: { number: '131/QĐ-SNV', date: '2026-10-05' },
    reason: 'Có người thân (em ruột) dự tuyển vào vị trí do Ban chấm thi chấm',
    voidMarks: true,
  },
  'POST /v1/drives/{id}/boards/members/{memberId}/relatives': { relationship: 'sibling', fullName: 'Phạm Thị Lan', birthDate: '1990-02-14' },
  'POST /v1/drives/{id}/boards/conflicts': {
    memberId: MEMBER,
    applicationId: APPLICATION_1,
    note: 'Thành viên Ban chấm thi là cậu ruột của thí sinh',
  },
  'POST /v1/drives/{id}/supervision-reports': {
    summary: 'Ban giám sát không phát hiện vi phạm trong quá trình tổ chức thi viết',
    findings: ['Phòng thi số 3 mở đề muộn 5 phút do sự cố máy in, đã lập biên bản'],
  },
  'PUT /v1/calendar/entries/{date}': {
    kind: 'day_off',
    name: 'Nghỉ bù dịp Quốc khánh 2/9',
    decision: { number: '6150/TB-BNV', date: '2026-07-20', issuer: 'Bộ Nội vụ' },
    note: null,
  },
  'POST /v1/audit-events/verify': {
    mode: 'checkpoint',
    checkpoint: {
      id: '9c8b7a6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d',
      createdAt: '2026-10-31T17:00:00.000Z',
      keyId: 'audit-2026',
      heads: [{ stream: 0, seq: 1842, hash: 'b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78' }],
      signature: 'MEUCIQDd3V2xq1o9a0yq8h7m0w1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c',
    },
  },
  'PUT /v1/drives/{id}/timeline/events/{event}': { date: '2026-08-20', reference: 'Thông báo tuyển dụng số 88/TB-SNV', note: null },
  'POST /v1/drives/{id}/timeline/extensions': {
    step: 'written_results',
    decisionNumber: '140/QĐ-HĐTD',
    decisionDate: '2026-11-10',
    note: 'Gia hạn do số bài thi lớn',
  },
  'POST /v1/applications/{id}/fraud-finding': { kind: 'invalid_diplomas', note: 'Bằng tốt nghiệp không có trong sổ gốc của trường' },
  'POST /v1/intakes': {
    agencyId: DEPARTMENT,
    jobPositionId: POSITION,
    categoryId: '5d6e7f8a-9b0c-4d1e-8f2a-3b4c5d6e7f8a',
    year: 2026,
    receivedOn: '2026-09-03',
    person: { fullName: 'Hoàng Văn Sơn', nationalId: '010088001122', birthDate: '1988-07-21', gender: 'male' },
    currentEmployer: 'Trung tâm Phục vụ hành chính công tỉnh Lào Cai',
    conditions: { insuredMonths: 84, relevantWork: true },
    dossier: [{ code: 'so_yeu_ly_lich', issuedOn: '2026-08-25', ref: 'Sơ yếu lý lịch có xác nhận' }],
  },
  // Results.
  'POST /v1/drives/{id}/results/compute': {},
  'POST /v1/drives/{id}/results/tie-decisions': {
    quotaId: QUOTA,
    orderedApplicationIds: [APPLICATION_1, APPLICATION_2],
    reason: 'Người đứng đầu cơ quan quyết định người trúng tuyển khi bằng điểm (Nghị định 170/2025 Điều 14)',
    decision,
  },
  'POST /v1/drives/{id}/results/approve': { decision },
  'POST /v1/drives/{id}/results/return': { reason: 'Đề nghị Hội đồng rà soát lại điểm ưu tiên của thí sinh số LC-0007' },
  'POST /v1/results/{id}/cancel': { reason: 'no_show', note: 'Không đến nhận quyết định tuyển dụng trong thời hạn' },
  // People behind each act.
  'POST /v1/drives/{id}/boards/{board}/members': {
    fullName: 'Phạm Quốc Hùng',
    title: 'Phó Giám đốc Sở Nội vụ',
    agencyName: 'Sở Nội vụ tỉnh Lào Cai',
    seat: 'head',
    decision,
  },
  'POST /v1/drives/{id}/boards/members/{memberId}/keys': { name: 'Khóa của Chủ tịch Hội đồng' },
  // Webhooks and audit.
  'POST /v1/webhooks': {
    url: 'https://tuyendung.laocai.gov.vn/hooks/ket-qua',
    eventTypes: ['results.published', 'result.cancelled'],
    agencyId: AGENCY,
  },
  'PATCH /v1/webhooks/{id}': { active: false },
};
