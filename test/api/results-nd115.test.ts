import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupApp, type TestApp } from '../helpers/app.js';
import { computeOk, openDriveWithQuotas, registerAll, resultsOf, round1, round2, rowsOf, scoredRound, toMarking } from '../factories/results.js';

/*
 * Decree 115/2020 Art. 9(1)(a) as amended by 85/2023: a verified input-quality result exempts from
 * Part I (general knowledge) only; Part II (foreign language) is still sat and gates round 2.
 */

let t: TestApp;
beforeAll(async () => {
  t = await setupApp();
});
afterAll(async () => {
  await t.close();
});

describe('public employees: the input-quality exemption', () => {
  it('Art. 9(1)(a): when an exempt candidate fails Part II (foreign language), then they fail round 1; one who passes it ranks', async () => {
    const { driveId, quotaIds } = await openDriveWithQuotas(t, { staffCategory: 'public_employee', preset: 'nd115', slots: [2] });
    const quotaId = quotaIds[0]!;
    const [failsLanguage, passesLanguage] = (
      await registerAll(t, driveId, [
        { fullName: 'Trịnh Văn Phúc', quotaId, exemptions: ['input_quality_verified'] },
        { fullName: 'Đinh Thị Quyên', quotaId, exemptions: ['input_quality_verified'] },
      ])
    ).map((a) => a.applicationId);
    await toMarking(t, driveId);
    // Round 1 as the rule set builds it: the exemption skips a part, not the round.
    await scoredRound(t, driveId, { ...round1(), exemptionCodes: [] }, [
      { applicationId: failsLanguage!, partCode: 'foreign_language', correct: 10 },
      { applicationId: passesLanguage!, partCode: 'foreign_language', correct: 20 },
    ]);
    await scoredRound(t, driveId, round2(), [
      { applicationId: failsLanguage!, partCode: 'professional', score: '90' },
      { applicationId: passesLanguage!, partCode: 'professional', score: '60' },
    ]);
    await computeOk(t, driveId);
    const rows = rowsOf((await resultsOf(t, driveId)).get(quotaId)!);
    expect(rows.get(failsLanguage!)!.outcome).toBe('failed');
    expect(rows.get(failsLanguage!)!.gate.reasons.map((r) => r.code)).toEqual(['gate.round1_part_below']);
    expect(rows.get(passesLanguage!)!.outcome).toBe('winner');
  });
});
