import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/*
 * The README's walkthrough is the script CI runs against a fresh server (.ci/run): the two must not
 * drift apart.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('the README walkthrough', () => {
  it('shows exactly the script CI runs (test/walkthrough/first-drive.sh)', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const block = /<!-- walkthrough:start -->\n```sh\n([\s\S]*?)```\n<!-- walkthrough:end -->/.exec(readme);
    expect(block, 'the walkthrough block between its markers').not.toBeNull();
    expect(block![1]).toBe(await readFile(path.join(root, 'test/walkthrough/first-drive.sh'), 'utf8'));
  });
});
