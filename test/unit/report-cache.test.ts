import { describe, expect, it } from 'vitest';
import { createReportCache, type Snapshotted } from '../../src/modules/reports/report-cache.js';

/*
 * The report cache over a stand-in database: a snapshot is a number (the count of changes it sees),
 * a value is fresh while no change came after its snapshot, and each computation records the entry
 * it was handed, so that it could count again only what changed since.
 */
function setup() {
  let changes = 0;
  const calls: { previous: Snapshotted<string> | undefined }[] = [];
  let gate: Promise<void> = Promise.resolve();
  /** Probes to hold (the next ones made), each until its release is called. */
  const heldProbes: Promise<void>[] = [];
  const cache = createReportCache<string, null>({
    max: 4,
    compute: async (key, _arg, previous) => {
      const seen = changes;
      calls.push({ previous });
      await gate;
      return { snapshot: String(seen), value: `${key}@${seen}` };
    },
    fresh: async (_key, snapshot) => {
      const answer = Number(snapshot) === changes;
      await heldProbes.shift();
      return answer;
    },
  });
  return {
    cache,
    calls,
    change: () => void changes++,
    holdNextProbe: () => {
      let release!: () => void;
      heldProbes.push(new Promise((r) => (release = r)));
      return () => release();
    },
    hold: () => {
      let release!: () => void;
      gate = new Promise((r) => (release = r));
      return () => {
        gate = Promise.resolve();
        release();
      };
    },
  };
}

describe('report cache', () => {
  it('when nothing changed, then the held value is served without computing', async () => {
    const s = setup();
    expect(await s.cache.get('d', null)).toEqual({ value: 'd@0', cached: false });
    expect(await s.cache.get('d', null)).toEqual({ value: 'd@0', cached: true });
    expect(s.calls).toEqual([{ previous: undefined }]);
  });

  it('when the held value is stale, then the computation that replaces it is handed it', async () => {
    const s = setup();
    await s.cache.get('d', null);
    s.change();
    expect(await s.cache.get('d', null)).toEqual({ value: 'd@1', cached: false });
    expect(s.calls.map((c) => c.previous)).toEqual([undefined, { snapshot: '0', value: 'd@0' }]);
    s.change();
    await s.cache.get('d', null);
    expect(s.calls[2]!.previous).toEqual({ snapshot: '1', value: 'd@1' });
    // Another key has nothing to start from.
    await s.cache.get('e', null);
    expect(s.calls[3]!.previous).toBeUndefined();
  });

  it('when requests arrive together after a change, then they share one computation handed the stale value', async () => {
    const s = setup();
    await s.cache.get('d', null);
    s.change();
    const release = s.hold();
    const all = Promise.all(Array.from({ length: 5 }, () => s.cache.get('d', null)));
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect(new Set((await all).map((r) => r.value))).toEqual(new Set(['d@1']));
    expect(s.calls).toHaveLength(2);
    expect(s.calls[1]!.previous?.value).toBe('d@0');
  });

  it('when a change commits while a shared computation runs, then a request that arrived after it computes again from that computation’s value', async () => {
    const s = setup();
    await s.cache.get('d', null);
    s.change();
    const release = s.hold();
    const early = s.cache.get('d', null);
    await new Promise((r) => setTimeout(r, 10));
    s.change();
    const late = s.cache.get('d', null);
    await new Promise((r) => setTimeout(r, 10));
    release();
    expect((await early).value).toBe('d@1');
    expect((await late).value).toBe('d@2');
    expect(s.calls).toHaveLength(3);
    expect(s.calls[2]!.previous?.value).toBe('d@1');
  });

  it('when a computation finishes while a request is still finding its held value stale, then that request is served the new value, not a computation of its own', async () => {
    const s = setup();
    await s.cache.get('d', null);
    s.change();
    const releaseProbe = s.holdNextProbe();
    const slow = s.cache.get('d', null);
    expect(await s.cache.get('d', null)).toEqual({ value: 'd@1', cached: false });
    releaseProbe();
    expect(await slow).toEqual({ value: 'd@1', cached: true });
    expect(s.calls).toHaveLength(2);
  });
});
