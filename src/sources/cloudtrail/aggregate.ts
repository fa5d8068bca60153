/**
 * The one aggregation every CloudTrail source feeds (log files, S3, Athena rows, LookupEvents): a
 * stream of `TrailRecord`s in, a `TrailSummary` out. Pure; its state is structured-cloneable so that
 * worker threads can aggregate their share and the main thread merges them.
 *
 * Rules (issue 5; facts from docs/aws-behaviour.md §4.2–4.3):
 * - accessKeys: records whose `userIdentity.accessKeyId` is a long-term key (`AKIA…`) or an SSH
 *   public key (`APKA…`, CodeCommit over SSH), or also a temporary one (`ASIA…`) with
 *   `includeTemporary`, whatever the errorCode (a denied call still proves the key is live). An IAMUser record can carry an ASIA key (console session): that is not
 *   the user's long-term key, so it is only counted as a temporary key.
 * - roles: successful AssumeRole / AssumeRoleWithSAML / AssumeRoleWithWebIdentity, keyed by
 *   `requestParameters.roleArn` (the issued key in `responseElements.credentials` is not the caller's).
 * - consoleLogins: ConsoleLogin records with a `userIdentity.arn`; success when
 *   `responseElements.ConsoleLogin` is `Success`.
 * - Counts are of records as delivered: CloudTrail can deliver an event twice (§4.1) and we do not
 *   de-duplicate. A record is counted when its eventTime is inside [since, until); a record whose
 *   eventTime cannot be read is counted only when no window is given, and never aggregated.
 * - Ties on time are broken by the larger string, so any split of the input merges to the same result.
 */
import type {
  TrailAccessKeyUse,
  TrailBadFile,
  TrailConsoleLogins,
  TrailRoleAssumption,
  TrailSummary,
} from '../../model/trail-summary.ts';
import { type EpochMs, parseIsoDateTime, toIso, yearInRange } from '../../time.ts';

/** The few fields of a CloudTrail record the aggregation needs; null when absent. */
export interface TrailRecord {
  eventTime: string | null;
  eventSource: string | null;
  eventName: string | null;
  awsRegion: string | null;
  sourceIPAddress: string | null;
  errorCode: string | null;
  /** userIdentity.type / arn / accessKeyId / principalId / invokedBy. */
  identityType: string | null;
  identityArn: string | null;
  accessKeyId: string | null;
  principalId: string | null;
  invokedBy: string | null;
  /** requestParameters.roleArn (AssumeRole*). */
  roleArn: string | null;
  /** responseElements.ConsoleLogin (ConsoleLogin). */
  consoleLogin: string | null;
}

export function emptyTrailRecord(): TrailRecord {
  return {
    eventTime: null,
    eventSource: null,
    eventName: null,
    awsRegion: null,
    sourceIPAddress: null,
    errorCode: null,
    identityType: null,
    identityArn: null,
    accessKeyId: null,
    principalId: null,
    invokedBy: null,
    roleArn: null,
    consoleLogin: null,
  };
}

export interface TrailAggregatorOptions {
  includeTemporary?: boolean;
  /** Inclusive lower bound on eventTime. */
  since?: EpochMs;
  /** Exclusive upper bound on eventTime. */
  until?: EpochMs;
}

interface KeyState {
  principalArn: string | null;
  first: EpochMs;
  last: EpochMs;
  events: number;
  ips: Map<string, number>;
  services: Set<string>;
  regions: Set<string>;
  lastEventName: string;
}

interface RoleState {
  last: EpochMs;
  by: string | null;
  ip: string | null;
  events: number;
}

interface LoginState {
  lastSuccess: EpochMs | null;
  successes: number;
  failures: number;
}

/** Everything an aggregator knows; structured-cloneable (Maps and Sets), so it can cross threads. */
export interface TrailAggregateState {
  filesScanned: number;
  badFiles: TrailBadFile[];
  records: number;
  keys: Map<string, KeyState>;
  roles: Map<string, RoleState>;
  logins: Map<string, LoginState>;
}

export interface TrailAggregator {
  /** Adds one record (already filtered to CloudTrail records by the reader). */
  add(record: TrailRecord): void;
  /** Adds a record whose eventTime is already known as epoch ms (Athena rows, fast readers). */
  addAt(record: TrailRecord, at: EpochMs | null): void;
  fileScanned(): void;
  fileBad(path: string, error: string): void;
  /** Folds in another aggregator's state (from a worker, another region, another account). */
  merge(other: TrailAggregateState): void;
  state(): TrailAggregateState;
  summary(): TrailSummary;
}

const ASSUME_ROLE_EVENTS = new Set(['AssumeRole', 'AssumeRoleWithSAML', 'AssumeRoleWithWebIdentity']);
const TOP_IPS = 5;

export function emptyTrailAggregateState(): TrailAggregateState {
  return { filesScanned: 0, badFiles: [], records: 0, keys: new Map(), roles: new Map(), logins: new Map() };
}

export function createTrailAggregator(options: TrailAggregatorOptions = {}): TrailAggregator {
  const s = emptyTrailAggregateState();
  const includeTemporary = options.includeTemporary ?? false;
  const since = options.since ?? Number.NEGATIVE_INFINITY;
  const until = options.until ?? Number.POSITIVE_INFINITY;
  const windowed = options.since !== undefined || options.until !== undefined;

  function addAt(r: TrailRecord, at: EpochMs | null): void {
    if (at === null) {
      if (!windowed) s.records += 1;
      return;
    }
    if (at < since || at >= until) return;
    s.records += 1;
    const keyId = r.accessKeyId;
    if (keyId !== null && isCountedKey(keyId, includeTemporary)) addKeyUse(s.keys, keyId, r, at);
    if (
      r.errorCode === null &&
      r.roleArn !== null &&
      r.eventName !== null &&
      ASSUME_ROLE_EVENTS.has(r.eventName)
    ) {
      addAssumption(s.roles, r.roleArn, r, at);
    }
    if (r.eventName === 'ConsoleLogin' && r.identityArn !== null) {
      addLogin(s.logins, r.identityArn, r.consoleLogin === 'Success', at);
    }
  }

  return {
    add: (r) => addAt(r, r.eventTime === null ? null : parseEventTime(r.eventTime)),
    addAt,
    fileScanned: () => {
      s.filesScanned += 1;
    },
    fileBad: (path, error) => {
      s.badFiles.push({ path, error });
    },
    merge: (other) => mergeState(s, other),
    state: () => s,
    summary: () => summarise(s),
  };
}

function isCountedKey(keyId: string, includeTemporary: boolean): boolean {
  return (
    keyId.startsWith('AKIA') ||
    keyId.startsWith(SSH_PUBLIC_KEY_ID_PREFIX) ||
    (includeTemporary && keyId.startsWith('ASIA'))
  );
}

/**
 * IAM's SSH public key ids start `APKA` (ListSSHPublicKeys, docs/aws-behaviour.md §9). A CodeCommit
 * Git call over SSH is recorded with the key id in `userIdentity.accessKeyId` (unverified: AWS's
 * CodeCommit CloudTrail examples show HTTPS calls only), so such records are counted like a long-term
 * key's; the audit matches them to an SSH key by exact id only, so a wrong guess can only miss a use.
 */
export const SSH_PUBLIC_KEY_ID_PREFIX = 'APKA';

function later(at: EpochMs, name: string | null, thanAt: EpochMs, thanName: string | null): boolean {
  return at > thanAt || (at === thanAt && (name ?? '') > (thanName ?? ''));
}

function addKeyUse(keys: Map<string, KeyState>, keyId: string, r: TrailRecord, at: EpochMs): void {
  let k = keys.get(keyId);
  if (k === undefined) {
    k = {
      principalArn: r.identityArn,
      first: at,
      last: at,
      events: 0,
      ips: new Map(),
      services: new Set(),
      regions: new Set(),
      lastEventName: r.eventName ?? '',
    };
    keys.set(keyId, k);
  } else {
    if (at < k.first) k.first = at;
    if (later(at, r.eventName, k.last, k.lastEventName)) {
      k.last = at;
      k.lastEventName = r.eventName ?? '';
    }
    if (r.identityArn !== null && (k.principalArn === null || r.identityArn > k.principalArn)) {
      // One key belongs to one principal; the larger string only makes odd inputs deterministic.
      k.principalArn = r.identityArn;
    }
  }
  k.events += 1;
  if (r.sourceIPAddress !== null) k.ips.set(r.sourceIPAddress, (k.ips.get(r.sourceIPAddress) ?? 0) + 1);
  if (r.eventSource !== null) k.services.add(r.eventSource);
  if (r.awsRegion !== null) k.regions.add(r.awsRegion);
}

function assumedBy(r: TrailRecord): string | null {
  // AWS services assuming a role show only `invokedBy`; SAML and web-identity users only a
  // principalId (docs/aws-behaviour.md §4.3).
  return r.identityArn ?? r.invokedBy ?? r.principalId;
}

function addAssumption(roles: Map<string, RoleState>, roleArn: string, r: TrailRecord, at: EpochMs): void {
  const by = assumedBy(r);
  const ip = r.sourceIPAddress;
  const role = roles.get(roleArn);
  if (role === undefined) {
    roles.set(roleArn, { last: at, by, ip, events: 1 });
    return;
  }
  role.events += 1;
  if (laterAssumption(at, by, ip, role)) {
    role.last = at;
    role.by = by;
    role.ip = ip;
  }
}

function laterAssumption(at: EpochMs, by: string | null, ip: string | null, than: RoleState): boolean {
  if (at !== than.last) return at > than.last;
  const a = `${by ?? ''}\u0000${ip ?? ''}`;
  const b = `${than.by ?? ''}\u0000${than.ip ?? ''}`;
  return a > b;
}

function addLogin(logins: Map<string, LoginState>, arn: string, success: boolean, at: EpochMs): void {
  let l = logins.get(arn);
  if (l === undefined) {
    l = { lastSuccess: null, successes: 0, failures: 0 };
    logins.set(arn, l);
  }
  if (success) {
    l.successes += 1;
    if (l.lastSuccess === null || at > l.lastSuccess) l.lastSuccess = at;
  } else {
    l.failures += 1;
  }
}

function mergeState(s: TrailAggregateState, o: TrailAggregateState): void {
  s.filesScanned += o.filesScanned;
  s.badFiles.push(...o.badFiles);
  s.records += o.records;
  for (const [id, ok] of o.keys) {
    const k = s.keys.get(id);
    if (k === undefined) {
      s.keys.set(id, {
        ...ok,
        ips: new Map(ok.ips),
        services: new Set(ok.services),
        regions: new Set(ok.regions),
      });
      continue;
    }
    if (ok.first < k.first) k.first = ok.first;
    if (later(ok.last, ok.lastEventName, k.last, k.lastEventName)) {
      k.last = ok.last;
      k.lastEventName = ok.lastEventName;
    }
    if (ok.principalArn !== null && (k.principalArn === null || ok.principalArn > k.principalArn)) {
      k.principalArn = ok.principalArn;
    }
    k.events += ok.events;
    for (const [ip, n] of ok.ips) k.ips.set(ip, (k.ips.get(ip) ?? 0) + n);
    for (const x of ok.services) k.services.add(x);
    for (const x of ok.regions) k.regions.add(x);
  }
  for (const [arn, or] of o.roles) {
    const r = s.roles.get(arn);
    if (r === undefined) {
      s.roles.set(arn, { ...or });
      continue;
    }
    r.events += or.events;
    if (laterAssumption(or.last, or.by, or.ip, r)) {
      r.last = or.last;
      r.by = or.by;
      r.ip = or.ip;
    }
  }
  for (const [arn, ol] of o.logins) {
    const l = s.logins.get(arn);
    if (l === undefined) {
      s.logins.set(arn, { ...ol });
      continue;
    }
    l.successes += ol.successes;
    l.failures += ol.failures;
    if (ol.lastSuccess !== null && (l.lastSuccess === null || ol.lastSuccess > l.lastSuccess)) {
      l.lastSuccess = ol.lastSuccess;
    }
  }
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Up to `n` source IPs by event count (most first; equal counts by address). */
export function topSourceIps(ips: Map<string, number>, n = TOP_IPS): string[] {
  return [...ips]
    .sort((a, b) => b[1] - a[1] || byText(a[0], b[0]))
    .slice(0, n)
    .map(([ip]) => ip);
}

function summarise(s: TrailAggregateState): TrailSummary {
  const accessKeys: TrailAccessKeyUse[] = [...s.keys]
    .sort((a, b) => byText(a[0], b[0]))
    .map(([accessKeyId, k]) => ({
      accessKeyId,
      principalArn: k.principalArn,
      firstSeen: toIso(k.first),
      lastSeen: toIso(k.last),
      events: k.events,
      sourceIps: { count: k.ips.size, top: topSourceIps(k.ips) },
      services: [...k.services].sort(byText),
      regions: [...k.regions].sort(byText),
      lastEventName: k.lastEventName,
    }));
  const roles: TrailRoleAssumption[] = [...s.roles]
    .sort((a, b) => byText(a[0], b[0]))
    .map(([roleArn, r]) => ({
      roleArn,
      lastAssumed: toIso(r.last),
      lastAssumedBy: r.by,
      lastSourceIp: r.ip,
      assumeEvents: r.events,
    }));
  const consoleLogins: TrailConsoleLogins[] = [...s.logins]
    .sort((a, b) => byText(a[0], b[0]))
    .map(([principalArn, l]) => ({
      principalArn,
      lastSuccess: l.lastSuccess === null ? null : toIso(l.lastSuccess),
      successes: l.successes,
      failures: l.failures,
    }));
  return {
    schemaVersion: 1,
    files: {
      scanned: s.filesScanned,
      bad: [...s.badFiles].sort((a, b) => byText(a.path, b.path) || byText(a.error, b.error)),
    },
    records: s.records,
    accessKeys,
    roles,
    consoleLogins,
  };
}

/**
 * eventTime as epoch ms. CloudTrail writes `2014-07-18T15:07:39Z` (docs/aws-behaviour.md §4.2), parsed here
 * without a regular expression because it runs once per record; anything else goes through
 * parseIsoDateTime (a time without a zone is read as UTC). null when it is not a time at all.
 */
export function parseEventTime(text: string): EpochMs | null {
  if (text.length === 20 && text.charCodeAt(19) === 90 /* Z */ && text.charCodeAt(10) === 84 /* T */) {
    const y = digits(text, 0, 4);
    const mo = digits(text, 5, 2);
    const d = digits(text, 8, 2);
    const h = digits(text, 11, 2);
    const mi = digits(text, 14, 2);
    const sec = digits(text, 17, 2);
    // Years outside 1970–9999 fall through to parseIsoDateTime, which refuses them as the credential
    // report's dates are refused (src/time.ts): Date.UTC would read 0000–0099 as 1900–1999.
    if (
      yearInRange(y) &&
      mo >= 1 &&
      mo <= 12 &&
      d >= 1 &&
      d <= 31 &&
      h >= 0 &&
      h <= 23 &&
      mi >= 0 &&
      mi <= 59
    ) {
      if (sec >= 0 && sec <= 59 && (d <= 28 || d <= daysInMonth(y, mo)))
        return Date.UTC(y, mo - 1, d, h, mi, sec);
    }
  }
  const parsed = parseIsoDateTime(text);
  if (parsed !== null) return parsed;
  return /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)
    ? parseIsoDateTime(`${text}Z`)
    : null;
}

function digits(text: string, at: number, n: number): number {
  let v = 0;
  for (let i = at; i < at + n; i++) {
    const c = text.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

function daysInMonth(y: number, mo: number): number {
  return new Date(Date.UTC(y, mo, 0)).getUTCDate();
}
