/**
 * Owner notices for the credential kinds AWS records no use of (SSH public keys, service-specific
 * credentials): judged by age at the default threshold, and the notice names the kind, its id and
 * (for a service-specific credential) its service.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type OwnerWarningSettings, planOwnerWarnings } from '../../src/lambda/owner-warnings.ts';
import { evaluatePrincipal } from '../../src/rules/index.ts';
import { AS_OF, aUser, daysAgo } from '../helpers/builders.ts';

const ctx = { asOf: AS_OF, thresholdDays: 90 };
const settings: OwnerWarningSettings = {
  warningDays: 7,
  graceDays: 0,
  ownerWebhookAllow: [],
  exemptionHowTo: 'ask #security',
};
const owner = () => ({ owner: 'alice@example.com' });

describe('owner notices for SSH keys and service-specific credentials', () => {
  it('an SSH key crossing the threshold within the notice period is announced by its id', () => {
    const findings = evaluatePrincipal(
      aUser({ sshPublicKeys: [{ sshPublicKeyId: 'APKAEXAMPLE', active: true, uploadedAt: daysAgo(87) }] }),
      ctx,
    );
    const [w] = planOwnerWarnings(findings, owner, ctx, settings, {}).warnings;
    assert.equal(
      w?.subject,
      'credsweep: SSH public key APKAEXAMPLE of alice will be deactivated on 2026-11-08',
    );
    assert.match(
      w!.message,
      /^SSH public key APKAEXAMPLE of user alice .* was uploaded on 2026-08-06 \(AWS records no use of it\)\./,
    );
    assert.match(w!.message, /it will be deactivated \(not deleted; credsweep undo reactivates it\)/);
  });

  it('an old Bedrock API key is announced with its service; an inactive one is not', () => {
    const findings = evaluatePrincipal(
      aUser({
        serviceSpecificCredentials: [
          {
            serviceSpecificCredentialId: 'ACCABEDROCK',
            serviceName: 'bedrock.amazonaws.com',
            status: 'Active',
            createdAt: daysAgo(200),
            expiresAt: null,
          },
          {
            serviceSpecificCredentialId: 'ACCAOLD',
            serviceName: 'codecommit.amazonaws.com',
            status: 'Inactive',
            createdAt: daysAgo(400),
            expiresAt: null,
          },
        ],
      }),
      ctx,
    );
    const plan = planOwnerWarnings(findings, owner, ctx, settings, {});
    assert.deepEqual(
      plan.warnings.map((w) => w.subject),
      ['credsweep: Amazon Bedrock API key ACCABEDROCK of alice will be deactivated on 2026-11-08'],
    );
  });
});
