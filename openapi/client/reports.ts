/*
 * A typed client generated from openapi/openapi.json (openapi-typescript types + openapi-fetch).
 * It fetches the figures the Hà Nội 2023 demo loads and checks them against the office's report:
 *
 *   npm run demo && npm start        # in one shell
 *   TD_URL=http://127.0.0.1:3000 TD_KEY=<admin key> npx tsx openapi/client/reports.ts
 *
 * Type-checked in CI against the committed document, and run against a server with the demo data.
 */
import createClient from 'openapi-fetch';
import type { paths } from './schema.js';

const baseUrl = process.env.TD_URL ?? 'http://127.0.0.1:3000';
const key = process.env.TD_KEY;
if (!key) throw new Error('TD_KEY (an API key) is required');

const client = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${key}` } });

type Rate = { count: number; of: number; percent: number | null };
const show = (name: string, r: Rate) => `${name} ${r.count} of ${r.of} = ${r.percent?.toFixed(1) ?? '—'} %`;

const failures: string[] = [];
function check(what: string, actual: unknown, expected: unknown) {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) failures.push(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}

const drives = await client.GET('/v1/drives', { params: { query: { year: 2023, kind: 'recruitment', limit: 50 } } });
if (drives.error) throw new Error(`listing drives: ${drives.error.code} ${drives.error.detail ?? ''}`);
const recruitment = drives.data.items.find((d) => d.code === 'HN-2023-TD-KHOI-DANG-MT');
if (!recruitment) throw new Error('the demo recruitment drive is missing: run npm run demo first');

/** Report routes also serve CSV and XLSX; asked for JSON, the body is the JSON object. */
function json<T>(data: T): Exclude<T, string | Blob | undefined> {
  if (data === undefined || typeof data === 'string' || data instanceof Blob) throw new Error('expected a JSON report');
  return data as Exclude<T, string | Blob | undefined>;
}

const drive = await client.GET('/v1/reports/drives/{id}', { params: { path: { id: recruitment.id } }, headers: { accept: 'application/json' } });
if (drive.error) throw new Error(`drive report: ${drive.error.code}`);
const totals = json(drive.data).totals;
console.log(`${recruitment.name}`);
console.log(`  candidates ${totals.candidates}, slots ${totals.slots}, winners ${totals.winners}, unfilled ${totals.unfilledSlots}`);
console.log(`  ${show('filled', totals.fillRate)}`);
check('candidates', totals.candidates, 854);
check('slots', totals.slots, 184);
check('winners', totals.winners, 150);
check('unfilled slots', totals.unfilledSlots, 34);
check('fill rate', totals.fillRate.percent, 81.5);

const leadership = await client.GET('/v1/reports/leadership', { params: { query: { year: 2023 } }, headers: { accept: 'application/json' } });
if (leadership.error) throw new Error(`leadership report: ${leadership.error.code}`);
const l = json(leadership.data);
console.log(`Leadership titles ${l.year}: approved ${l.titlesApproved} at ${l.agencies} agencies`);
console.log(`  ${show('examined', l.examined)}; ${show('with a winner', l.withWinner)}; ${show('without', l.withoutWinner)}`);
check('titles approved', l.titlesApproved, 76);
check('agencies', l.agencies, 46);
check('examined', [l.examined.count, l.examined.of, l.examined.percent], [67, 76, 88.2]);
check('with a winner', [l.withWinner.count, l.withWinner.of, l.withWinner.percent], [65, 67, 97]);
check('without a winner', [l.withoutWinner.count, l.withoutWinner.of, l.withoutWinner.percent], [2, 67, 3]);

if (failures.length > 0) {
  console.error(failures.join('\n'));
  process.exit(1);
}
console.log('The reports match the office’s 2023 figures.');
