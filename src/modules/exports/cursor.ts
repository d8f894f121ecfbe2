import { randomBytes } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../db/client.js';

/**
 * Rows of a query read through a server-side cursor, `batchSize` at a time, inside one read-only
 * REPEATABLE READ transaction: the export is one consistent snapshot however long the download
 * takes, and only one batch is in memory. The next batch is fetched only when the consumer has
 * taken the previous one (the HTTP response's back-pressure reaches the database).
 * Stopping early (client gone) ends the loop and commits the read-only transaction.
 */
export async function* cursorRows<R>(db: Db, query: SQL, batchSize = 1000): AsyncGenerator<R> {
  const cursor = `export_${randomBytes(6).toString('hex')}`;
  let handOver: ((rows: R[] | null) => void) | null = null;
  let resume: ((stop: boolean) => void) | null = null;
  let failure: unknown = null;

  const nextBatch = () =>
    new Promise<R[] | null>((resolve) => {
      handOver = resolve;
    });
  let batch = nextBatch();

  const producer = db
    .transaction(async (tx) => {
      await tx.execute(sql`set transaction isolation level repeatable read, read only`);
      await tx.execute(sql`declare ${sql.raw(cursor)} no scroll cursor for ${query}`);
      for (;;) {
        const res = (await tx.execute(sql.raw(`fetch ${batchSize} from ${cursor}`))) as unknown as { rows: R[] };
        if (res.rows.length === 0) break;
        const stop = await new Promise<boolean>((resolve) => {
          resume = resolve;
          handOver?.(res.rows);
        });
        if (stop || res.rows.length < batchSize) break;
      }
      await tx.execute(sql.raw(`close ${cursor}`));
    })
    .catch((err: unknown) => {
      failure = err;
    })
    .finally(() => handOver?.(null));

  let stopped = true;
  try {
    for (;;) {
      const rows = await batch;
      if (rows === null) break;
      batch = nextBatch();
      for (const row of rows) yield row;
      const go = resume as ((stop: boolean) => void) | null;
      resume = null;
      go?.(false);
    }
    stopped = false;
  } finally {
    if (stopped) (resume as ((stop: boolean) => void) | null)?.(true);
    await producer;
  }
  if (failure) throw failure;
}
