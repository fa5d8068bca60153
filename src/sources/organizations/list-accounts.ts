/**
 * The Organization's member accounts (`--org`): ListAccounts, paginated, ACTIVE accounts only
 * (docs/aws-behaviour.md §5). Callable from the management account or a delegated
 * administrator.
 */
import { type OrganizationsClient, paginateListAccounts } from '@aws-sdk/client-organizations';

export const ORGANIZATIONS_PERMISSIONS = ['organizations:ListAccounts'] as const;

export interface OrganizationAccount {
  accountId: string;
  name?: string;
}

export async function listActiveAccounts(organizations: OrganizationsClient): Promise<OrganizationAccount[]> {
  const accounts: OrganizationAccount[] = [];
  for await (const page of paginateListAccounts({ client: organizations, pageSize: 20 }, {})) {
    for (const account of page.Accounts ?? []) {
      // `Status` is deprecated in favour of `State`; either says ACTIVE for a live account.
      const state = account.State ?? account.Status;
      if (account.Id && state === 'ACTIVE') {
        accounts.push({ accountId: account.Id, ...(account.Name ? { name: account.Name } : {}) });
      }
    }
  }
  return accounts.sort((a, b) => a.accountId.localeCompare(b.accountId));
}
