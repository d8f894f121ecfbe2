import { AppError } from '../../errors.js';

/*
 * Exports read a whole drive (200,000 rows) and can be downloaded slowly. Each export in progress
 * (built or being downloaded) takes a slot: at most `maxPerKey` per API key (429 export.too_many)
 * and `maxTotal` on this instance (503 export.busy), both with Retry-After, so slow or stalled
 * readers cannot pile up. Building (reading the database on one connection, writing the file) is
 * further limited to `maxBuilding` at once; the others wait their turn holding no connection, so
 * exports never take more than `maxBuilding` connections from auth and writes.
 */

export type ExportLimits = { maxPerKey: number; maxTotal: number; maxBuilding: number };
export type ExportSlot = { release: () => void };

const RETRY_AFTER_SECONDS = '10';

export function createExportLimiter(limits: ExportLimits) {
  const perKey = new Map<string, number>();
  let total = 0;
  let building = 0;
  const waiting: (() => void)[] = [];

  return {
    /** A slot for one export of `key`, or 429/503 at once. Release it when the download ends (any way). */
    acquire(key: string): ExportSlot {
      const mine = perKey.get(key) ?? 0;
      if (mine >= limits.maxPerKey) {
        throw new AppError(429, 'export.too_many', `At most ${limits.maxPerKey} exports per API key at once; retry when one has finished`, {
          headers: { 'retry-after': RETRY_AFTER_SECONDS },
        });
      }
      if (total >= limits.maxTotal) {
        throw new AppError(503, 'export.busy', `This instance is serving ${limits.maxTotal} exports; retry shortly`, {
          headers: { 'retry-after': RETRY_AFTER_SECONDS },
        });
      }
      perKey.set(key, mine + 1);
      total++;
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          total--;
          const left = (perKey.get(key) ?? 1) - 1;
          if (left > 0) perKey.set(key, left);
          else perKey.delete(key);
        },
      };
    },

    /** Runs `build` when fewer than `maxBuilding` builds are running (first come, first served). */
    async building<T>(build: () => Promise<T>): Promise<T> {
      if (building >= limits.maxBuilding) await new Promise<void>((resolve) => waiting.push(resolve));
      else building++;
      try {
        return await build();
      } finally {
        // The slot passes straight to the next in line (the count stays), or is given back.
        const next = waiting.shift();
        if (next) next();
        else building--;
      }
    },

    stats: () => ({ total, building, waiting: waiting.length }),
  };
}
export type ExportLimiter = ReturnType<typeof createExportLimiter>;
