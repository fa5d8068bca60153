/**
 * An independent implementation of the rules, written straight from the text and working on
 * the raw CSV strings (no shared parsing, no shared date code), to check the real one against.
 */
const SENTINELS = ['n/a', 'no_information', 'not_supported', ''];
const DAY = 86_400_000;

export interface OracleFinding {
  credential: string;
  status: string;
  lastUsed: number | null;
  lastActivity: number;
  lastActivitySource: string;
  ageDays: number;
  neverUsed: boolean;
  caveats: string[];
}

function date(v: string | undefined): number | null {
  if (v === undefined || SENTINELS.includes(v.trim().toLowerCase())) return null;
  const t = new Date(v.trim()).getTime();
  if (Number.isNaN(t)) throw new Error(`bad date ${v}`);
  return t;
}

export function oracle(row: Record<string, string>, asOf: number, days: number): OracleFinding[] {
  const out: OracleFinding[] = [];
  const created = date(row.user_creation_time)!;
  // An activity after the as-of date is age 0 (in use then), never negative, and says so.
  const age = (t: number) => Math.max(0, Math.floor((asOf - t) / DAY));
  const pick = (c: Array<[number | null, string]>) => c.find(([t]) => t !== null) as [number, string];

  if (row.password_enabled!.toLowerCase() !== 'false') {
    const used = date(row.password_last_used);
    const changed = date(row.password_last_changed);
    // A password changed after its last use is judged from the change.
    const [at, src] = pick([
      [changed !== null && (used === null || changed > used) ? changed : null, 'last_changed'],
      [used, 'last_used'],
      [created, 'created'],
    ]);
    const caveats: string[] = [];
    if (used === null && at < Date.parse('2014-10-20T00:00:00Z'))
      caveats.push('not_tracked_before_2014_10_20');
    const gapEnd = Date.parse('2018-05-23T21:08:00Z');
    if (used !== null && used < gapEnd && asOf - days * DAY < gapEnd) caveats.push('password_gap_2018');
    out.push({
      credential: 'password',
      status: at <= asOf && age(at) >= days ? 'unused' : 'in_use',
      lastUsed: used,
      lastActivity: at,
      lastActivitySource: src,
      ageDays: age(at),
      neverUsed: used === null,
      caveats,
    });
  }
  for (const n of [1, 2]) {
    const active = row[`access_key_${n}_active`]!.toLowerCase() === 'true';
    const rotated = date(row[`access_key_${n}_last_rotated`]);
    if (!active && rotated === null) continue;
    const used = date(row[`access_key_${n}_last_used_date`]);
    const [at, src] = pick([
      [used, 'last_used'],
      [rotated, 'last_rotated'],
      [created, 'created'],
    ]);
    out.push({
      credential: `access_key_${n}`,
      status: !active ? 'inactive' : at <= asOf && age(at) >= days ? 'unused' : 'in_use',
      lastUsed: used,
      lastActivity: at,
      lastActivitySource: src,
      ageDays: age(at),
      neverUsed: used === null,
      caveats:
        used === null && at < Date.parse('2015-04-22T00:00:00Z') ? ['not_tracked_before_2015_04_22'] : [],
    });
  }
  for (const n of [1, 2]) {
    if (row[`cert_${n}_active`] === undefined) continue;
    const active = row[`cert_${n}_active`]!.toLowerCase() === 'true';
    const rotated = date(row[`cert_${n}_last_rotated`]);
    if (!active && rotated === null) continue;
    const [at, src] = pick([
      [rotated, 'last_rotated'],
      [created, 'created'],
    ]);
    out.push({
      credential: `cert_${n}`,
      status: active ? 'unverified' : 'inactive',
      lastUsed: null,
      lastActivity: at,
      lastActivitySource: src,
      ageDays: age(at),
      neverUsed: false,
      caveats: [],
    });
  }
  if (out.length === 0 && row.user !== '<root_account>') {
    out.push({
      credential: 'none',
      status: 'no_credentials',
      lastUsed: null,
      lastActivity: created,
      lastActivitySource: 'created',
      ageDays: age(created),
      neverUsed: false,
      caveats: [],
    });
  }
  for (const f of out) if (f.lastActivity > asOf) f.caveats.push('used_after_as_of');
  return out;
}
