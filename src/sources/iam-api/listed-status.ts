/**
 * The Status IAM lists an access key, signing certificate or SSH key with, as the inventory holds it.
 * Pure.
 */
import type { ListedStatus } from '../../model/inventory.ts';

/**
 * `active`, and `unknownStatus` when IAM's Status is neither Active nor Inactive: a status this version
 * does not know may be a usable one, so it reads as active (never hidden as inactive; nothing acts on it).
 */
export function statusFields(status: string | undefined): ListedStatus {
  if (status === 'Active') return { active: true };
  if (status === 'Inactive') return { active: false };
  return { active: true, unknownStatus: status ?? '' };
}
