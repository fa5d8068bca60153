/**
 * The collect stage of a live audit (loaded only for one: it brings the AWS SDK): which accounts,
 * then each account's inventory, with at most `concurrency` accounts in flight. A failed account is
 * an AccountResult with the AWS error; the others go on.
 */
import { type AwsClients, createClients, destroyClients } from '../aws/clients.ts';
import type { AccountResult } from '../model/finding.ts';
import type { PollOptions } from '../sources/access-advisor/last-accessed.ts';
import { collectAccountInventory } from './audit-account.ts';
import { type AccountTarget, fanOutAccounts, resolveAccountTargets } from './audit-accounts.ts';
import { collectPermissionInventory, collectPermissionsInAccounts } from './audit-permissions.ts';
import type { InventoryItem } from './judge.ts';
import { type AuditSettings, PRINCIPAL_CONCURRENCY } from './settings.ts';

export interface LiveCollectDeps {
  /** The caller's clients; made from the settings' connection (and destroyed after) when absent. */
  clients?: AwsClients;
  sleep: (ms: number) => Promise<void>;
  /** Told the number of accounts once they are known; ticked per account. */
  progress?: (accounts: number) => { tick(failed: boolean): void; stop(): void };
  /** Exactly these accounts (a Step Functions item), instead of the settings' selection. */
  targets?: readonly AccountTarget[];
  /**
   * Report path: days before a key becomes unused in which its id is wanted (owner warnings); default
   * the settings' reportPath.keyIdWindowDays (the configuration's notifications.ownerWarningDays).
   */
  keyIdWindowDays?: number;
  /** Report path: users with CloudTrail evidence, whose key ids are wanted to match it. */
  keyIdEvidenceArns?: ReadonlySet<string>;
}

export interface LiveInventory {
  items: InventoryItem[];
  accounts: AccountResult[];
  /** The caller's partition: aws, aws-cn, aws-us-gov… (undefined: not asked, single-account permissions). */
  partition?: string;
}

export async function collectLive(settings: AuditSettings, deps: LiveCollectDeps): Promise<LiveInventory> {
  const input = settings.input;
  if (input.kind === 'report') throw new Error('collectLive: a report audit is not live');
  const clients = deps.clients ?? createClients(settings.connection);
  try {
    const poll: PollOptions = { sleep: deps.sleep };
    const single = input.kind === 'permissions' && !settings.targets.org && !settings.targets.accounts;
    if (single) {
      // One account: the caller's own, as the caller (no STS call); the envelope lists it only when
      // it failed, as before --accounts/--org existed.
      const { items, failures } = await collectPermissionInventory(clients.iam, {
        granularity: input.granularity,
        concurrency: input.principalConcurrency,
        poll,
        ...(input.principals?.length ? { principals: input.principals } : {}),
      });
      return {
        items: items.map((i) => ({ kind: 'permissions', ...i, granularity: input.granularity })),
        accounts: failures,
      };
    }
    // Given targets still ask who the caller is: member role ARNs live in the caller's partition.
    const resolved = await resolveAccountTargets(
      clients,
      deps.targets ? { accounts: deps.targets.map((t) => t.accountId) } : settings.targets,
    );
    const partition = resolved.partition;
    const targets = deps.targets ?? resolved.targets;
    const progress = deps.progress?.(targets.length);
    const fanOut = {
      concurrency: settings.fanOut.concurrency,
      roleName: settings.fanOut.roleName,
      partition,
      ...(settings.fanOut.externalId ? { externalId: settings.fanOut.externalId } : {}),
      onAccountDone: (account: AccountResult) => progress?.tick(account.status === 'failed'),
    };
    try {
      if (input.kind === 'permissions') {
        const { items, accounts } = await collectPermissionsInAccounts(
          settings.connection,
          clients,
          targets,
          {
            ...fanOut,
            accountConcurrency: settings.fanOut.concurrency,
            granularity: input.granularity,
            concurrency: input.principalConcurrency,
            poll,
          },
        );
        return {
          items: items.map((i) => ({ kind: 'permissions', ...i, granularity: input.granularity })),
          accounts,
          partition,
        };
      }
      const collected = await fanOutAccounts(
        settings.connection,
        clients,
        targets,
        { ...fanOut, source: input.source },
        (iam, accountId) =>
          collectAccountInventory(iam, accountId, {
            source: input.source,
            asOf: settings.evaluation.asOf,
            principalConcurrency: PRINCIPAL_CONCURRENCY,
            poll,
            sshPublicKeys: settings.reportPath.sshPublicKeys,
            keyIds: {
              evaluation: settings.evaluation,
              windowDays: deps.keyIdWindowDays ?? settings.reportPath.keyIdWindowDays,
              ...(deps.keyIdEvidenceArns ? { evidenceArns: deps.keyIdEvidenceArns } : {}),
            },
          }),
        (result) => ({ result, principals: [], caveats: new Map() }),
      );
      return {
        items: collected.flatMap((account) =>
          account.principals.map(
            (principal): InventoryItem => ({
              kind: 'credentials',
              principal,
              ...(account.caveats.has(principal.arn) ? { caveats: account.caveats.get(principal.arn)! } : {}),
            }),
          ),
        ),
        accounts: collected.map((a) => a.result),
        partition,
      };
    } finally {
      progress?.stop();
    }
  } finally {
    if (!deps.clients) destroyClients(clients);
  }
}
