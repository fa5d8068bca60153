/**
 * `credsweep trail --format table`: the TrailSummary as three aligned tables (access keys, role
 * assumptions, console sign-ins) and a files line. Everything from the trail is untrusted text, so
 * every cell goes through printable().
 */
import type { TrailSummary } from '../model/trail-summary.ts';
import { printable } from './printable.ts';

function table(headers: readonly string[], rows: string[][]): string {
  const cells = [headers.slice(), ...rows].map((r) => r.map((c) => printable(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const day = (iso: string | null) => (iso === null ? '-' : iso.replace('T', ' ').replace(/Z$/, ''));

export function renderTrailTable(summary: TrailSummary): string {
  const parts: string[] = [];
  parts.push(`Access keys (${summary.accessKeys.length})`);
  parts.push(
    summary.accessKeys.length === 0
      ? '  none'
      : table(
          [
            'ACCESS KEY',
            'PRINCIPAL',
            'FIRST SEEN',
            'LAST SEEN',
            'EVENTS',
            'LAST EVENT',
            'REGIONS',
            'SERVICES',
            'SOURCE IPS',
          ],
          summary.accessKeys.map((k) => [
            k.accessKeyId,
            k.principalArn ?? '-',
            day(k.firstSeen),
            day(k.lastSeen),
            String(k.events),
            k.lastEventName,
            k.regions.join(','),
            String(k.services.length),
            `${k.sourceIps.count}: ${k.sourceIps.top.join(', ')}${k.sourceIps.count > k.sourceIps.top.length ? ', …' : ''}`,
          ]),
        ),
  );
  parts.push('', `Roles assumed (${summary.roles.length})`);
  parts.push(
    summary.roles.length === 0
      ? '  none'
      : table(
          ['ROLE', 'LAST ASSUMED', 'BY', 'FROM', 'EVENTS'],
          summary.roles.map((r) => [
            r.roleArn,
            day(r.lastAssumed),
            r.lastAssumedBy ?? '-',
            r.lastSourceIp ?? '-',
            String(r.assumeEvents),
          ]),
        ),
  );
  parts.push('', `Console sign-ins (${summary.consoleLogins.length})`);
  parts.push(
    summary.consoleLogins.length === 0
      ? '  none'
      : table(
          ['PRINCIPAL', 'LAST SUCCESS', 'SUCCESSES', 'FAILURES'],
          summary.consoleLogins.map((l) => [
            l.principalArn,
            day(l.lastSuccess),
            String(l.successes),
            String(l.failures),
          ]),
        ),
  );
  parts.push(
    '',
    `${summary.records} records in ${summary.files.scanned} files` +
      (summary.files.bad.length > 0 ? `; ${summary.files.bad.length} bad files skipped:` : ''),
  );
  for (const bad of summary.files.bad) parts.push(printable(`  ${bad.path}: ${bad.error}`));
  return `${parts.join('\n')}\n`;
}
