/**
 * A credential report should list each user once, but real ones don't always (a recorded AWS response
 * among our fixtures repeats a user with different data). Two rows for one ARN are merged so the tool
 * never calls a credential unused on the strength of the staler row: the newest evidence of use wins,
 * a credential present in either row exists, and active in either row means active.
 */
import type { AccessKeyCredential, Principal, SigningCertificateCredential } from '../../model/inventory.ts';

export function mergeDuplicateRows(a: Principal, b: Principal): Principal {
  return {
    ...a,
    createdAt: Math.min(a.createdAt, b.createdAt),
    password:
      a.password && b.password
        ? {
            lastUsed: newest(a.password.lastUsed, b.password.lastUsed),
            lastChanged: newest(a.password.lastChanged, b.password.lastChanged),
          }
        : (a.password ?? b.password),
    accessKeys: mergeSlots(a.accessKeys, b.accessKeys, (x, y) => ({
      ...x,
      active: x.active || y.active,
      lastUsed: newest(x.lastUsed, y.lastUsed),
      lastRotated: newest(x.lastRotated, y.lastRotated),
      ...((y.lastUsed ?? -Infinity) > (x.lastUsed ?? -Infinity)
        ? { lastUsedService: y.lastUsedService, lastUsedRegion: y.lastUsedRegion }
        : {}),
    })),
    signingCertificates: mergeSlots(a.signingCertificates, b.signingCertificates, (x, y) => ({
      ...x,
      active: x.active || y.active,
      lastRotated: newest(x.lastRotated, y.lastRotated),
    })),
    duplicateRows: (a.duplicateRows ?? 1) + (b.duplicateRows ?? 1),
  };
}

function newest(x: number | null, y: number | null): number | null {
  if (x === null) return y;
  if (y === null) return x;
  return Math.max(x, y);
}

function mergeSlots<T extends AccessKeyCredential | SigningCertificateCredential>(
  xs: T[],
  ys: T[],
  merge: (x: T, y: T) => T,
): T[] {
  const bySlot = new Map<number, T>(xs.map((x) => [x.slot, x]));
  for (const y of ys) {
    const x = bySlot.get(y.slot);
    bySlot.set(y.slot, x ? merge(x, y) : y);
  }
  return [...bySlot.values()].sort((p, q) => p.slot - q.slot);
}
