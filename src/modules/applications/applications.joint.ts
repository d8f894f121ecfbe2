import type { QuotaRow } from '../quotas/quotas.table.js';
import type { Refusal } from './applications.rules.js';

const invalid = (code: string, message: string, extras: Record<string, unknown> = {}): { refusal: Refusal } => ({
  refusal: { status: 422, code, message, field: 'agencyPreferences', extras },
});

/**
 * The user agencies an application to a jointly recruited position accepts, in the order of the
 * registration form (Decree 170/2025 Art. 10(3): the agency a winner is placed at follows "thứ tự ưu
 * tiên lựa chọn trong Phiếu đăng ký dự tuyển"). `jointAgencyIds`: the agencies holding a quota of the
 * quota's position in the drive when that position is joint, null otherwise. One or more, distinct,
 * each a user agency of the position, the applied quota's own agency first (the application is listed
 * under it); absent means that agency alone. A quota of any other position takes no preferences.
 */
export function jointPreferences(
  quota: Pick<QuotaRow, 'id' | 'agencyId'>,
  jointAgencyIds: readonly string[] | null,
  given: readonly string[] | undefined,
): { agencyPreferences: string[] } | { refusal: Refusal } {
  if (jointAgencyIds === null) {
    if (given === undefined || given.length === 0) return { agencyPreferences: [] };
    return invalid('application.agency_preferences_not_joint', `Quota ${quota.id} is not of a jointly recruited position: it takes no agency preferences (Decree 170/2025 Art. 10(3))`, {
      quotaId: quota.id,
    });
  }
  if (given === undefined) return { agencyPreferences: [quota.agencyId] };
  if (given.length === 0) {
    return invalid('application.agency_preferences_empty', 'An application to a jointly recruited position accepts at least one user agency (Decree 170/2025 Art. 10(3))');
  }
  const seen = new Set<string>();
  for (const [index, agencyId] of given.entries()) {
    if (seen.has(agencyId)) return invalid('application.agency_preferences_duplicate', `Agency ${agencyId} is listed twice`, { agencyId, index });
    seen.add(agencyId);
    if (!jointAgencyIds.includes(agencyId)) {
      return invalid('application.agency_preference_not_user_agency', `Agency ${agencyId} holds no quota of this jointly recruited position in the drive`, {
        agencyId,
        index,
        userAgencyIds: [...jointAgencyIds],
      });
    }
  }
  if (given[0] !== quota.agencyId) {
    return invalid(
      'application.agency_preferences_first_mismatch',
      `The first preference must be the agency of quota ${quota.id} (the application is registered under it); register to the quota of agency ${given[0]} instead`,
      { quotaAgencyId: quota.agencyId, firstPreference: given[0] },
    );
  }
  return { agencyPreferences: [...given] };
}
