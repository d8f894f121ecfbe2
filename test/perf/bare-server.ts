/*
 * The "bare" baseline for reads: Fastify and node-postgres, no validation, no ORM, no hooks, running
 * exactly the statements the service issues for the same request (captured from the service by
 * capture.ts). `tsx test/perf/bare-server.ts <routes.json>`; prints "ready <port>" when listening.
 *
 * Each route runs its statements one after another on a pool of the service's size, substituting
 * the request's :id where the captured request had its id, and answers with the last one's rows.
 */
import { readFile } from 'node:fs/promises';
import Fastify from 'fastify';
import pg from 'pg';

export type BareRoute = {
  url: string;
  statements: { text: string; values: (string | null)[]; idAt: number[] }[];
  /** The answer: the last statement's rows as a page (items) or one row. */
  shape: 'page' | 'one';
};
export type BareSpec = { databaseUrl: string; poolMax: number; port: number; routes: BareRoute[] };

async function main() {
  const spec = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as BareSpec;
  pg.types.setTypeParser(20, (v: string) => Number(v));
  const pool = new pg.Pool({ connectionString: spec.databaseUrl, max: spec.poolMax });
  const app = Fastify({ logger: false });
  for (const route of spec.routes) {
    app.get(route.url, async (request) => {
      const { id } = request.params as { id: string };
      let rows: unknown[] = [];
      for (const st of route.statements) {
        const values = st.values.map((v, i) => (st.idAt.includes(i) ? id : v));
        rows = (await pool.query(st.text, values)).rows;
      }
      return route.shape === 'one' ? rows[0] : { items: rows, nextCursor: null };
    });
  }
  const address = await app.listen({ port: spec.port, host: '127.0.0.1' });
  process.stdout.write(`ready ${address}\n`);
  const stop = () => void app.close().then(() => pool.end()).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
