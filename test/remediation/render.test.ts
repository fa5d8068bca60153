import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PlanStep, RemediationPlan } from '../../src/model/remediation-plan.ts';
import type { StepHistory } from '../../src/remediation/journal.ts';
import { QUARANTINE_POLICY_NAME } from '../../src/remediation/quarantine-policy.ts';
import {
  renderApplyResults,
  renderNotCarriedOut,
  renderPlanTable,
  renderRecreations,
  renderStepListing,
} from '../../src/remediation/render.ts';
import { displayWidth } from '../../src/reporters/text-width.ts';
import type { RoleRecord } from '../../src/remediation/role-record.ts';

function step(action: PlanStep['action'], name: string, reversible: boolean): PlanStep {
  return {
    id: `111122223333/${action}/${name}`,
    action,
    accountId: '111122223333',
    principalType: 'user',
    principalName: name,
    arn: `arn:aws:iam::111122223333:user/${name}`,
    credential: action === 'delete-login-profile' ? 'password' : 'access_key_1',
    ...(action === 'delete-login-profile' ? {} : { accessKeyId: `AKIA${name.toUpperCase()}` }),
    reversible,
    reason: 'unused',
    expected: { lastUsed: null },
  };
}

describe('renderStepListing (the confirmation prompt)', () => {
  it('lists every step with action, account, principal, credential and reversibility, irreversible first and marked', () => {
    const text = renderStepListing([
      step('deactivate-access-key', 'alice', true),
      // A step claiming to be reversible: the registry says otherwise, and the listing follows the registry.
      step('delete-login-profile', 'bob', true),
      step('deactivate-access-key', 'carol', true),
    ]);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^REVERSIBLE\s+ACTION\s+ACCOUNT\s+PRINCIPAL\s+CREDENTIAL$/);
    assert.match(
      lines[1]!,
      /^!! NO \(irreversible\)\s+delete-login-profile\s+111122223333\s+bob\s+password$/,
    );
    assert.match(lines[2]!, /^yes\s+deactivate-access-key\s+111122223333\s+alice\s+AKIAALICE$/);
    assert.match(lines[3]!, /^yes\s+deactivate-access-key\s+111122223333\s+carol\s+AKIACAROL$/);
    assert.equal(lines.length, 4);
  });
});

describe('renderNotCarriedOut (the steps the confirmation lists apart)', () => {
  it('one line per step with why, names passed through printable', () => {
    const text = renderNotCarriedOut([
      { step: step('delete-login-profile', 'b\u001b[2Job', false), detail: 'needs --allow-irreversible' },
    ]);
    assert.equal(text.split('\n').length, 2);
    assert.match(
      text,
      /^not carried out: delete-login-profile password \(111122223333 b.*ob\): needs --allow-irreversible\n$/,
    );
    assert.ok(!text.includes('\u001b'), 'no escape reaches the terminal');
    assert.equal(renderNotCarriedOut([]), '');
  });
});

describe('renderRecreations (what undo would write from the journal)', () => {
  const role: RoleRecord = {
    roleName: 'app\u001b[2Jworker',
    path: '/',
    roleId: 'AROAEXAMPLE',
    arn: 'arn:aws:iam::111122223333:role/app-worker',
    trustPolicy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Effect: 'Allow',
          Principal: { AWS: ['arn:aws:iam::999999999999:root'], Service: 'ec2.amazonaws.com' },
        },
        { Effect: 'Deny', Principal: '*' },
      ],
    }),
    inlinePolicies: [
      { name: 'read-bucket', document: '{}' },
      { name: QUARANTINE_POLICY_NAME, document: '{}' },
    ],
    attachedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'],
    permissionsBoundaryArn: null,
    tags: [],
    instanceProfiles: [],
  };
  const history = (action: PlanStep['action']): StepHistory => ({
    step: { ...step('deactivate-access-key', 'x', true), action },
    state: 'applied',
    before: { exists: true, lastUsed: null, role },
  });

  it("shows a recreated role's trust, policies and profiles whole, without the quarantine, names made printable", () => {
    const text = renderRecreations([history('delete-role')], { sealed: true });
    assert.equal(
      text,
      [
        'recreates role app\\u001b[2Jworker in account 111122223333 as the journal records it:',
        '  trusted by: arn:aws:iam::999999999999:root, ec2.amazonaws.com',
        '  inline policies: read-bucket',
        '  managed policies: arn:aws:iam::aws:policy/AdministratorAccess',
        '  instance profiles: none',
        '',
      ].join('\n'),
    );
  });

  it("says that an unsealed journal is taken as written, and an earlier undo's role; nothing for steps that recreate nothing", () => {
    assert.match(
      renderRecreations([history('delete-role')], { sealed: false }),
      /not sealed with a plan key: the roles are recreated as it is written \(--trust-unsigned-journal\)\n$/,
    );
    const carriedOn: StepHistory = {
      ...history('delete-role'),
      state: 'undo_failed',
      undoing: { exists: true, lastUsed: null, targetId: 'AROANEW' },
    };
    assert.match(
      renderRecreations([carriedOn], { sealed: true }),
      /an earlier undo created it as RoleId AROANEW: this one carries on in that role\n$/,
    );
    assert.equal(renderRecreations([history('quarantine-role')], { sealed: false }), '');
  });
});

describe('renderPlanTable', () => {
  it('the SKIPPED column shows each reason code as the JSON writes it, irreversible too', () => {
    const skipped = (name: string, reason: 'irreversible' | 'exempt', detail: string) => {
      const {
        id: _id,
        reversible: _r,
        action: _a,
        expected: _e,
        reason: _reason,
        ...ref
      } = step('delete-login-profile', name, false);
      return { ...ref, reason, detail };
    };
    const plan = {
      steps: [],
      skipped: [
        skipped('bob', 'irreversible', 'delete-login-profile cannot be undone (--allow-irreversible)'),
        skipped('carol', 'exempt', 'tag credsweep:exempt=true'),
      ],
      summary: { steps: 0, reversible: 0, irreversible: 0, skipped: 2 },
      dataCollectedAt: '2026-11-01T00:00:00Z',
    } as unknown as RemediationPlan;
    const lines = renderPlanTable(plan).split('\n');
    assert.match(lines[0]!, /^SKIPPED\s+ACCOUNT\s+PRINCIPAL/);
    assert.match(lines[1]!, /^irreversible\s+111122223333\s+bob\s/);
    assert.match(lines[2]!, /^exempt\s+111122223333\s+carol\s/);
  });

  it('names the kinds as the findings table does: SSH public key, service-specific credential', () => {
    const of = (
      credential: 'ssh_public_key' | 'service_specific_credential',
      id: Record<string, string>,
    ) => ({
      ...step('deactivate-access-key', 'dana', true),
      action:
        credential === 'ssh_public_key'
          ? 'deactivate-ssh-public-key'
          : 'deactivate-service-specific-credential',
      credential,
      accessKeyId: undefined,
      ...id,
    });
    const plan = {
      steps: [
        of('ssh_public_key', { sshPublicKeyId: 'APKAEXAMPLE' }),
        of('service_specific_credential', { serviceSpecificCredentialId: 'ACCAEXAMPLE' }),
      ],
      skipped: [],
      summary: { steps: 2, reversible: 2, irreversible: 0, skipped: 0 },
      dataCollectedAt: '2026-11-01T00:00:00Z',
    } as unknown as RemediationPlan;
    const text = renderPlanTable(plan);
    assert.match(text, /dana +SSH public key +APKAEXAMPLE/);
    assert.match(text, /dana +service-specific credential +ACCAEXAMPLE/);
  });
});

describe('plan, confirmation and result tables at 80 columns and wide', () => {
  const LONG = 'a-service-account-with-a-rather-long-name-for-the-nightly-warehouse-export';
  const NAMES = ['laura.rossi', 'contractor+qa@example.com', LONG, 'evil\u001b]52;c;aGk=\u0007name'];
  const inAccount = (s: PlanStep, accountId: string): PlanStep => ({
    ...s,
    accountId,
    arn: s.arn.replace('111122223333', accountId),
  });
  const steps = NAMES.flatMap((name, n) => {
    const s =
      n % 2 === 0
        ? { ...step('deactivate-access-key', name, true), accessKeyId: `AKIAIOSFODNN7EXAMPL${n}` }
        : step('delete-login-profile', name, false);
    return [s, inAccount(s, '444455556666')];
  });
  const plan = {
    steps,
    skipped: [],
    summary: { steps: steps.length, reversible: 4, irreversible: 4, skipped: 0 },
    dataCollectedAt: '2026-11-01T00:00:00Z',
  } as unknown as RemediationPlan;
  const fits = (text: string, width: number) =>
    assert.ok(
      text.split('\n').every((l) => displayWidth(l) <= width),
      text,
    );
  /** The principal of the step on `line`: the next line, under it. */
  const under = (lines: string[], key: string) => lines[lines.findIndex((l) => l.includes(key)) + 1];

  it('the plan at 80 columns: each step, then its principal whole under it; the left-out reason named', () => {
    const lines = renderPlanTable(plan, { width: 80 }).trimEnd().split('\n');
    fits(lines.join('\n'), 80);
    assert.match(lines[0]!, /^ACTION +ACCOUNT +CREDENTIAL +KEY ID +UNDO$/);
    assert.equal(lines[1], '  PRINCIPAL');
    assert.match(lines[2]!, /^deactivate-access-key +111122223333 +access key 1 +AKIAIOSFODNN7EXAMPL0 +yes$/);
    assert.equal(lines[3], '  laura.rossi');
    assert.ok(lines.includes(`  ${LONG}`), lines.join('\n'));
    assert.ok(lines.includes('  evil\\u001b]52;c;aGk=\\u0007name'), 'made printable');
    assert.ok(lines.includes('(REASON not shown to fit the terminal; --wide or --format json shows it)'));
    assert.doesNotMatch(lines.join('\n'), /…/);
  });

  it('the plan wide: one line a step, every column', () => {
    const lines = renderPlanTable(plan).trimEnd().split('\n');
    assert.equal(lines.length, 1 + steps.length + 2);
    assert.match(lines[0]!, /^ACTION +ACCOUNT +PRINCIPAL +CREDENTIAL +KEY ID +UNDO +REASON$/);
    assert.ok(lines.some((l) => l.includes(`444455556666  ${LONG}  access key 1`)));
  });

  it("apply's confirmation at 80 columns: the irreversible first, every principal whole under its step", () => {
    const text = renderStepListing(steps, { width: 80 });
    fits(text, 80);
    const lines = text.trimEnd().split('\n');
    assert.match(lines[0]!, /^REVERSIBLE +ACTION +ACCOUNT +CREDENTIAL$/);
    assert.equal(lines[1], '  PRINCIPAL');
    assert.match(lines[2]!, /^!! NO \(irreversible\) +delete-login-profile +111122223333 +password$/);
    assert.equal(lines[3], '  contractor+qa@example.com');
    assert.equal(under(lines, 'AKIAIOSFODNN7EXAMPL2'), `  ${LONG}`);
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f]/);
    // wide: one line a step, the principal in it
    const wide = renderStepListing(steps).trimEnd().split('\n');
    assert.equal(wide.length, 1 + steps.length);
    assert.match(wide[0]!, /^REVERSIBLE +ACTION +ACCOUNT +PRINCIPAL +CREDENTIAL$/);
  });

  it("apply's results at 80 columns: the left-out detail points at --wide (apply has no --format json)", () => {
    const oneAccount = steps.filter((s) => s.accountId === '111122223333');
    const text = renderApplyResults(
      oneAccount.map((s) => ({
        step: s,
        outcome: 'done' as const,
        detail: 'deactivated; undo reactivates it',
      })),
      { width: 80 },
    );
    fits(text, 80);
    assert.match(text, /\n\(DETAIL not shown to fit the terminal; --wide shows it\)\n/);
    // the long name wraps in its column, whole: its pieces read on, each after a `-`
    const lines = text.split('\n');
    const at = lines.findIndex((l) => l.includes('a-service-account'));
    const next = lines.slice(at + 1);
    const rest = next.slice(
      0,
      next.findIndex((l) => !l.startsWith(' ')),
    );
    const pieces = [lines[at]!.split(/ {2,}/)[2]!, ...rest.map((l) => l.trim())];
    assert.equal(pieces.join(''), LONG, text);
  });
});
