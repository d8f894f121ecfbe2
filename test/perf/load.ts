/*
 * The load generator, run by bench.ts as a separate process so that it never shares an event loop
 * with the server or the harness: `tsx test/perf/load.ts <spec.json>`; prints one JSON line.
 *
 * The spec lists paths (taken round-robin) and, for writes, bodies (each used once, in order):
 * every registration is a different candidate.
 */
import { readFile } from 'node:fs/promises';
import autocannon from 'autocannon';

export type LoadSpec = {
  url: string;
  method: 'GET' | 'POST';
  connections: number;
  /** Seconds; ignored when `amount` is set. */
  duration: number;
  amount?: number;
  headers: Record<string, string>;
  paths: string[];
  bodies?: string[];
};

export type LoadResult = {
  requests: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  statusCodes: Record<string, number>;
};

async function main() {
  const spec = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as LoadSpec;
  let next = 0;
  const result = await autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: spec.duration,
    ...(spec.amount ? { amount: spec.amount } : {}),
    timeout: 30,
    headers: spec.headers,
    requests: [
      {
        method: spec.method,
        setupRequest: (req: Record<string, unknown>) => {
          const i = next++;
          req.path = spec.paths[i % spec.paths.length];
          if (spec.bodies) req.body = spec.bodies[i % spec.bodies.length];
          return req;
        },
      },
    ],
  });
  const codes: Record<string, number> = {};
  for (const [code, v] of Object.entries(result.statusCodeStats ?? {})) codes[code] = (v as { count: number }).count;
  const out: LoadResult = {
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p90: result.latency.p90,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    statusCodes: codes,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
