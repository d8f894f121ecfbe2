/*
 * Computed drive reports, kept per drive while they are exact.
 *
 * An entry is a report computed in one database snapshot S. Before it is served, the database is
 * asked whether any transaction S did not see has changed what the report reads (`fresh`, one index
 * probe of drive_changes, written by triggers: migration 0011_report_change_log). So an entry is
 * never served stale, whichever server instance or connection made the change, and there is no
 * time-based expiry.
 *
 * Requests for the same drive share one computation in flight. A request that joined a computation
 * started before it arrived checks the result's freshness afterwards (a change may have committed in
 * between) and computes again if needed; a computation a request started itself began after it
 * arrived, so its snapshot already sees every change committed before the request.
 *
 * An entry found stale is kept until a new one replaces it, and handed to the computation that
 * replaces it (`previous`): the computation may then count again only what changed since.
 */

export type Snapshotted<T> = { snapshot: string; value: T };

export type ReportCacheOptions<T, A> = {
  /**
   * Computes the value in one snapshot and returns that snapshot with it (`arg`: the request's;
   * `previous`: the latest value held for the key, no longer fresh, if any).
   */
  compute: (key: string, arg: A, previous: Snapshotted<T> | undefined) => Promise<Snapshotted<T>>;
  /** Whether a value computed in `snapshot` still holds now. */
  fresh: (key: string, snapshot: string) => Promise<boolean>;
  /** Entries kept (least recently used dropped first). */
  max: number;
};

export function createReportCache<T, A>(opts: ReportCacheOptions<T, A>) {
  const entries = new Map<string, Snapshotted<T>>();
  type Flight = { seq: number; result: Promise<Snapshotted<T>> };
  const inFlight = new Map<string, Flight>();
  /** Orders request arrivals and computation starts. */
  let seq = 0;

  const remember = (key: string, e: Snapshotted<T>) => {
    entries.delete(key);
    entries.set(key, e);
    while (entries.size > opts.max) entries.delete(entries.keys().next().value!);
  };

  const start = (key: string, arg: A, previous: Snapshotted<T> | undefined): Flight => {
    const flight: Flight = {
      seq: ++seq,
      result: opts.compute(key, arg, previous).then((e) => {
        remember(key, e);
        return e;
      }),
    };
    inFlight.set(key, flight);
    const done = () => {
      if (inFlight.get(key) === flight) inFlight.delete(key);
    };
    flight.result.then(done, done);
    return flight;
  };

  return {
    /** The value for `key` as of now: from the cache if still exact, else computed (shared). */
    async get(key: string, arg: A): Promise<{ value: T; cached: boolean }> {
      const arrived = ++seq;
      /** The last value this request found stale. */
      let stale: Snapshotted<T> | undefined;
      for (;;) {
        let flight = inFlight.get(key);
        if (!flight) {
          const held = entries.get(key);
          // Held at arrival, or computed while this request was probing another: served if still exact.
          if (held && held !== stale) {
            if (await opts.fresh(key, held.snapshot)) {
              remember(key, held);
              return { value: held.value, cached: true };
            }
            stale = held;
            continue;
          }
          flight = start(key, arg, held ?? stale);
        }
        const e = await flight.result;
        // A computation started after this request arrived reads a snapshot taken later still.
        if (flight.seq > arrived) return { value: e.value, cached: false };
        if (await opts.fresh(key, e.snapshot)) return { value: e.value, cached: true };
        // The shared computation's snapshot may predate a change this request must see: again.
        stale = e;
      }
    },
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
  };
}
export type ReportCache<T, A> = ReturnType<typeof createReportCache<T, A>>;
