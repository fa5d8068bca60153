/**
 * Assembles the audit's JSON envelope (schemaVersion 1) from findings as they stream past.
 */
import type { AccountResult, AuditReport, Finding } from '../model/finding.ts';
import { emptySummary, type FindingStatus } from '../model/finding-status.ts';
import { compareSeverity, type SeverityLevel, severityOf } from '../rules/severity.ts';
import { type EpochMs, toIso } from '../time.ts';

export interface AuditMeta {
  generatedAt: EpochMs;
  asOf: EpochMs;
  thresholdDays: number;
  /** Per-kind thresholds (configuration file), written to the envelope when given. */
  thresholds?: Record<string, number>;
  /** The exempt tag, when not the default (`--exempt-tag`): written to the envelope. */
  exemptTag?: { tagKey: string; tagValue: string };
}

/** What a tally counted, as plain data (a worker thread's part of a report audit, posted back). */
export interface TallyCounts {
  summary: Record<FindingStatus, number>;
  severities: Partial<Record<SeverityLevel, number>>;
  /** The accounts findings were counted in. */
  accountIds: string[];
}

/** Counts findings per status and remembers the accounts seen, without keeping the findings. */
export class AuditTally {
  readonly summary: Record<FindingStatus, number> = emptySummary();
  /** Findings by severity (for `--fail-on severity:…`). */
  readonly severities: Partial<Record<SeverityLevel, number>> = {};
  private readonly accounts = new Map<string, AccountResult>();
  /** The account of the finding before: an account's findings come together, one lookup per account. */
  private lastAccountId: string | undefined;
  /**
   * Optional envelope sections known only once every finding went past (the configuration file's
   * exemption outcome); reporters add them after the summary.
   */
  envelopeExtras: () => Pick<AuditReport, 'exemptions'> = () => ({});

  add(finding: Finding): void {
    this.summary[finding.status] += 1;
    const level = severityOf(finding);
    this.severities[level] = (this.severities[level] ?? 0) + 1;
    if (finding.accountId !== this.lastAccountId) {
      this.lastAccountId = finding.accountId;
      if (!this.accounts.has(finding.accountId)) {
        this.accounts.set(finding.accountId, { accountId: finding.accountId, status: 'ok' });
      }
    }
  }

  /** The counts as plain data. */
  counts(): TallyCounts {
    return { summary: this.summary, severities: this.severities, accountIds: [...this.accounts.keys()] };
  }

  /** Adds the counts of findings tallied elsewhere (as if each had been `add`ed here). */
  addCounts(counts: TallyCounts): void {
    for (const [status, n] of Object.entries(counts.summary)) this.summary[status as FindingStatus] += n;
    for (const [level, n] of Object.entries(counts.severities)) {
      const key = level as SeverityLevel;
      this.severities[key] = (this.severities[key] ?? 0) + n;
    }
    for (const accountId of counts.accountIds) {
      if (!this.accounts.has(accountId)) this.accounts.set(accountId, { accountId, status: 'ok' });
    }
  }

  /** Records an account's outcome; a failure overrides an earlier ok. */
  setAccount(result: AccountResult): void {
    const known = this.accounts.get(result.accountId);
    this.accounts.set(result.accountId, { ...known, ...result });
  }

  accountResults(): AccountResult[] {
    return [...this.accounts.values()].sort((a, b) => a.accountId.localeCompare(b.accountId));
  }
}

export function reportHeader(
  meta: AuditMeta,
): Pick<
  AuditReport,
  'schemaVersion' | 'generatedAt' | 'asOf' | 'thresholdDays' | 'thresholds' | 'exemptTag'
> {
  return {
    schemaVersion: 1,
    generatedAt: toIso(meta.generatedAt),
    asOf: toIso(meta.asOf),
    thresholdDays: meta.thresholdDays,
    ...(meta.thresholds && Object.keys(meta.thresholds).length > 0 ? { thresholds: meta.thresholds } : {}),
    ...(meta.exemptTag
      ? { exemptTag: { tagKey: meta.exemptTag.tagKey, tagValue: meta.exemptTag.tagValue } }
      : {}),
  };
}

export function assembleAuditReport(
  meta: AuditMeta,
  findings: Finding[],
  accounts: AccountResult[] = [],
): AuditReport {
  const tally = new AuditTally();
  for (const f of findings) tally.add(f);
  for (const a of accounts) tally.setAccount(a);
  return { ...reportHeader(meta), accounts: tally.accountResults(), summary: tally.summary, findings };
}

/**
 * Unused first, then what needs a look, then the rest; within a status the most severe first (a root
 * key or one used from many IPs at the top); then the oldest; stable by account and principal.
 */
export const STATUS_ORDER: readonly FindingStatus[] = [
  'unused',
  'unverified',
  'inactive',
  'no_credentials',
  'in_use',
  'exempt',
  'service_linked',
];

export function compareFindings(a: Finding, b: Finding): number {
  return (
    STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
    compareSeverity(severityOf(a), severityOf(b)) ||
    b.ageDays - a.ageDays ||
    a.accountId.localeCompare(b.accountId) ||
    a.principalName.localeCompare(b.principalName) ||
    a.credential.localeCompare(b.credential)
  );
}
