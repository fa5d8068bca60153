import { DeleteLoginProfileCommand, GetLoginProfileCommand, GetUserCommand } from '@aws-sdk/client-iam';
import { isNoSuchEntity, isoOrNull, missing, type RemediationAction, unusedForThreshold } from './action.ts';

/**
 * DeleteLoginProfile: irreversible (the password is gone; a new one would be a different secret), so
 * planned only with --allow-irreversible. GetLoginProfile's 404 is the only test for "has a password";
 * PasswordLastUsed survives a deleted password, so it is read only to detect new use
 * (docs/aws-behaviour.md §2 ListUsers/GetUser, GetLoginProfile).
 */
export const deleteLoginProfile: RemediationAction = {
  id: 'delete-login-profile',
  reversible: false,
  principalTypes: ['user'],
  credentials: ['password'],
  judgedBy: ['password'],
  // Unused now by the plan's password threshold: the later of the last sign-in and when the password was
  // set (GetLoginProfile's CreateDate: a password re-created since its last use is a new one).
  eligibility: (state, ctx) =>
    missing(state, 'the login profile') ?? unusedForThreshold(state, ctx, 'password', 'the password'),
  permissions: ['iam:GetLoginProfile', 'iam:GetUser', 'iam:DeleteLoginProfile'],
  undoPermissions: [],
  async readState(clients, step) {
    const iam = await clients.iam(step.accountId);
    let createdAt: string | null = null;
    try {
      const profile = await iam.send(new GetLoginProfileCommand({ UserName: step.principalName }));
      createdAt = isoOrNull(profile.LoginProfile?.CreateDate);
    } catch (e) {
      if (isNoSuchEntity(e)) return { exists: false, lastUsed: null, targetId: step.principalName };
      throw e;
    }
    const user = await iam.send(new GetUserCommand({ UserName: step.principalName }));
    return {
      exists: true,
      lastUsed: isoOrNull(user.User?.PasswordLastUsed),
      targetId: step.principalName,
      ...(createdAt ? { createdAt } : {}),
    };
  },
  async act(clients, step) {
    const iam = await clients.iam(step.accountId);
    await iam.send(new DeleteLoginProfileCommand({ UserName: step.principalName }));
  },
  isDone: (state) => !state.exists,
};
