import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/*
 * The catalogue of problem codes (issue 19, item 1): every stable `code` the source raises, with the
 * statuses it comes with and the first message written for it, extracted from src/ into
 * src/http/problem-codes.generated.ts. `--check` fails when the committed catalogue differs (CI and
 * test/contract/problem-codes.test.ts), so a new code cannot ship undocumented.
 *
 * Recognised: new AppError(status, 'code', message), new DomainError('code', message),
 * conflict('code', …) (409), unprocessable('code', …) (422), sendProblem(reply, status, 'code', …),
 * notFound('what') (404 what.not_found), forbidden() (403 auth.forbidden), preconditionFailed()
 * (412 precondition.failed), and `{ code: '…', message: … }` objects (per-row errors of bulk reports:
 * no status of their own). A code built at run time from a variable is not seen here.
 */

const SELF = path.join('src', 'cli', 'problem-codes.ts');

/** For a code whose message is built at run time: what its status means. */
const STATUS_TEXT: Record<number, string> = {
  400: 'Malformed or invalid input (see errors[])',
  401: 'Missing, unknown or revoked API key',
  403: 'The key’s role may not do this',
  404: 'Not found (or outside the key’s agency scope)',
  409: 'Conflict: duplicate, wrong state or concurrent change',
  412: 'If-Match does not match the current version',
  413: 'Body too large',
  415: 'Unsupported Content-Type',
  422: 'A domain rule refused the request (its numbers in detail)',
  429: 'Rate limited (see Retry-After)',
  503: 'Unavailable; retry later (see Retry-After)',
};

/** `statuses` empty: the code is reported per row or item (bulk reports, errors[]), not as a response's own status. */
export type ProblemCode = { code: string; statuses: number[]; description: string };

const STRING = String.raw`('(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|\`(?:[^\`\\]|\\.)*\`)`;
const CODE = String.raw`['"\`]([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*)['"\`]`;
const PATTERNS: { re: RegExp; status: (m: RegExpExecArray) => number; code: (m: RegExpExecArray) => string; message: (m: RegExpExecArray) => string | undefined }[] = [
  { re: new RegExp(String.raw`new AppError\(\s*(\d{3}),\s*${CODE}(?:,\s*${STRING})?`, 'g'), status: (m) => Number(m[1]), code: (m) => m[2]!, message: (m) => m[3] },
  { re: new RegExp(String.raw`new DomainError\(\s*${CODE}(?:,\s*${STRING})?`, 'g'), status: () => 422, code: (m) => m[1]!, message: (m) => m[2] },
  {
    re: new RegExp(String.raw`\b(conflict|unprocessable)\(\s*${CODE}(?:,\s*${STRING})?`, 'g'),
    status: (m) => (m[1] === 'conflict' ? 409 : 422),
    code: (m) => m[2]!,
    message: (m) => m[3],
  },
  { re: new RegExp(String.raw`sendProblem\(\s*\w+,\s*(\d{3}),\s*${CODE}(?:,\s*${STRING})?`, 'g'), status: (m) => Number(m[1]), code: (m) => m[2]!, message: (m) => m[3] },
  { re: /\bnotFound\(\s*['"`]([a-z][a-z0-9_]*)['"`]/g, status: () => 404, code: (m) => `${m[1]}.not_found`, message: (m) => `'No such ${m[1]!.replace(/_/g, ' ')}'` },
  // Per-row and per-item errors ({ row, code, message } in bulk reports, errors[] entries): no status of their own.
  {
    re: new RegExp(String.raw`\bcode:\s*${CODE},\s*(?:\w+:[^,\n]*,\s*)?(?:message|detail):\s*${STRING}`, 'g'),
    status: () => 0,
    code: (m) => m[1]!,
    message: (m) => m[2],
  },
  { re: /\bforbidden\(/g, status: () => 403, code: () => 'auth.forbidden', message: () => "'The key’s role (or its agency scope, or its board membership) does not allow this'" },
  { re: /\bpreconditionFailed\(\)/g, status: () => 412, code: () => 'precondition.failed', message: () => "'If-Match does not match the current version of the resource'" },
];

/** A message literal as text: template placeholders become `…`. */
function messageText(literal: string | undefined): string {
  if (!literal) return '';
  return literal
    .slice(1, -1)
    .replace(/\$\{[^}]*\}/g, '…')
    .replace(/\\(['"`\\])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(full)));
    // This file's own comments name the patterns, not codes.
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.generated.ts') && full !== SELF) out.push(full);
  }
  return out.sort();
}

export async function extractProblemCodes(srcDir: string): Promise<ProblemCode[]> {
  const codes = new Map<string, { statuses: Set<number>; description: string }>();
  for (const file of await sourceFiles(srcDir)) {
    const text = await readFile(file, 'utf8');
    for (const p of PATTERNS) {
      for (const m of text.matchAll(p.re)) {
        const code = p.code(m);
        const entry = codes.get(code) ?? { statuses: new Set<number>(), description: '' };
        const status = p.status(m);
        if (status > 0) entry.statuses.add(status);
        if (!entry.description) entry.description = messageText(p.message(m));
        codes.set(code, entry);
      }
    }
  }
  return [...codes.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([code, e]) => {
      const statuses = [...e.statuses].sort((a, b) => a - b);
      return { code, statuses, description: e.description || statuses.map((s) => STATUS_TEXT[s] ?? `HTTP ${s}`).join('; ') || 'Reported per row or item' };
    });
}

export function renderCatalogue(codes: ProblemCode[]): string {
  return (
    '// Generated by `npm run problems:generate` (src/cli/problem-codes.ts) from the codes raised in src/. Do not edit.\n' +
    "import type { ProblemCode } from '../cli/problem-codes.js';\n\n" +
    `export const PROBLEM_CODES: readonly ProblemCode[] = ${JSON.stringify(codes, null, 2)};\n`
  );
}

const OUT = 'src/http/problem-codes.generated.ts';

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const rendered = renderCatalogue(await extractProblemCodes('src'));
  if (process.argv.includes('--check')) {
    const committed = await readFile(OUT, 'utf8').catch(() => '');
    if (committed !== rendered) {
      process.stderr.write(`${OUT} is out of date: run npm run problems:generate and commit it\n`);
      process.exit(1);
    }
    process.stdout.write(`${OUT} matches the source\n`);
  } else {
    await writeFile(OUT, rendered);
    process.stdout.write(`wrote ${OUT}\n`);
  }
}
