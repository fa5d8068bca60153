/**
 * The rules against an independent implementation (./oracle.ts): random credential-report rows, random
 * thresholds and as-of dates; every finding must agree field by field.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { auditCredentialReport } from '../../src/audit/audit-credential-report.ts';
import { oracle } from './oracle.ts';

const COLUMNS = [
  'user',
  'arn',
  'user_creation_time',
  'password_enabled',
  'password_last_used',
  'password_last_changed',
  'password_next_rotation',
  'mfa_active',
  'access_key_1_active',
  'access_key_1_last_rotated',
  'access_key_1_last_used_date',
  'access_key_2_active',
  'access_key_2_last_rotated',
  'access_key_2_last_used_date',
  'cert_1_active',
  'cert_1_last_rotated',
  'cert_2_active',
  'cert_2_last_rotated',
] as const;

// Dates around every boundary the rules know: tracking starts, the 2018 gap, and recent days.
const instant = fc.oneof(
  fc.integer({ min: Date.UTC(2008, 0, 1), max: Date.UTC(2027, 0, 1) }),
  fc.integer({ min: Date.UTC(2014, 9, 18), max: Date.UTC(2014, 9, 22) }),
  fc.integer({ min: Date.UTC(2015, 3, 20), max: Date.UTC(2015, 3, 24) }),
  fc.integer({ min: Date.UTC(2018, 4, 1), max: Date.UTC(2018, 4, 28) }),
);
const offsets = fc.constantFrom('+00:00', 'Z', '+02:00', '-05:30');
function formatDate(ms: number, offset: string): string {
  const shift =
    offset === 'Z'
      ? 0
      : (offset[0] === '-' ? -1 : 1) *
        (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6))) *
        60_000;
  return new Date(Math.floor((ms + shift) / 1000) * 1000).toISOString().slice(0, 19) + offset;
}
const dateCell = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(instant, offsets).map(([ms, o]) => formatDate(ms, o)) },
  { weight: 1, arbitrary: fc.constantFrom('N/A', 'no_information', 'not_supported', '') },
);
const boolCell = fc.constantFrom('true', 'false', 'TRUE', 'False');

const row = fc.record({
  user: fc.constantFrom('alice', '<root_account>', 'svc,deploy', '=cmd+x@y'),
  user_creation_time: fc.tuple(instant, offsets).map(([ms, o]) => formatDate(ms, o)),
  password_enabled: fc.constantFrom('true', 'FALSE', 'not_supported', 'false'),
  password_last_used: dateCell,
  password_last_changed: dateCell,
  password_next_rotation: dateCell,
  mfa_active: boolCell,
  access_key_1_active: boolCell,
  access_key_1_last_rotated: dateCell,
  access_key_1_last_used_date: dateCell,
  access_key_2_active: boolCell,
  access_key_2_last_rotated: dateCell,
  access_key_2_last_used_date: dateCell,
  cert_1_active: boolCell,
  cert_1_last_rotated: dateCell,
  cert_2_active: boolCell,
  cert_2_last_rotated: dateCell,
});

function toCsv(r: Record<string, string>): string {
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return `${COLUMNS.join(',')}\n${COLUMNS.map((c) => cell(r[c] ?? '')).join(',')}\n`;
}

describe('rules agree with an independent implementation', () => {
  it('on 3 000 random rows, thresholds and as-of dates', async () => {
    await fc.assert(
      fc.asyncProperty(
        row,
        fc.integer({ min: 0, max: 2000 }),
        fc.oneof(
          fc.integer({ min: Date.UTC(2014, 0, 1), max: Date.UTC(2027, 0, 1) }),
          // Mostly as-of dates that put some credential right at the threshold (days−1, days, days+1).
          fc.record({
            anchor: fc.constantFrom(...COLUMNS.filter((c) => /time|used|rotated|changed/.test(c))),
            delta: fc.integer({ min: -1, max: 1 }),
            ms: fc.integer({ min: 0, max: 86_399_999 }),
          }),
        ),
        async (r, days, when) => {
          const full = {
            ...r,
            arn: `arn:aws:iam::123456789012:${r.user === '<root_account>' ? 'root' : `user/${r.user}`}`,
          };
          let asOf =
            typeof when === 'number' ? when : Date.parse(full[when.anchor as keyof typeof full] ?? '');
          if (typeof when !== 'number') {
            if (Number.isNaN(asOf)) asOf = Date.parse(full.user_creation_time);
            asOf += (days + when.delta) * 86_400_000 + when.ms - 43_200_000;
          }
          const expected = oracle(full, asOf, days);
          const actual = [];
          for await (const f of auditCredentialReport(Readable.from([toCsv(full)]), 'r.csv', {
            asOf,
            thresholdDays: days,
          })) {
            actual.push({
              credential: f.credential,
              status: f.status,
              lastUsed: f.lastUsed === null ? null : Date.parse(f.lastUsed),
              lastActivity: Date.parse(f.lastActivity),
              lastActivitySource: f.lastActivitySource,
              ageDays: f.ageDays,
              neverUsed: f.neverUsed,
              caveats: f.caveats,
            });
          }
          assert.deepEqual(actual, expected);
        },
      ),
      { numRuns: 3000, seed: 20261123 },
    );
  });
});
