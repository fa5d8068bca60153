/** Severity: from the finding's rule, adjusted for root and for keys used from many IPs. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FINDING_STATUSES } from '../../src/model/finding.ts';
import { RULES } from '../../src/rules/index.ts';
import { atLeast, ruleOf, SEVERITY_LEVELS, severityOf } from '../../src/rules/severity.ts';
import { aFinding } from '../helpers/builders.ts';

const ROOT = {
  principalType: 'root',
  principalName: '<root_account>',
  arn: 'arn:aws:iam::111122223333:root',
} as const;

describe('severityOf', () => {
  const cases: Array<[string, Parameters<typeof aFinding>[0], string]> = [
    ['an unused access key: its rule (high)', {}, 'high'],
    ['an unused password: its rule (medium)', { credential: 'password' }, 'medium'],
    ['an unused role: its rule (medium)', { credential: 'role', principalType: 'role' }, 'medium'],
    ['an unused permission (medium)', { credential: 'permission', service: 's3' }, 'medium'],
    ['an unused root password: critical', { ...ROOT, credential: 'password' }, 'critical'],
    ['a root access key in use: critical', { ...ROOT, status: 'in_use' }, 'critical'],
    ['an inactive root key: critical', { ...ROOT, status: 'inactive' }, 'critical'],
    ['a root password in use: medium', { ...ROOT, credential: 'password', status: 'in_use' }, 'medium'],
    ['a key in use from many IPs: high', { status: 'in_use', caveats: ['key_used_from_many_ips'] }, 'high'],
    ['an unused key from many IPs: critical', { caveats: ['key_used_from_many_ips'] }, 'critical'],
    ['inactive: low', { status: 'inactive' }, 'low'],
    ['unverified certificate: low', { status: 'unverified', credential: 'cert_1' }, 'low'],
    ['no credentials: low', { status: 'no_credentials', credential: 'none' }, 'low'],
    ['in use: informational', { status: 'in_use' }, 'informational'],
    ['exempt, even a root key: informational', { ...ROOT, status: 'exempt' }, 'informational'],
    ['service-linked: informational', { status: 'service_linked', credential: 'role' }, 'informational'],
  ];
  for (const [name, overrides, want] of cases) {
    it(name, () => assert.equal(severityOf(aFinding(overrides)), want));
  }

  it('every status of every rule has a level', () => {
    for (const rule of RULES) {
      for (const credential of rule.credentials) {
        assert.equal(ruleOf({ credential }).id, rule.id);
        for (const status of FINDING_STATUSES) {
          assert.ok(SEVERITY_LEVELS.includes(severityOf(aFinding({ credential, status }))));
        }
      }
    }
  });

  it('atLeast: a threshold matches itself and everything more severe', () => {
    assert.ok(atLeast('critical', 'high'));
    assert.ok(atLeast('high', 'high'));
    assert.ok(!atLeast('medium', 'high'));
    assert.ok(atLeast('informational', 'informational'));
  });
});
