/**
 * A seeded generator of realistic credential reports: the AWS column order, a root row per account,
 * users with every credential state the rules distinguish (never used, rotated, inactive, certs).
 */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { seededRandom } from './seeded-random.ts';

export const HEADER =
  'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated';

const DAY = 86_400_000;
const AS_OF = Date.UTC(2026, 10, 1);
const REGIONS = ['us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2'];
const SERVICES = ['s3', 'ec2', 'sts', 'iam', 'lambda', 'dynamodb'];

function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}+00:00`;
}

function userRow(rand: () => number, account: string, i: number): string {
  const created = AS_OF - Math.floor(200 + rand() * 3000) * DAY;
  const daysSince = (from: number) => from + Math.floor(rand() * Math.max(1, (AS_OF - from) / DAY)) * DAY;
  const hasPassword = rand() < 0.4;
  const pwUsed =
    hasPassword && rand() < 0.8 ? iso(daysSince(created)) : hasPassword ? 'no_information' : 'N/A';
  const key = (n: number) => {
    if (rand() < (n === 1 ? 0.25 : 0.85)) return ['false', 'N/A', 'N/A', 'N/A', 'N/A'];
    const rotated = daysSince(created);
    const active = rand() < 0.85 ? 'true' : 'false';
    if (rand() < 0.2) return [active, iso(rotated), 'N/A', 'N/A', 'N/A'];
    return [
      active,
      iso(rotated),
      iso(daysSince(rotated)),
      REGIONS[Math.floor(rand() * REGIONS.length)]!,
      SERVICES[Math.floor(rand() * SERVICES.length)]!,
    ];
  };
  const cert = rand() < 0.03 ? ['true', iso(daysSince(created))] : ['false', 'N/A'];
  const name = `user-${account.slice(-4)}-${i}`;
  return [
    name,
    `arn:aws:iam::${account}:user/${name}`,
    iso(created),
    hasPassword ? 'true' : 'false',
    pwUsed,
    hasPassword ? iso(daysSince(created)) : 'N/A',
    'N/A',
    rand() < 0.5 ? 'true' : 'false',
    ...key(1),
    ...key(2),
    ...cert,
    'false',
    'N/A',
  ].join(',');
}

function rootRow(account: string): string {
  return `<root_account>,arn:aws:iam::${account}:root,2015-01-01T00:00:00+00:00,not_supported,2026-01-15T10:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`;
}

/** Writes `rows` data rows: `usersPerAccount` users (plus a root row) per account. */
export async function writeCredentialReport(
  path: string,
  rows: number,
  usersPerAccount: number,
  seed = 42,
): Promise<void> {
  const rand = seededRandom(seed);
  const out = createWriteStream(path);
  let buffer = `${HEADER}\n`;
  let written = 0;
  let account = 100000000000;
  while (written < rows) {
    const id = String(account++);
    buffer += `${rootRow(id)}\n`;
    written++;
    for (let i = 0; i < usersPerAccount && written < rows; i++, written++)
      buffer += `${userRow(rand, id, i)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await once(out, 'drain');
      buffer = '';
    }
  }
  out.end(buffer);
  await once(out, 'finish');
}
