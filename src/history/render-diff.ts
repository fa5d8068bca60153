/** Text for a run diff, shared by `credsweep diff` and the scheduled run's notifications. Pure. */
import { type Column, renderTable, WIDE_OR_JSON } from '../reporters/fit-table.ts';
import { wrapText } from '../reporters/text-width.ts';
import { printable } from '../reporters/printable.ts';
import type { CredentialChange, RunDiff } from './diff-runs.ts';

/** The diff's sections in the order both renderings show them. */
function diffSections(diff: RunDiff): [string, CredentialChange[]][] {
  return [
    ['Newly unused', diff.newlyUnused],
    ['Newly in use', diff.newlyInUse],
    ['No longer unused (deactivated, exempted, …)', diff.resolved],
    ['Removed', diff.removed],
  ];
}

/** The credential's own id, whichever kind it is (access key, SSH key, service-specific credential). */
const credentialIdOf = (c: CredentialChange) =>
  c.accessKeyId ?? c.sshPublicKeyId ?? c.serviceSpecificCredentialId;
const transitionOf = (c: CredentialChange) => `${c.before ?? 'new'} → ${c.after ?? 'removed'}`;

export function describeChange(c: CredentialChange): string {
  const what = [c.credential, credentialIdOf(c), c.action ?? c.service].filter(Boolean).join(' ');
  const transition = transitionOf(c);
  const age = c.ageDays === undefined ? '' : `, ${c.ageDays} days since last activity`;
  return `${c.accountId} ${c.principalName} ${what}: ${transition}${age}`;
}

/** Section by section; at most `limit` lines per section, then "… and N more". */
export function renderDiffText(diff: RunDiff, limit = Number.POSITIVE_INFINITY): string {
  const lines: string[] = [];
  for (const [title, changes] of diffSections(diff)) {
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

const CHANGE_COLUMNS: readonly Column[] = [
  { header: 'ACCOUNT', shorten: 'none', constantLabel: 'account' },
  // never cut: it wraps, or has a line of its own under each change (fit-table.ts says why)
  { header: 'PRINCIPAL', identifies: true },
  { header: 'CREDENTIAL', minWidth: 12 },
  { header: 'KEY ID', shorten: 'none', optional: 1 },
  { header: 'CHANGE', shorten: 'none' },
  { header: 'AGE', align: 'right', shorten: 'none', optional: 2 },
];

function changeRow(c: CredentialChange): string[] {
  const detail = c.action ?? c.service;
  return [
    c.accountId,
    c.principalName,
    `${c.credential.replaceAll('_', ' ')}${detail ? ` ${detail}` : ''}`,
    credentialIdOf(c) ?? '',
    transitionOf(c),
    c.ageDays === undefined ? '' : `${c.ageDays}d`,
  ];
}

/** `credsweep diff`: one table per section, fitted to `width` when given (src/reporters/fit-table.ts). */
export function renderDiffTable(diff: RunDiff, width?: number): string {
  const lines: string[] = [];
  for (const [title, changes] of diffSections(diff)) {
    if (changes.length === 0) continue;
    if (lines.length > 0) lines.push('');
    lines.push(`${title} (${changes.length}):`);
    const rows = changes.map((c) => changeRow(c).map(printable));
    const keep = (_: unknown, i: number) => i !== 3 || rows.some((r) => r[3] !== '');
    lines.push(
      renderTable(
        CHANGE_COLUMNS.filter(keep),
        rows.map((r) => r.filter(keep)),
        width === undefined ? undefined : width - 2,
        WIDE_OR_JSON,
      )
        .split('\n')
        .map((l) => `  ${l}`)
        .join('\n'),
    );
  }
  if (diff.notAudited.length > 0) {
    lines.push(
      ...wrapText(
        printable(
          `Not audited this time (their credentials are not counted as removed): ${diff.notAudited.join(', ')}`,
        ),
        width,
      ),
    );
  }
  if (lines.length === 0) lines.push('No changes.');
  return `${lines.join('\n')}\n`;
}
