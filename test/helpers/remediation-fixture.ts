/**
 * One moto account set up for the remediation safety tests (hostile-plan battery, property test):
 *
 *   alice  key unused 120 d, console password never used (user created 300 d ago)
 *   bob    key used 5 d ago (in use)
 *   carol  key unused, tagged credsweep:exempt=true
 *   dave   key unused (a configuration exemption is added after planning)
 *   erin   key unused, exempt by the plan's configuration (ARN glob)
 *   frank  key Inactive, last used 200 d ago (credsweep never deactivated it)
 *   gina   signing certificate uploaded 300 d ago
 *   ops    the caller: its key looks unused to the audit
 *   mia    in member account 111111111111, key unused: an account the audit never covered
 *
 * The plan is made the way a user makes it, from a credential report: the report is downloaded,
 * `audit --report report.csv --format json`, then `plan --from … --config …` as ops (the CSV has no
 * tags: plan reads them itself).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateAccessKeyCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  GetAccessKeyLastUsedCommand,
  GetCredentialReportCommand,
  GetLoginProfileCommand,
  IAMClient,
  ListAccessKeysCommand,
  GetAccountAuthorizationDetailsCommand,
  ListSigningCertificatesCommand,
  ListUsersCommand,
} from '@aws-sdk/client-iam';
import type { RemediationPlan } from '../../src/model/remediation-plan.ts';
import type { RemediationClients } from '../../src/remediation/actions/index.ts';
import { readRemediationPlan } from '../../src/remediation/read-files.ts';
import { runCredsweep } from './cli.ts';
import { inAccount, MOTO_CLI_ENV, MOTO_DEFAULT_ACCOUNT, type MotoServer } from './moto.ts';
import { seedUser } from './seed-iam.ts';

export const MEMBER = '111111111111';
export const PLAN_CONFIG = {
  exemptions: [
    { arn: 'arn:aws:iam::*:user/er*', owner: 'sec', reason: 'vendor integration', expires: '2099-12-31' },
  ],
};
/** The exemption added after planning: apply must honour it. */
export const LATE_EXEMPTION = {
  principal: 'dave',
  owner: 'sec',
  reason: 'incident 42',
  expires: '2099-12-31',
};

export interface RemediationFixture {
  keys: Record<string, string[]>;
  ops: { accessKeyId: string; secretAccessKey: string };
  /** The plan as `plan --from` wrote it (sealed with SHA-256). */
  plan: RemediationPlan;
  planFile: string;
  findingsFile: string;
}

export async function seedRemediationFixture(
  moto: MotoServer,
  iam: IAMClient,
  dir: string,
): Promise<RemediationFixture> {
  const keys: Record<string, string[]> = {};
  const seed = async (spec: Parameters<typeof seedUser>[2]) => {
    keys[spec.name] = (await seedUser(moto, iam, spec)).keyIds;
  };
  await seed({
    name: 'alice',
    createdDaysAgo: 300,
    password: true,
    keys: [{ createdDaysAgo: 300, usedDaysAgo: 120 }],
  });
  await seed({ name: 'bob', createdDaysAgo: 20, keys: [{ createdDaysAgo: 20, usedDaysAgo: 5 }] });
  await seed({
    name: 'carol',
    createdDaysAgo: 300,
    keys: [{ createdDaysAgo: 300 }],
    tags: { 'credsweep:exempt': 'true' },
  });
  await seed({ name: 'dave', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
  await seed({ name: 'erin', createdDaysAgo: 300, keys: [{ createdDaysAgo: 300 }] });
  await seed({
    name: 'frank',
    createdDaysAgo: 400,
    keys: [{ createdDaysAgo: 400, usedDaysAgo: 200, inactive: true }],
  });
  await seed({ name: 'gina', createdDaysAgo: 300, certificate: true });
  await moto.setClockOffsetDays(-300);
  await iam.send(new CreateUserCommand({ UserName: 'ops' }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'ops' }));
  const member = inAccount(new IAMClient(moto.clientConfig()), MEMBER);
  await member.send(new CreateUserCommand({ UserName: 'mia' }));
  const mia = await member.send(new CreateAccessKeyCommand({ UserName: 'mia' }));
  member.destroy();
  await moto.setClockOffsetDays(0);
  const ops = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  keys.ops = [ops.accessKeyId];
  keys.mia = [mia.AccessKey!.AccessKeyId!];

  await iam.send(new GenerateCredentialReportCommand({}));
  const report = await iam.send(new GetCredentialReportCommand({}));
  const csv = join(dir, 'report.csv');
  writeFileSync(csv, Buffer.from(report.Content!));
  const findingsFile = join(dir, 'findings.json');
  const env = { ...MOTO_CLI_ENV, AWS_ENDPOINT_URL: moto.endpoint };
  const audit = await runCredsweep(['audit', '--report', csv, '--format', 'json', '--output', findingsFile], {
    env,
  });
  assert.equal(audit.code, 0, audit.stderr);
  writeFileSync(join(dir, 'plan-config.json'), JSON.stringify(PLAN_CONFIG));
  const planFile = join(dir, 'plan.json');
  const plan = await runCredsweep(
    ['plan', '--from', findingsFile, '--config', join(dir, 'plan-config.json'), '--output', planFile],
    { env: { ...env, AWS_ACCESS_KEY_ID: ops.accessKeyId, AWS_SECRET_ACCESS_KEY: ops.secretAccessKey } },
  );
  assert.equal(plan.code, 0, plan.stderr);
  return { keys, ops, plan: (await readRemediationPlan(planFile)).plan, planFile, findingsFile };
}

/** IAM clients on moto: the default account as is, any other through moto's account header. */
export function motoRemediationClients(
  moto: MotoServer,
  iam: IAMClient,
): RemediationClients & { destroy(): void } {
  const made: IAMClient[] = [];
  return {
    async iam(accountId) {
      if (accountId === MOTO_DEFAULT_ACCOUNT) return iam;
      const client = inAccount(new IAMClient(moto.clientConfig()), accountId);
      made.push(client);
      return client;
    },
    async rootIam() {
      throw new Error('moto has no sts:AssumeRoot');
    },
    destroy() {
      for (const c of made) c.destroy();
    },
  };
}

/**
 * Every user's credentials as moto has them now, in both accounts (statuses, last uses, passwords,
 * certs), the default account's users' inline policies, tags and boundaries, and its roles whole;
 * the member account's roles' inline policies and tags.
 */
export async function snapshotCredentials(
  moto: MotoServer,
  iam: IAMClient,
): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const member = inAccount(new IAMClient(moto.clientConfig()), MEMBER);
  for (const [account, client] of [
    [MOTO_DEFAULT_ACCOUNT, iam],
    [MEMBER, member],
  ] as const) {
    const users = (await client.send(new ListUsersCommand({}))).Users ?? [];
    // One user's reads in sequence, the users at once (moto_server answers requests in threads).
    const states = await Promise.all(
      users.map(async (u) => {
        const name = u.UserName!;
        const listed =
          (await client.send(new ListAccessKeysCommand({ UserName: name }))).AccessKeyMetadata ?? [];
        const keyStates: string[] = [];
        for (const k of listed) {
          const used = await client.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k.AccessKeyId! }));
          keyStates.push(
            `${k.AccessKeyId}:${k.Status}:${used.AccessKeyLastUsed?.LastUsedDate?.toISOString() ?? '-'}`,
          );
        }
        let password = true;
        try {
          await client.send(new GetLoginProfileCommand({ UserName: name }));
        } catch {
          password = false;
        }
        const certs =
          (await client.send(new ListSigningCertificatesCommand({ UserName: name }))).Certificates ?? [];
        return [name, { keys: keyStates, password, certs: certs.map((c) => c.Status) }] as const;
      }),
    );
    for (const [name, state] of states) out[`${account}/${name}`] = state;
  }
  for (const r of (await member.send(new GetAccountAuthorizationDetailsCommand({}))).RoleDetailList ?? []) {
    out[`${MEMBER}/role/${r.RoleName}`] = {
      policies: (r.RolePolicyList ?? []).map((p) => `${p.PolicyName}:${p.PolicyDocument}`).sort(),
      tags: (r.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
    };
  }
  member.destroy();
  // Inline policies, tags and boundaries of users, and roles whole, in one call (not ~10 per principal).
  const details = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
  for (const u of details.UserDetailList ?? []) {
    const user = out[`${MOTO_DEFAULT_ACCOUNT}/${u.UserName}`] as Record<string, unknown>;
    user.policies = (u.UserPolicyList ?? []).map((p) => `${p.PolicyName}:${p.PolicyDocument}`).sort();
    user.tags = (u.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort();
    user.boundary = u.PermissionsBoundary?.PermissionsBoundaryArn ?? null;
  }
  for (const r of details.RoleDetailList ?? []) {
    out[`role/${r.RoleName}`] = {
      id: r.RoleId,
      path: r.Path,
      trust: r.AssumeRolePolicyDocument,
      policies: (r.RolePolicyList ?? []).map((p) => `${p.PolicyName}:${p.PolicyDocument}`).sort(),
      attached: (r.AttachedManagedPolicies ?? []).map((p) => p.PolicyArn).sort(),
      tags: (r.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).sort(),
      boundary: r.PermissionsBoundary?.PermissionsBoundaryArn ?? null,
      profiles: (r.InstanceProfileList ?? []).map((p) => p.InstanceProfileName).sort(),
      lastUsed: r.RoleLastUsed?.LastUsedDate?.toISOString() ?? null,
    };
  }
  return out;
}

export function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** An IAM client whose calls named in `failing` fail (Throttling, after the SDK's own retries). */
export function failingClient(moto: MotoServer, failing: (command: string) => boolean): IAMClient {
  const client = new IAMClient({ ...moto.clientConfig(), maxAttempts: 1 });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (failing((context as { commandName?: string }).commandName ?? '')) {
        throw Object.assign(new Error('Rate exceeded'), {
          name: 'Throttling',
          $metadata: { httpStatusCode: 400 },
        });
      }
      return next(args);
    },
    { step: 'initialize', name: 'failSomeCalls' },
  );
  return client;
}
