import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, setupApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

describe('rule-set presets', () => {
  it('when any authenticated role lists the presets, then each has its citation, period, priority table, structures, gates and tie chain', async () => {
    for (const role of ['marker', 'anonymizer', 'registrar'] as const) {
      const res = await t.http.get('/v1/rule-set-presets').set(bearer(await t.keyFor(role)));
      expect(res.status, role).toBe(200);
      expect(res.body.items.map((p: { preset: string }) => p.preset)).toEqual(['nd138', 'nd115', 'nd170', 'nd170-300', 'leadership']);
    }
    const res = await t.http.get('/v1/rule-set-presets').set(bearer(t.adminKey));
    const byPreset = new Map<string, Record<string, unknown>>(res.body.items.map((p: { preset: string }) => [p.preset, p]));
    expect(byPreset.get('nd170-300')).toMatchObject({
      period: { planApprovedFrom: '2026-08-01', planApprovedTo: null },
      historicalOnly: false,
      citation: [
        { number: '170/2025/NĐ-CP', inForceFrom: '2025-07-01' },
        { number: '300/2026/NĐ-CP', inForceFrom: '2026-08-01' },
      ],
      ruleSet: {
        gate: { rankingRoundMinRaw: 5000, rankingRoundPartMinPercent: 50, gateRoundPartMinPercent: 50 },
        tieBreak: ['ranking_round_raw', 'written_part', 'head_decision'],
        priorityTable: expect.objectContaining({ trade_union_officer: 150, defence_worker_discharged: 250, cipher_staff: 500 }),
        structures: expect.objectContaining({ cao_cap: [expect.objectContaining({ format: 'project' })] }),
      },
    });
    expect(byPreset.get('nd170')).toMatchObject({ period: { planApprovedFrom: '2025-07-01', planApprovedTo: '2026-07-31' } });
    expect(byPreset.get('nd138')).toMatchObject({ historicalOnly: true, citation: [{ number: '138/2020/NĐ-CP', inForceUntil: '2025-06-30' }] });
    expect(byPreset.get('nd115')).toMatchObject({ provisionalFrom: '2026-07-01' });
  });

  it('when one preset is asked for, then it is returned; an unknown one is 404; without a key 401', async () => {
    const one = await t.http.get('/v1/rule-set-presets/nd170').set(bearer(await t.keyFor('auditor')));
    expect(one.status).toBe(200);
    expect(one.body.ruleSet.roundDefaults.find((r: { order: number }) => r.order === 2).parts.map((p: { weight: number }) => p.weight)).toEqual([70, 30]);
    const unknown = await t.http.get('/v1/rule-set-presets/nd999').set(bearer(t.adminKey));
    expect(unknown.status).toBe(404);
    expect(unknown.body.code).toBe('rule_set_preset.not_found');
    expect((await t.http.get('/v1/rule-set-presets')).status).toBe(401);
  });
});
