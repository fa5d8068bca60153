/**
 * Seeds SSH public keys and virtual MFA devices in moto at past dates (moto implements both,
 * docs/aws-behaviour.md §9): user dev with SSH keys uploaded 200 days ago (active), 10 days ago
 * (active) and 200 days ago (inactive); user ops with an assigned device; one unassigned device.
 */
import {
  CreateUserCommand,
  CreateVirtualMFADeviceCommand,
  EnableMFADeviceCommand,
  type IAMClient,
  UpdateSSHPublicKeyCommand,
  UploadSSHPublicKeyCommand,
} from '@aws-sdk/client-iam';
import type { MotoServer } from './moto.ts';

/** Public halves only (ssh-keygen -t ed25519), as UploadSSHPublicKey wants. */
const PUBLIC_KEYS = [
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAILHQ51krKibIkOa4ksuMlBg5Ia0nfKdy2E0+d1n/a9/T old',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGh6m0v1mE4mVQ9lYbT3q6r6m0v1mE4mVQ9lYbT3q6r6 recent',
  'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ8s0s1mE4mVQ9lYbT3q6r6m0v1mE4mVQ9lYbT3q6rAB inactive',
];

export interface SeededKinds {
  oldKey: string;
  recentKey: string;
  inactiveKey: string;
  seeds: string[];
}

/** dev: created 300 days ago, with SSH keys uploaded 200 (active), 10 (active) and 200 (inactive) days ago. */
export async function seedCredentialKinds(moto: MotoServer, iam: IAMClient): Promise<SeededKinds> {
  const upload = async (daysAgo: number, body: string) => {
    await moto.setClockOffsetDays(-daysAgo);
    const { SSHPublicKey } = await iam.send(
      new UploadSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyBody: body }),
    );
    return SSHPublicKey!.SSHPublicKeyId!;
  };
  await moto.setClockOffsetDays(-300);
  await iam.send(new CreateUserCommand({ UserName: 'dev' }));
  await iam.send(new CreateUserCommand({ UserName: 'ops' }));
  const oldKey = await upload(200, PUBLIC_KEYS[0]!);
  const inactiveKey = await upload(200, PUBLIC_KEYS[2]!);
  const recentKey = await upload(10, PUBLIC_KEYS[1]!);
  await moto.setClockOffsetDays(0);
  await iam.send(
    new UpdateSSHPublicKeyCommand({ UserName: 'dev', SSHPublicKeyId: inactiveKey, Status: 'Inactive' }),
  );
  const seeds: string[] = [];
  for (const name of ['spare-token', 'ops-token']) {
    const { VirtualMFADevice } = await iam.send(
      new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: name }),
    );
    seeds.push(Buffer.from(VirtualMFADevice!.Base32StringSeed!).toString('utf8'));
  }
  await iam.send(
    new EnableMFADeviceCommand({
      UserName: 'ops',
      SerialNumber: 'arn:aws:iam::123456789012:mfa/ops-token',
      AuthenticationCode1: '123456',
      AuthenticationCode2: '654321',
    }),
  );
  return { oldKey, recentKey, inactiveKey, seeds };
}
