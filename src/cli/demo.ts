import { pathToFileURL } from 'node:url';
import { buildServices, type Services } from '../app.js';
import { loadConfig, loadEnvironmentFile } from '../config.js';
import type { Caller, Clock } from '../context.js';
import { openSpool, type Spool } from '../crypto/spool.js';
import { openDatabase, type Database } from '../db/client.js';
import { ensureAuditKey, ensureDataKey } from '../db/data-key.js';
import { runMigrations } from '../db/migrate.js';
import { systemActor } from '../modules/audit/audit.writer.js';
import type { ScoreRowInput } from '../modules/rounds/rounds.schemas.js';

/*
 * The Hanoi 2023 case, loaded through the service layer exactly as clients would build it:
 * agencies and headcount, a recruitment drive for the Party / Front / mass-organisation bloc
 * (Decree 138/2020, civil servants: 184 slots, 854 candidates, 150 winners approved and
 * published), and the leadership-title pilot (2424/BNV-CCVC): 69 titles at 43 agencies, of which
 * 65 have a winner, 2 none and 2 wait for the chair's tie decision, and a 7-title sub-pilot at
 * 3 Party units whose exam is not yet held. Deterministic: a seeded PRNG picks names and scores,
 * and a demo clock walks through 2023 so every registration falls inside its window.
 */

export const DEMO_CODES = {
  recruitment: 'HN-2023-TD-KHOI-DANG-MT',
  pilot: 'HN-2023-TTLD-THI-DIEM',
  subPilot: 'HN-2023-TTLD-THI-DIEM-BO-SUNG',
} as const;

/** A clock the loader moves forward through 2023 (services read it for windows and timestamps). */
export function demoClock(start = '2023-03-01T02:00:00Z') {
  let now = new Date(start);
  return {
    now: (() => new Date(now)) as Clock,
    set(iso: string) {
      const next = new Date(iso);
      if (next > now) now = next;
    },
  };
}
export type DemoClock = ReturnType<typeof demoClock>;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

const FAMILY = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Đinh', 'Trịnh'];
const MIDDLE_MALE = ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Thành', 'Công', 'Tuấn', 'Mạnh', 'Xuân'];
const MIDDLE_FEMALE = ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Minh', 'Phương', 'Hồng', 'Diệu', 'Khánh'];
const GIVEN_MALE = ['An', 'Bình', 'Cường', 'Dũng', 'Hải', 'Hùng', 'Khánh', 'Long', 'Nam', 'Phong', 'Quân', 'Sơn', 'Thắng', 'Trung', 'Tuấn', 'Việt', 'Hiếu', 'Đức', 'Huy', 'Tùng'];
const GIVEN_FEMALE = ['Anh', 'Chi', 'Dung', 'Giang', 'Hà', 'Hạnh', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Ngân', 'Nhung', 'Phương', 'Quỳnh', 'Thảo', 'Trang', 'Yến', 'Vân', 'Huyền'];

type Person = { fullName: string; nationalId: string; birthDate: string; gender: 'male' | 'female' };

/** People with Vietnamese names and valid CCCD numbers (Hà Nội province code 001), unique by a counter. */
function people(rng: Rng) {
  let serial = 0;
  return (birthYears: [number, number]): Person => {
    const female = rng.next() < 0.55;
    const year = rng.int(birthYears[0], birthYears[1]);
    const month = String(rng.int(1, 12)).padStart(2, '0');
    const day = String(rng.int(1, 28)).padStart(2, '0');
    const fullName = [rng.pick(FAMILY), rng.pick(female ? MIDDLE_FEMALE : MIDDLE_MALE), rng.pick(female ? GIVEN_FEMALE : GIVEN_MALE)].join(' ');
    const centurySex = (year >= 2000 ? 2 : 0) + (female ? 1 : 0);
    const nationalId = `001${centurySex}${String(year % 100).padStart(2, '0')}${String(++serial).padStart(6, '0')}`;
    return { fullName, nationalId, birthDate: `${year}-${month}-${day}`, gender: female ? 'female' : 'male' };
  };
}

type AgencySpec = { code: string; name: string; bloc: 'party' | 'state' | 'front' | 'public_service' };

const PARTY_ROOT: AgencySpec = { code: 'HN-TU', name: 'Thành ủy Hà Nội', bloc: 'party' };
const FRONT_ROOT: AgencySpec = { code: 'HN-MTTQ', name: 'Ủy ban Mặt trận Tổ quốc Việt Nam thành phố Hà Nội', bloc: 'front' };
const STATE_ROOT: AgencySpec = { code: 'HN-UBND', name: 'Ủy ban nhân dân thành phố Hà Nội', bloc: 'state' };

/** The three Party units of the sub-pilot. */
const SUB_PILOT_UNITS: AgencySpec[] = [
  { code: 'HN-TU-BTC', name: 'Ban Tổ chức Thành ủy Hà Nội', bloc: 'party' },
  { code: 'HN-TU-BTG', name: 'Ban Tuyên giáo Thành ủy Hà Nội', bloc: 'party' },
  { code: 'HN-TU-UBKT', name: 'Ủy ban Kiểm tra Thành ủy Hà Nội', bloc: 'party' },
];

const PARTY_UNITS: AgencySpec[] = [
  { code: 'HN-TU-BDV', name: 'Ban Dân vận Thành ủy Hà Nội', bloc: 'party' },
  { code: 'HN-TU-BNC', name: 'Ban Nội chính Thành ủy Hà Nội', bloc: 'party' },
  { code: 'HN-TU-VP', name: 'Văn phòng Thành ủy Hà Nội', bloc: 'party' },
  { code: 'HN-TU-DUKCQ', name: 'Đảng ủy Khối các cơ quan Thành phố', bloc: 'party' },
  { code: 'HN-TU-DUKDN', name: 'Đảng ủy Khối doanh nghiệp Thành phố', bloc: 'party' },
  ...['Ba Đình', 'Hoàn Kiếm', 'Đống Đa', 'Hai Bà Trưng', 'Cầu Giấy', 'Thanh Xuân', 'Hoàng Mai', 'Long Biên', 'Tây Hồ', 'Nam Từ Liêm'].map(
    (d, i): AgencySpec => ({ code: `HN-QU-${String(i + 1).padStart(2, '0')}`, name: `Quận ủy ${d}`, bloc: 'party' }),
  ),
];

const FRONT_UNITS: AgencySpec[] = [
  { code: 'HN-TD', name: 'Thành đoàn Hà Nội', bloc: 'front' },
  { code: 'HN-HLHPN', name: 'Hội Liên hiệp Phụ nữ thành phố Hà Nội', bloc: 'front' },
  { code: 'HN-HND', name: 'Hội Nông dân thành phố Hà Nội', bloc: 'front' },
  { code: 'HN-LDLD', name: 'Liên đoàn Lao động thành phố Hà Nội', bloc: 'front' },
];

const DEPARTMENTS = [
  'Sở Nội vụ', 'Sở Tài chính', 'Sở Kế hoạch và Đầu tư', 'Sở Xây dựng', 'Sở Giao thông vận tải', 'Sở Tài nguyên và Môi trường',
  'Sở Nông nghiệp và Phát triển nông thôn', 'Sở Công Thương', 'Sở Giáo dục và Đào tạo', 'Sở Y tế', 'Sở Lao động – Thương binh và Xã hội',
  'Sở Văn hóa và Thể thao', 'Sở Du lịch', 'Sở Khoa học và Công nghệ', 'Sở Thông tin và Truyền thông', 'Sở Tư pháp',
  'Sở Quy hoạch – Kiến trúc', 'Thanh tra Thành phố', 'Văn phòng Ủy ban nhân dân Thành phố', 'Ban Dân tộc Thành phố',
];
const DISTRICTS = [
  'quận Ba Đình', 'quận Hoàn Kiếm', 'quận Tây Hồ', 'quận Long Biên', 'quận Cầu Giấy', 'quận Đống Đa', 'quận Hai Bà Trưng', 'quận Hoàng Mai',
  'quận Thanh Xuân', 'quận Nam Từ Liêm', 'quận Bắc Từ Liêm', 'quận Hà Đông', 'thị xã Sơn Tây', 'huyện Ba Vì', 'huyện Phúc Thọ',
  'huyện Đan Phượng', 'huyện Hoài Đức', 'huyện Quốc Oai', 'huyện Thạch Thất', 'huyện Chương Mỹ', 'huyện Thanh Oai', 'huyện Thường Tín',
  'huyện Phú Xuyên',
];
/** The 43 agencies of the main pilot: 20 city departments and 23 district-level people's committees. */
const PILOT_AGENCIES: AgencySpec[] = [
  ...DEPARTMENTS.map((n, i): AgencySpec => ({ code: `HN-SO-${String(i + 1).padStart(2, '0')}`, name: `${n} Hà Nội`, bloc: 'state' })),
  ...DISTRICTS.map((n, i): AgencySpec => ({ code: `HN-QH-${String(i + 1).padStart(2, '0')}`, name: `Ủy ban nhân dân ${n}`, bloc: 'state' })),
];

const DEPARTMENT_TITLES = ['Trưởng phòng Tổ chức cán bộ', 'Trưởng phòng Kế hoạch – Tài chính', 'Chánh Văn phòng', 'Trưởng phòng Pháp chế'];
const DISTRICT_TITLES = ['Trưởng phòng Nội vụ', 'Trưởng phòng Tài chính – Kế hoạch', 'Trưởng phòng Quản lý đô thị', 'Trưởng phòng Văn hóa và Thông tin'];
const SUB_PILOT_TITLES = ['Trưởng phòng Tổ chức cơ sở đảng', 'Trưởng phòng Cán bộ', 'Trưởng phòng Tổng hợp'];
const RECRUITMENT_POSITIONS = [
  ['CV-TH', 'Chuyên viên tổng hợp'],
  ['CV-TCCB', 'Chuyên viên tổ chức cán bộ'],
  ['CV-TG', 'Chuyên viên tuyên giáo'],
  ['CV-DV', 'Chuyên viên dân vận'],
  ['CV-KT', 'Chuyên viên kiểm tra đảng'],
  ['KTV', 'Kế toán viên'],
  ['CV-CNTT', 'Chuyên viên công nghệ thông tin'],
  ['CV-PC', 'Chuyên viên pháp chế'],
] as const;

/**
 * The recruitment plan: 40 quotas (2 at each of 20 Party and Front units). 30 quotas (130 slots)
 * have enough candidates passing both rounds; 10 quotas (54 slots) have only 2 who pass, so 34
 * slots stay unfilled. 854 candidates in all: 4.64 per slot; 150 winners of 184 slots: 81.5 %.
 */
function recruitmentPlan(): { slots: number; candidates: number; passers: number }[] {
  const filled = [
    ...Array.from({ length: 10 }, () => ({ slots: 6, candidates: 33 })),
    ...Array.from({ length: 10 }, () => ({ slots: 4, candidates: 25 })),
    ...Array.from({ length: 10 }, () => ({ slots: 3, candidates: 19 })),
  ].map((q, i) => ({ ...q, candidates: q.candidates + (i < 4 ? 1 : 0), passers: q.slots + 2 + (i % 3) }));
  const short = [6, 6, 6, 6, 5, 5, 5, 5, 5, 5].map((slots) => ({ slots, candidates: 8, passers: 2 }));
  // Interleave so both kinds of quota appear at Party and at Front units.
  return Array.from({ length: 40 }, (_, i) => (i % 4 === 3 ? short[(i - 3) / 4]! : filled[i - Math.floor((i + 1) / 4)]!));
}

export type DemoFigures = {
  recruitment: { driveId: string; candidates: number; slots: number; winners: number; unfilled: number };
  pilot: { driveId: string; titles: number; agencies: number };
  subPilot: { driveId: string; titles: number; agencies: number };
};

export type DemoResult = { loaded: boolean; message: string; driveIds: { recruitment: string; pilot: string; subPilot: string } };

const system: Caller = { actor: systemActor('demo: Hà Nội 2023'), role: 'admin', scopePath: null, scopeAgencyId: null };

/** Distinct scores in hundredths within [min, max] (no two candidates of a quota tie). */
function distinctScores(rng: Rng, n: number, min: number, max: number): number[] {
  const seen = new Set<number>();
  while (seen.size < n) seen.add(rng.int(min, max));
  return [...seen];
}
const dec = (h: number) => `${Math.floor(h / 100)}.${String(h % 100).padStart(2, '0')}`;

/**
 * Loads the Hanoi 2023 case. Idempotent: when the three demo drives exist it changes nothing and
 * says so; when only some of the demo's data exists (an interrupted run) it refuses.
 */
export async function loadDemo(services: Services, clock: DemoClock, opts: { seed?: number; log?: (line: string) => void } = {}): Promise<DemoResult> {
  const log = opts.log ?? (() => undefined);
  const rng = prng(opts.seed ?? 2023);
  const person = people(rng);

  const existing = await findDemoDrives(services);
  if (existing.recruitment && existing.pilot && existing.subPilot) {
    return {
      loaded: false,
      message: 'The Hà Nội 2023 demo is already loaded (drives found by code); nothing was changed.',
      driveIds: { recruitment: existing.recruitment, pilot: existing.pilot, subPilot: existing.subPilot },
    };
  }
  if (existing.recruitment || existing.pilot || existing.subPilot || (await agencyExists(services, PARTY_ROOT.code))) {
    throw new Error('Part of the Hà Nội 2023 demo exists already (an interrupted run?): load it into a fresh database.');
  }

  // --- agencies and headcount (2023) -------------------------------------------------------------
  log('Agencies and headcount…');
  const ids = new Map<string, string>();
  const addAgency = async (a: AgencySpec, parent: string | null) => {
    const created = await services.agencies.create(system, { code: a.code, name: a.name, bloc: a.bloc, parentId: parent });
    ids.set(a.code, created.id);
    await services.agencies.putHeadcount(system, created.id, 2023, { categories: [{ staffCategory: 'civil_servant', assigned: 160, filled: 128 }] });
    return created.id;
  };
  const partyRoot = await addAgency(PARTY_ROOT, null);
  const frontRoot = await addAgency(FRONT_ROOT, null);
  const stateRoot = await addAgency(STATE_ROOT, null);
  for (const a of [...SUB_PILOT_UNITS, ...PARTY_UNITS]) await addAgency(a, partyRoot);
  for (const a of FRONT_UNITS) await addAgency(a, frontRoot);
  for (const a of PILOT_AGENCIES) await addAgency(a, stateRoot);
  const id = (code: string) => ids.get(code)!;

  const recruitmentId = await loadRecruitment(services, clock, rng, person, id(SUB_PILOT_UNITS[0]!.code), [...PARTY_UNITS, FRONT_ROOT, ...FRONT_UNITS].map((a) => id(a.code)), log);
  const pilotId = await loadPilot(services, clock, rng, person, id('HN-SO-01'), PILOT_AGENCIES.map((a) => ({ id: id(a.code), district: a.code.startsWith('HN-QH') })), log);
  const subPilotId = await loadSubPilot(services, clock, person, id(SUB_PILOT_UNITS[0]!.code), SUB_PILOT_UNITS.map((a) => id(a.code)), log);
  return { loaded: true, message: 'Loaded the Hà Nội 2023 demo.', driveIds: { recruitment: recruitmentId, pilot: pilotId, subPilot: subPilotId } };
}

async function findDemoDrives(services: Services) {
  const found: Partial<Record<keyof typeof DEMO_CODES, string>> = {};
  const drives = await services.drives.list(system, { limit: 500, year: 2023 }, undefined);
  for (const [key, code] of Object.entries(DEMO_CODES) as [keyof typeof DEMO_CODES, string][]) {
    const d = drives.find((x) => x.code === code);
    if (d) found[key] = d.id;
  }
  return found;
}

async function agencyExists(services: Services, code: string): Promise<boolean> {
  const rows = await services.agencies.list(system, { limit: 500, root: 'true' }, undefined);
  return rows.some((a) => a.code === code);
}

async function transition(services: Services, clock: DemoClock, driveId: string, to: 'open' | 'closed' | 'examining' | 'marking', at: string) {
  clock.set(at);
  await services.drives.transition(system, driveId, undefined, { to });
}

/** Registers people through the bulk import (as an HR portal would) and returns application ids in order. */
async function importPeople(services: Services, driveId: string, rows: { p: Person; quotaId: string }[]): Promise<string[]> {
  const report = await services.applicationsImporter.run(
    system,
    driveId,
    rows.map(({ p, quotaId }) => ({
      fullName: p.fullName,
      nationalId: p.nationalId,
      birthDate: p.birthDate,
      gender: p.gender,
      ethnicity: 'Kinh',
      nationality: 'VN',
      quotaId,
      choice: 1,
    })),
    { atomic: true },
  );
  // The per-row report is spooled to a file (comma-separated JSON rows): read it back, then remove it.
  let text = '';
  for await (const chunk of report.results.chunks()) text += chunk;
  await report.results.discard();
  if (report.summary.created !== rows.length) throw new Error(`demo import: ${JSON.stringify(report.summary)}`);
  return (JSON.parse(`[${text}]`) as { applicationId?: string }[]).map((r) => r.applicationId!);
}

async function scoredRound(
  services: Services,
  driveId: string,
  round: Parameters<Services['rounds']['create']>[2],
  scores: ScoreRowInput[],
) {
  const r = await services.rounds.create(system, driveId, round);
  await services.rounds.transition(system, r.id, undefined, 'marking');
  for (let i = 0; i < scores.length; i += 5000) await services.marking.putScores(system, r.id, scores.slice(i, i + 5000), true);
  await services.rounds.transition(system, r.id, undefined, 'locked');
  await services.rounds.reveal(system, r.id);
  return r.id;
}

async function loadRecruitment(
  services: Services,
  clock: DemoClock,
  rng: Rng,
  person: ReturnType<typeof people>,
  organizer: string,
  quotaAgencies: string[],
  log: (l: string) => void,
): Promise<string> {
  log('Recruitment drive for the Party / Front / mass-organisation bloc…');
  clock.set('2023-03-01T02:00:00Z');
  const drive = await services.drives.create(system, {
    code: DEMO_CODES.recruitment,
    name: 'Kỳ tuyển dụng công chức khối Đảng, Mặt trận Tổ quốc và các đoàn thể chính trị – xã hội thành phố Hà Nội năm 2023',
    kind: 'recruitment',
    staffCategory: 'civil_servant',
    year: 2023,
    organizingAgencyId: organizer,
    // A 2023 drive held under Decree 138/2020 (repealed from 2025-07-01 by Decree 170/2025 Art. 71):
    // recomputed as history. Its plan date is not in the source figures, so the opening date stands in.
    ruleSet: {
      preset: 'nd138',
      overrides: {},
      use: 'historical',
      reason: 'Demo: recomputing the Hà Nội 2023 civil-servant drive held under Decree 138/2020',
    },
    registrationOpensOn: '2023-03-06',
    registrationClosesOn: '2023-04-05',
    candidateNumberPrefix: 'HN23',
  } as never);
  const plan = recruitmentPlan();
  const quotaIds: string[] = [];
  for (const [i, q] of plan.entries()) {
    const agencyId = quotaAgencies[Math.floor(i / 2)]!;
    const [code, name] = RECRUITMENT_POSITIONS[(i * 3 + Math.floor(i / 2)) % RECRUITMENT_POSITIONS.length]!;
    const position = await services.jobPositions.create(system, { agencyId, code: `${code}-${(i % 2) + 1}`, name, staffCategory: 'civil_servant', leadership: false } as never);
    quotaIds.push((await services.quotas.create(system, drive.id, { agencyId, jobPositionId: position.id, slots: q.slots } as never)).id);
  }
  await transition(services, clock, drive.id, 'open', '2023-03-06T01:00:00Z');

  clock.set('2023-03-20T03:00:00Z');
  const rows = plan.flatMap((q, i) => Array.from({ length: q.candidates }, () => ({ p: person([1988, 2001]), quotaId: quotaIds[i]! })));
  const appIds = await importPeople(services, drive.id, rows);
  clock.set('2023-04-10T03:00:00Z');
  await transition(services, clock, drive.id, 'closed', '2023-04-06T01:00:00Z');
  // The council checks every dossier: all 854 are eligible.
  for (const appId of appIds) await services.applications.decideEligibility(system, appId, undefined, { eligible: true, reasons: [] });
  await transition(services, clock, drive.id, 'examining', '2023-05-20T01:00:00Z');
  await transition(services, clock, drive.id, 'marking', '2023-05-21T10:00:00Z');

  // Scores: per quota, `passers` pass round 1 and reach ≥ 50 in round 2 (distinct scores, so no
  // tie at the last slot); the others fail round 1, are absent, or stay below 50 in round 2.
  const r1: ScoreRowInput[] = [];
  const r2: ScoreRowInput[] = [];
  let k = 0;
  for (const q of plan) {
    const apps = appIds.slice(k, k + q.candidates);
    k += q.candidates;
    const passing = distinctScores(rng, q.passers, 5000, 9400);
    apps.forEach((appId, j) => {
      if (j < q.passers) {
        r1.push({ applicationId: appId, partCode: 'general_knowledge', correct: rng.int(32, 58) }, { applicationId: appId, partCode: 'foreign_language', correct: rng.int(16, 29) });
        r2.push({ applicationId: appId, partCode: 'professional', score: dec(passing[j]!) });
      } else if (j % 5 === 0) {
        r1.push({ applicationId: appId, partCode: 'general_knowledge', absent: true }, { applicationId: appId, partCode: 'foreign_language', absent: true });
        r2.push({ applicationId: appId, partCode: 'professional', absent: true });
      } else if (j % 2 === 0) {
        r1.push({ applicationId: appId, partCode: 'general_knowledge', correct: rng.int(18, 45) }, { applicationId: appId, partCode: 'foreign_language', correct: rng.int(5, 14) });
        r2.push({ applicationId: appId, partCode: 'professional', absent: true });
      } else {
        r1.push({ applicationId: appId, partCode: 'general_knowledge', correct: rng.int(30, 50) }, { applicationId: appId, partCode: 'foreign_language', correct: rng.int(15, 25) });
        r2.push({ applicationId: appId, partCode: 'professional', score: dec(rng.int(1500, 4950)) });
      }
    });
  }
  await scoredRound(services, drive.id, round1(), r1);
  clock.set('2023-06-10T02:00:00Z');
  await scoredRound(services, drive.id, professionalRound(), r2);

  clock.set('2023-06-15T02:00:00Z');
  await services.results.compute(system, drive.id, undefined, { dryRun: false });
  clock.set('2023-06-20T02:00:00Z');
  await services.results.submit(system, drive.id, undefined);
  clock.set('2023-06-26T02:00:00Z');
  await services.results.approve(system, drive.id, undefined);
  clock.set('2023-06-30T02:00:00Z');
  await services.results.publish(system, drive.id, undefined);
  return drive.id;
}

const round1 = () => ({
  order: 1,
  code: 'round1',
  name: 'Vòng 1 — thi trắc nghiệm trên máy tính',
  kind: 'gate' as const,
  ranking: false,
  exemptionCodes: [],
  parts: [
    { code: 'general_knowledge', name: 'Kiến thức chung', maxScore: '60', weight: 0, markingMode: 'single' as const, written: false },
    { code: 'foreign_language', name: 'Ngoại ngữ', maxScore: '30', weight: 0, markingMode: 'single' as const, written: false },
  ],
});
const professionalRound = () => ({
  order: 2,
  code: 'round2',
  name: 'Vòng 2 — thi môn nghiệp vụ chuyên ngành',
  kind: 'scored' as const,
  ranking: true,
  exemptionCodes: [],
  parts: [{ code: 'professional', name: 'Nghiệp vụ chuyên ngành', maxScore: '100', weight: 1, markingMode: 'single' as const, written: false }],
});
const writtenRound = () => ({
  order: 1,
  code: 'written',
  name: 'Phần 1 — thi viết',
  kind: 'scored' as const,
  ranking: true,
  exemptionCodes: [],
  parts: [{ code: 'written', name: 'Thi viết', maxScore: '100', weight: 1, markingMode: 'single' as const, written: true }],
});
const actionPlanRound = () => ({
  order: 2,
  code: 'action_plan',
  name: 'Phần 2 — trình bày đề án',
  kind: 'scored' as const,
  ranking: false,
  exemptionCodes: [],
  parts: [{ code: 'action_plan', name: 'Đề án', maxScore: '100', weight: 1, markingMode: 'panel' as const, panelSize: 5, written: false }],
});

async function leadershipDrive(
  services: Services,
  clock: DemoClock,
  input: { code: string; name: string; organizer: string; opensOn: string; closesOn: string; at: string },
  titles: { agencyId: string; code: string; name: string }[],
) {
  clock.set(input.at);
  const drive = await services.drives.create(system, {
    code: input.code,
    name: input.name,
    kind: 'leadership',
    staffCategory: 'civil_servant',
    year: 2023,
    organizingAgencyId: input.organizer,
    ruleSet: { preset: 'leadership', overrides: {} },
    registrationOpensOn: input.opensOn,
    registrationClosesOn: input.closesOn,
  } as never);
  const quotaIds: string[] = [];
  for (const t of titles) {
    const position = await services.jobPositions.create(system, { agencyId: t.agencyId, code: t.code, name: t.name, staffCategory: 'civil_servant', leadership: true } as never);
    quotaIds.push((await services.quotas.create(system, drive.id, { agencyId: t.agencyId, jobPositionId: position.id, title: t.name } as never)).id);
  }
  return { driveId: drive.id, quotaIds };
}

async function loadPilot(
  services: Services,
  clock: DemoClock,
  rng: Rng,
  person: ReturnType<typeof people>,
  organizer: string,
  agencies: { id: string; district: boolean }[],
  log: (l: string) => void,
): Promise<string> {
  log('Leadership-title pilot: 69 titles at 43 agencies…');
  // 26 agencies with two titles and 17 with one: 69 titles.
  const titles = agencies.flatMap((a, i) => {
    const names = a.district ? DISTRICT_TITLES : DEPARTMENT_TITLES;
    const n = i < 26 ? 2 : 1;
    return Array.from({ length: n }, (_, j) => ({ agencyId: a.id, code: `TP-${j + 1 + (i % 2) * 2}`, name: names[(j + (i % 2) * 2) % names.length]! }));
  });
  const { driveId, quotaIds } = await leadershipDrive(
    services,
    clock,
    {
      code: DEMO_CODES.pilot,
      name: 'Thi tuyển chức danh trưởng phòng và tương đương thành phố Hà Nội năm 2023 (thí điểm)',
      organizer,
      opensOn: '2023-07-03',
      closesOn: '2023-08-01',
      at: '2023-07-01T02:00:00Z',
    },
    titles,
  );
  await transition(services, clock, driveId, 'open', '2023-07-03T01:00:00Z');
  // Each title: 2 or 3 candidates from the succession plan (at least 2 to be held, 2424/BNV-CCVC).
  const counts = quotaIds.map((_, i) => (i % 3 === 0 ? 3 : 2));
  clock.set('2023-07-15T03:00:00Z');
  const appIds = await importPeople(services, driveId, quotaIds.flatMap((quotaId, i) => Array.from({ length: counts[i]! }, () => ({ p: person([1975, 1988]), quotaId }))));
  await transition(services, clock, driveId, 'closed', '2023-08-02T01:00:00Z');
  await transition(services, clock, driveId, 'examining', '2023-09-09T01:00:00Z');
  await transition(services, clock, driveId, 'marking', '2023-09-10T10:00:00Z');

  // Outcomes: titles 0–64 a winner, 65–66 nobody passes the written gate, 67–68 a tie for the chair.
  const written: ScoreRowInput[] = [];
  const plan: ScoreRowInput[] = [];
  let k = 0;
  quotaIds.forEach((_, i) => {
    const apps = appIds.slice(k, k + counts[i]!);
    k += counts[i]!;
    if (i < 65) {
      const w = distinctScores(rng, apps.length, 5200, 9200).sort((a, b) => b - a);
      apps.forEach((appId, j) => {
        written.push({ applicationId: appId, partCode: 'written', score: dec(w[j]!) });
        // The best written also presents the best plan: a single highest combined score.
        plan.push({ applicationId: appId, partCode: 'action_plan', score: dec(j === 0 ? rng.int(8000, 9200) : rng.int(5500, 7900)) });
      });
    } else if (i < 67) {
      apps.forEach((appId) => {
        written.push({ applicationId: appId, partCode: 'written', score: dec(rng.int(2500, 4900)) });
        plan.push({ applicationId: appId, partCode: 'action_plan', absent: true });
      });
    } else {
      apps.forEach((appId, j) => {
        written.push({ applicationId: appId, partCode: 'written', score: j < 2 ? '74.00' : '61.50' });
        plan.push({ applicationId: appId, partCode: 'action_plan', score: j < 2 ? '82.00' : '70.00' });
      });
    }
  });
  await scoredRound(services, driveId, writtenRound(), written);
  clock.set('2023-10-05T02:00:00Z');
  await scoredRound(services, driveId, actionPlanRound(), plan);
  clock.set('2023-10-10T02:00:00Z');
  await services.results.compute(system, driveId, undefined, { dryRun: false });
  return driveId;
}

async function loadSubPilot(
  services: Services,
  clock: DemoClock,
  person: ReturnType<typeof people>,
  organizer: string,
  units: string[],
  log: (l: string) => void,
): Promise<string> {
  log('Sub-pilot: 7 titles at 3 Party units (exam not yet held)…');
  const titles = units.flatMap((agencyId, i) =>
    Array.from({ length: i === 0 ? 3 : 2 }, (_, j) => ({ agencyId, code: `TP-${j + 1}`, name: SUB_PILOT_TITLES[j]! })),
  );
  const { driveId, quotaIds } = await leadershipDrive(
    services,
    clock,
    {
      code: DEMO_CODES.subPilot,
      name: 'Thi tuyển chức danh trưởng phòng các ban Đảng Thành ủy Hà Nội năm 2023 (thí điểm bổ sung)',
      organizer,
      opensOn: '2023-11-01',
      closesOn: '2023-11-30',
      at: '2023-10-25T02:00:00Z',
    },
    titles,
  );
  await transition(services, clock, driveId, 'open', '2023-11-01T01:00:00Z');
  clock.set('2023-11-10T03:00:00Z');
  await importPeople(services, driveId, quotaIds.flatMap((quotaId) => [0, 1].map(() => ({ p: person([1978, 1988]), quotaId }))));
  await transition(services, clock, driveId, 'closed', '2023-12-01T01:00:00Z');
  return driveId;
}

/** The figures to print: read back through the report service, as a client would see them. */
export async function demoReport(services: Services, driveIds: DemoResult['driveIds']) {
  const drive = await services.reports.driveReport(system, driveIds.recruitment);
  const leadership = await services.reports.leadershipReport(system, { year: 2023 });
  return { drive, leadership };
}

const DEMO_KEY_NAME = 'demo admin';

async function main() {
  loadEnvironmentFile();
  const loaded = loadConfig();
  const database: Database = await openDatabase({ databaseUrl: loaded.databaseUrl, pgliteDir: loaded.pgliteDir, poolMax: 4 });
  let spool: Spool | undefined;
  try {
    const config = await ensureAuditKey(await ensureDataKey(loaded));
    await runMigrations(database, config.migrationDatabaseUrl ?? config.databaseUrl);
    const clock = demoClock();
    spool = await openSpool(config.spoolDir);
    const services = buildServices({
      database,
      clock: clock.now,
      dataKey: config.dataKey,
      auditKey: config.auditKey,
      auditKeysRetired: config.auditKeysRetired,
      spool,
    });
    const out = (l: string) => process.stdout.write(`${l}\n`);
    const result = await loadDemo(services, clock, { log: out });
    out(result.message);
    const { drive, leadership } = await demoReport(services, result.driveIds);
    const t = drive.totals;
    const pct = (r: { count: number; of: number; percent: number | null }) => `${r.count} of ${r.of} = ${r.percent?.toFixed(1)} %`;
    out('');
    out(`Recruitment ${DEMO_CODES.recruitment} (${drive.drive.status}):`);
    out(`  candidates ${t.candidates}, slots ${t.slots}, winners ${t.winners}, unfilled ${t.unfilledSlots}`);
    out(`  candidates per slot ${t.candidatesPerSlot.ratio?.toFixed(2)}, filled ${pct(t.fillRate)}`);
    out('Leadership titles 2023:');
    out(`  approved ${leadership.titlesApproved} at ${leadership.agencies} agencies`);
    out(`  examined ${pct(leadership.examined)}; with a winner ${pct(leadership.withWinner)}; without ${pct(leadership.withoutWinner)}`);
    out(`  not held ${pct(leadership.notHeld)}; pending ${pct(leadership.pending)}`);
    // One demo admin key per database: a second run says which key to use instead of minting another.
    const existing = (await services.apiKeys.list(500, undefined)).find((k) => k.name === DEMO_KEY_NAME && !k.revokedAt);
    const key = existing ? null : await services.apiKeys.createAs(systemActor('demo'), { name: DEMO_KEY_NAME, role: 'admin' });
    const shown = key?.key ?? '<the demo admin key>';
    const base = config.publicBaseUrl ?? `http://localhost:${config.port}`;
    out('');
    if (key) out(`Admin API key (shown once): ${key.key}`);
    else out(`The admin key the first demo run printed (key ${existing!.prefix}…, named "${DEMO_KEY_NAME}") still works; no new key was made.`);
    out('Start the server (npm start), then:');
    out(`  curl -s -H "Authorization: Bearer ${shown}" ${base}/v1/reports/drives/${result.driveIds.recruitment}`);
    out(`  curl -s -H "Authorization: Bearer ${shown}" "${base}/v1/reports/leadership?year=2023"`);
    out(`  curl -s -H "Authorization: Bearer ${shown}" -H "Accept: text/csv" -o ket-qua.csv ${base}/v1/drives/${result.driveIds.recruitment}/results/export`);
  } finally {
    await spool?.close();
    await database.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  });
}

