/**
 * Virtual MFA devices assigned to no user: ListVirtualMFADevices(AssignmentStatus=Unassigned),
 * paginated (docs/aws-behaviour.md §9). Only the serial number is kept: the response shape also
 * has Base32StringSeed and QRCodePNG (moto even fills them), which are secrets and never leave here.
 */
import { type IAMClient, paginateListVirtualMFADevices } from '@aws-sdk/client-iam';
import type { Principal } from '../../model/inventory.ts';
import type { EpochMs } from '../../time.ts';
import { tagsToRecord } from './tags.ts';

export const VIRTUAL_MFA_DEVICE_PERMISSIONS = ['iam:ListVirtualMFADevices'] as const;

const MFA_ARN = /^arn:[^:]+:iam::(\d{12}):mfa\/(.+)$/;

/**
 * Each unassigned device as a principal of type `mfa_device` (it has no user to belong to). AWS keeps
 * no date for it: `createdAt` is `listedAt`, the audit's as-of date.
 */
export async function collectUnassignedMfaDevices(iam: IAMClient, listedAt: EpochMs): Promise<Principal[]> {
  const devices: Principal[] = [];
  const pages = paginateListVirtualMFADevices(
    { client: iam, pageSize: 1000 },
    { AssignmentStatus: 'Unassigned' },
  );
  for await (const page of pages) {
    for (const device of page.VirtualMFADevices ?? []) {
      const serialNumber = device.SerialNumber;
      const parsed = serialNumber ? MFA_ARN.exec(serialNumber) : null;
      // a device with a user is assigned, whatever the filter said
      if (!serialNumber || !parsed || device.User) continue;
      devices.push({
        accountId: parsed[1]!,
        type: 'mfa_device',
        name: parsed[2]!,
        arn: serialNumber,
        createdAt: listedAt,
        password: null,
        accessKeys: [],
        signingCertificates: [],
        virtualMfaDevice: { serialNumber },
        ...(device.Tags && device.Tags.length > 0 ? { tags: tagsToRecord(device.Tags) } : {}),
      });
    }
  }
  return devices.sort((a, b) => a.name.localeCompare(b.name));
}
