import { describe, expect, it } from 'vitest';
import { localizedDetail, negotiateLanguage, problemTitle, templatedCodes, validationMessage } from '../../src/http/i18n.js';
import { exportStyle, label, labelList, officeDate, officeTime } from '../../src/modules/exports/labels.js';
import { outcomes } from '../../src/modules/results/results.table.js';
import { applicationStatuses } from '../../src/modules/applications/applications.table.js';
import { genders } from '../../src/modules/candidates/candidates.table.js';
import { DOMAIN_ERROR_CODES } from '../../src/domain/errors.js';

describe('Accept-Language negotiation (RFC 9110 §12.5.4)', () => {
  it.each([
    [undefined, null],
    ['', null],
    ['vi', 'vi'],
    ['vi-VN,vi;q=0.9,en;q=0.8', 'vi'],
    ['en-US,en;q=0.9,vi;q=0.8', 'en'],
    ['en;q=0.2, vi;q=0.5', 'vi'],
    ['fr, de', null],
    ['fr, vi;q=0.1', 'vi'],
    ['vi;q=0', null],
    ['*', 'en'],
    ['vi;q=abc, en;q=0.1', 'en'],
  ])('%s → %s', (header, lang) => {
    expect(negotiateLanguage(header)).toBe(lang);
  });
});

describe('catalogue', () => {
  it('when a code has no Vietnamese template, then the detail is a Vietnamese sentence for its status naming the code', () => {
    expect(templatedCodes()).not.toContain('webhook.inactive');
    expect(localizedDetail('vi', 409, 'webhook.inactive')).toBe('Yêu cầu xung đột với trạng thái hiện tại của tài nguyên (mã lỗi webhook.inactive)');
    expect(localizedDetail('vi', 418, 'teapot.x')).toBe('Không thể thực hiện yêu cầu (mã lỗi teapot.x)');
  });

  it('when a not_found code has no template, then the detail names the resource in Vietnamese', () => {
    expect(localizedDetail('vi', 404, 'quota.not_found', { what: 'quota', id: 'q-1' })).toBe('Không tìm thấy chỉ tiêu có mã q-1');
    expect(localizedDetail('vi', 404, 'appeal.not_found')).toBe('Không tìm thấy đơn phúc khảo');
  });

  it('every domain error code has a Vietnamese template', () => {
    for (const code of DOMAIN_ERROR_CODES) expect(templatedCodes()).toContain(code);
  });

  it('titles exist in both languages, with a fallback for statuses without one', () => {
    expect(problemTitle('en', 422)).toBe('Unprocessable Content');
    expect(problemTitle('vi', 422)).toBe('Không thể xử lý nội dung');
    expect(problemTitle('vi', 418)).toBe('Lỗi');
  });

  it('validation: English keeps zod’s message; Vietnamese renders the issue with zod’s vi locale', () => {
    const issue = { code: 'too_small', origin: 'string', minimum: 3, inclusive: true, input: 'ab' };
    expect(validationMessage('en', issue, 'Too small: expected string to have >=3 characters')).toBe('Too small: expected string to have >=3 characters');
    expect(validationMessage('vi', issue, 'Too small: expected string to have >=3 characters')).toBe('Quá nhỏ: mong đợi string có >=3 ký tự');
  });
});

describe('export labels', () => {
  it('every outcome, status and sex has a Vietnamese label', () => {
    for (const o of outcomes) expect(label('outcome', o)).not.toBe(o);
    for (const s of applicationStatuses) expect(label('status', s)).not.toBe(s);
    for (const g of genders) expect(label('gender', g)).not.toBe(g);
    expect(label('outcome', 'winner')).toBe('Trúng tuyển');
    expect(labelList('exemption', 'input_quality_verified; foreign_language_exempt')).toBe('Đã có kết quả kiểm định chất lượng đầu vào; Miễn thi ngoại ngữ');
    expect(label('priority', 'unknown_code')).toBe('unknown_code');
  });

  it('dates are dd/mm/yyyy and instants Asia/Ho_Chi_Minh (UTC+7, across midnight)', () => {
    expect(officeDate('1999-03-07')).toBe('07/03/1999');
    expect(officeTime('2026-12-31T18:30:05Z')).toBe('01/01/2027 01:30:05');
    expect(officeTime(null)).toBeNull();
  });

  it('the style: ?format wins, else English in Accept-Language means iso, else office', () => {
    expect(exportStyle(undefined, undefined)).toBe('office');
    expect(exportStyle(undefined, 'vi')).toBe('office');
    expect(exportStyle(undefined, 'fr')).toBe('office');
    expect(exportStyle(undefined, 'en-GB')).toBe('iso');
    expect(exportStyle('office', 'en')).toBe('office');
    expect(exportStyle('iso', 'vi')).toBe('iso');
  });
});
