/** Text for a run diff, shared by `credsweep diff` and the scheduled run's notifications. Pure. */
import type { CredentialChange, RunDiff } from './diff-runs.ts';

export function describeChange(c: CredentialChange): string {
  const what = [
    c.credential,
    c.accessKeyId ?? c.sshPublicKeyId ?? c.serviceSpecificCredentialId,
    c.action ?? c.service,
  ]
    .filter(Boolean)
    .join(' ');
  const transition = `${c.before ?? 'new'} → ${c.after ?? 'removed'}`;
  const age = c.ageDays === undefined ? '' : `, ${c.ageDays} days since last activity`;
  return `${c.accountId} ${c.principalName} ${what}: ${transition}${age}`;
}

/** Section by section; at most `limit` lines per section, then "… and N more". */
export function renderDiffText(diff: RunDiff, limit = Number.POSITIVE_INFINITY): string {
  const sections: [string, CredentialChange[]][] = [
    ['Newly unused', diff.newlyUnused],
    ['Newly in use', diff.newlyInUse],
    ['No longer unused (deactivated, exempted, …)', diff.resolved],
    ['Removed', diff.removed],
  ];
  const lines: string[] = [];
  for (const [title, changes] of sections) {
    if (changes.length === 0) continue;
    lines.push(`${title} (${changes.length}):`);
    for (const c of changes.slice(0, limit)) lines.push(`  ${describeChange(c)}`);
    if (changes.length > limit) lines.push(`  … and ${changes.length - limit} more`);
  }
  if (diff.notAudited.length > 0) {
    lines.push(
      `Not audited this time (their credentials are not counted as removed): ${diff.notAudited.join(', ')}`,
    );
  }
  if (lines.length === 0) lines.push('No changes.');
  return `${lines.join('\n')}\n`;
}
