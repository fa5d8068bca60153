/**
 * `credsweep trail --format table`: the TrailSummary as three aligned tables (access keys, role
 * assumptions, console sign-ins) and a files line. Everything from the trail is untrusted text, so
 * every cell goes through printable().
 */
import type { TrailSummary } from '../model/trail-summary.ts';
import { type Column, renderTable, WIDE_OR_JSON } from './fit-table.ts';
import { wrapText } from './text-width.ts';
import { printable } from './printable.ts';
import { counted } from '../plural.ts';

function table(columns: readonly Column[], rows: string[][], width?: number): string {
  return renderTable(
    columns,
    rows.map((r) => r.map((c) => printable(c))),
    width,
    WIDE_OR_JSON,
  );
}

// Who used a key or assumed a role is what a reader follows up: an ARN is never cut (fit-table.ts
// says why). It wraps in no fewer than 26 columns (`arn:aws:iam::111122223333:` is one piece),
// else it has a line of its own under each row, as it does at 80 columns.
const ARN: Column = { header: '', identifies: true, minWidth: 26 };
const WHEN: Column = { header: '', shorten: 'none' };
const COUNT: Column = { header: '', align: 'right', shorten: 'none' };
const col = (base: Column, header: string, extra: Partial<Column> = {}): Column => ({
  ...base,
  header,
  ...extra,
});

const day = (iso: string | null) => (iso === null ? '-' : iso.replace('T', ' ').replace(/Z$/, ''));

/** `width`: the terminal's, to fit (every column whole without it). */
export function renderTrailTable(summary: TrailSummary, width?: number): string {
  const parts: string[] = [];
  // (a title wraps too: `Console sign-ins (1)` is wider than a 10-column terminal)
  const title = (text: string) => wrapText(text, width);
  parts.push(...title(`Access keys (${summary.accessKeys.length})`));
  parts.push(
    summary.accessKeys.length === 0
      ? '  none'
      : table(
          [
            { header: 'ACCESS KEY', shorten: 'none' },
            col(ARN, 'PRINCIPAL'),
            col(WHEN, 'FIRST SEEN', { optional: 4 }),
            col(WHEN, 'LAST SEEN'),
            col(COUNT, 'EVENTS'),
            { header: 'LAST EVENT', optional: 2 },
            { header: 'REGIONS', optional: 3 },
            col(COUNT, 'SERVICES', { optional: 5 }),
            // Where a key was used from is what tells a leaked key: kept, cut at its end (the count first).
            { header: 'SOURCE IPS', shorten: 'end', minWidth: 20 },
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
          width,
        ),
  );
  parts.push('', ...title(`Roles assumed (${summary.roles.length})`));
  parts.push(
    summary.roles.length === 0
      ? '  none'
      : table(
          [
            col(ARN, 'ROLE'),
            col(WHEN, 'LAST ASSUMED'),
            col(ARN, 'BY'),
            // an address cut short names no address: whole, or left out (and the note says so)
            { header: 'FROM', optional: 1, shorten: 'none' },
            col(COUNT, 'EVENTS'),
          ],
          summary.roles.map((r) => [
            r.roleArn,
            day(r.lastAssumed),
            r.lastAssumedBy ?? '-',
            r.lastSourceIp ?? '-',
            String(r.assumeEvents),
          ]),
          width,
        ),
  );
  parts.push('', ...title(`Console sign-ins (${summary.consoleLogins.length})`));
  parts.push(
    summary.consoleLogins.length === 0
      ? '  none'
      : table(
          [col(ARN, 'PRINCIPAL'), col(WHEN, 'LAST SUCCESS'), col(COUNT, 'SUCCESSES'), col(COUNT, 'FAILURES')],
          summary.consoleLogins.map((l) => [
            l.principalArn,
            day(l.lastSuccess),
            String(l.successes),
            String(l.failures),
          ]),
          width,
        ),
  );
  parts.push(
    '',
    ...wrapText(
      `${counted(summary.records, 'record')} in ${counted(summary.files.scanned, 'file')}` +
        (summary.files.bad.length > 0 ? `; ${counted(summary.files.bad.length, 'bad file')} skipped:` : ''),
      width,
    ),
  );
  for (const bad of summary.files.bad)
    parts.push(...wrapText(printable(`  ${bad.path}: ${bad.error}`), width));
  return `${parts.join('\n')}\n`;
}
