/**
 * Seeds an Organization in moto for the fan-out tests and the load benchmark: the management
 * account (moto's default) creates `members` accounts (moto gives each an
 * OrganizationAccountAccessRole, docs/aws-behaviour.md §7.5), and every account gets a few users whose
 * credentials cover the states the rules tell apart (a never-used key, a password, an inactive key,
 * an exempt user). Seeding talks to moto directly, never through a fault proxy.
 */
import {
  CreateAccessKeyCommand,
  CreateLoginProfileCommand,
  CreateUserCommand,
  GenerateCredentialReportCommand,
  IAMClient,
  TagUserCommand,
  UpdateAccessKeyCommand,
} from '@aws-sdk/client-iam';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { mapBounded } from '../../src/audit/map-bounded.ts';
import { inAccount, MOTO_DEFAULT_ACCOUNT, type MotoClientConfig } from './moto.ts';

export interface SeededOrg {
  managementAccountId: string;
  memberAccountIds: string[];
  /** Every account of the org, management first. */
  allAccountIds: string[];
}

/**
 * For the fault proxy's `streamOf`: each member's fault stream named after its place in the org
 * (`member-7`) instead of the ID moto invented, so a seeded proxy injects the same faults every run.
 */
export function streamsByPlace(org: SeededOrg): (account: string) => string {
  const names = new Map(org.memberAccountIds.map((id, i) => [id, `member-${i}`]));
  return (account) => names.get(account) ?? account;
}

/** Creates the org and its members, then `usersPerAccount` users in each account. */
export async function seedOrg(
  config: MotoClientConfig,
  options: {
    members: number;
    usersPerAccount?: number;
    concurrency?: number;
    /** Generate each account's credential report now, as AWS keeps one for 4 hours (§1.5). */
    generateReports?: boolean;
  },
): Promise<SeededOrg> {
  const org = new OrganizationsClient(config);
  await org.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
  const members = await mapBounded(
    Array.from({ length: options.members }, (_, i) => i),
    options.concurrency ?? 8,
    async (i) => {
      const created = await org.send(
        new CreateAccountCommand({ AccountName: `member-${i}`, Email: `member-${i}@example.com` }),
      );
      const id = created.CreateAccountStatus?.AccountId;
      if (!id) throw new Error('moto CreateAccount returned no account id');
      return id;
    },
  );
  org.destroy();
  const all = [MOTO_DEFAULT_ACCOUNT, ...members];
  await mapBounded(all, options.concurrency ?? 8, (account) =>
    seedAccountUsers(config, account, options.usersPerAccount ?? 4, options.generateReports ?? false),
  );
  return { managementAccountId: MOTO_DEFAULT_ACCOUNT, memberAccountIds: members, allAccountIds: all };
}

async function seedAccountUsers(
  config: MotoClientConfig,
  account: string,
  users: number,
  generateReport: boolean,
): Promise<void> {
  const iam = inAccount(new IAMClient(config), account);
  try {
    for (let i = 0; i < users; i++) {
      const UserName = `user-${account.slice(-4)}-${i}`;
      await iam.send(new CreateUserCommand({ UserName }));
      switch (i % 4) {
        case 0:
          await iam.send(new CreateAccessKeyCommand({ UserName }));
          break;
        case 1:
          await iam.send(new CreateLoginProfileCommand({ UserName, Password: 'Seed-password-1!' }));
          break;
        case 2: {
          await iam.send(new CreateAccessKeyCommand({ UserName }));
          const second = await iam.send(new CreateAccessKeyCommand({ UserName }));
          await iam.send(
            new UpdateAccessKeyCommand({
              UserName,
              AccessKeyId: second.AccessKey!.AccessKeyId!,
              Status: 'Inactive',
            }),
          );
          break;
        }
        default:
          await iam.send(new CreateAccessKeyCommand({ UserName }));
          await iam.send(
            new TagUserCommand({ UserName, Tags: [{ Key: 'credsweep:exempt', Value: 'true' }] }),
          );
      }
    }
    if (generateReport) await iam.send(new GenerateCredentialReportCommand({}));
  } finally {
    iam.destroy();
  }
}
