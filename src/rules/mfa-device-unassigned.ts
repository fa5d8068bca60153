/**
 * Virtual MFA devices assigned to no user (ListVirtualMFADevices AssignmentStatus=Unassigned,
 * docs/aws-behaviour.md §9): a seed made for someone who never finished enrolling, or left over
 * when a user was removed. Whoever kept the seed could have it enabled on a user later. Report only:
 * credsweep plans nothing for them (DeleteVirtualMFADevice cannot be undone). AWS keeps no date for an
 * unassigned device, so the finding's date is the as-of date it was listed at.
 */
import type { Finding } from '../model/finding.ts';
import type { Principal } from '../model/inventory.ts';
import { ageDaysOf, buildFinding, type EvaluationContext, NO_FINDINGS, type Rule } from './rule.ts';

export const mfaDeviceUnassigned: Rule = {
  id: 'mfa-device-unassigned',
  title: 'Virtual MFA device assigned to no user',
  severity: 'low',
  credentials: ['mfa_device'],
  rationale:
    'An unassigned virtual MFA device is a leftover secret: whoever kept its seed could have it enabled on a user. Delete it if nobody is enrolling with it.',
  evaluate(principal: Principal, ctx: EvaluationContext): readonly Finding[] {
    if (principal.type !== 'mfa_device' || !principal.virtualMfaDevice) return NO_FINDINGS;
    return [
      buildFinding(principal, ctx, {
        credential: 'mfa_device',
        status: 'unused',
        lastUsed: null,
        lastActivity: ctx.asOf,
        lastActivitySource: 'listed',
        ageDays: ageDaysOf(ctx.asOf, ctx),
        neverUsed: true,
        caveats: ['no_date_from_aws'],
        reason: `virtual MFA device ${principal.virtualMfaDevice.serialNumber} is assigned to no user; delete it if nobody is enrolling with it (report only)`,
      }),
    ];
  },
};
