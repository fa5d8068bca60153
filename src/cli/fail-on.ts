/**
 * `--fail-on`: exit 1 when any finding has one of these statuses or at least this severity
 * (`--fail-on unused,inactive`, `--fail-on severity:high`, or both: `--fail-on unused,severity:critical`).
 */
import { InvalidArgumentError } from 'commander';
import { ExitCode } from '../errors.ts';
import type { Finding } from '../model/finding.ts';
import { FINDING_STATUSES, type FindingStatus } from '../model/finding-status.ts';
import { SEVERITY_LEVELS, type SeverityLevel, severityOf } from '../rules/severity.ts';

export interface FailOn {
  statuses: FindingStatus[];
  /** Matches findings of this severity or a higher one. */
  severity?: SeverityLevel;
}

export const FAIL_ON_VALUES = [...FINDING_STATUSES, ...SEVERITY_LEVELS.map((s) => `severity:${s}`)];

/**
 * The tables print `informational` as `info` (src/reporters/table.ts: the SEVERITY column stays
 * narrow), so what a table shows is accepted as well; every other output writes `informational`.
 */
const SEVERITY_ALIASES: Readonly<Record<string, SeverityLevel>> = { info: 'informational' };

export function parseFailOn(text: string, previous?: FailOn): FailOn {
  const failOn: FailOn = {
    statuses: [...(previous?.statuses ?? [])],
    ...(previous?.severity ? { severity: previous.severity } : {}),
  };
  const words = text.split(',').map((w) => w.trim());
  for (const word of words) {
    if (word.startsWith('severity:')) {
      const written = word.slice('severity:'.length);
      const level = SEVERITY_ALIASES[written] ?? written;
      if (!(SEVERITY_LEVELS as readonly string[]).includes(level)) {
        throw new InvalidArgumentError(
          `'${word}': expected severity:${SEVERITY_LEVELS.join('|')} (severity:info for informational)`,
        );
      }
      failOn.severity = level as SeverityLevel;
    } else if ((FINDING_STATUSES as readonly string[]).includes(word)) {
      if (!failOn.statuses.includes(word as FindingStatus)) failOn.statuses.push(word as FindingStatus);
    } else {
      throw new InvalidArgumentError(
        `'${word}': expected statuses (${FINDING_STATUSES.join(', ')}) or severity:LEVEL (${SEVERITY_LEVELS.join(', ')}), comma-separated`,
      );
    }
  }
  return failOn;
}

/** Counts of what a run wrote, by status and by severity (an AuditTally has both). */
export interface FindingCounts {
  summary: Partial<Record<FindingStatus, number>>;
  severities: Partial<Record<SeverityLevel, number>>;
}

export function countFindings(findings: Iterable<Finding>): FindingCounts {
  const counts: Required<FindingCounts> = { summary: {}, severities: {} };
  for (const f of findings) {
    counts.summary[f.status] = (counts.summary[f.status] ?? 0) + 1;
    const level = severityOf(f);
    counts.severities[level] = (counts.severities[level] ?? 0) + 1;
  }
  return counts;
}

export function failOnMatched(failOn: FailOn | undefined, counts: FindingCounts): boolean {
  if (!failOn) return false;
  if (failOn.statuses.some((s) => (counts.summary[s] ?? 0) > 0)) return true;
  const threshold = failOn.severity;
  if (threshold === undefined) return false;
  const upTo = SEVERITY_LEVELS.indexOf(threshold);
  return SEVERITY_LEVELS.slice(0, upTo + 1).some((level) => (counts.severities[level] ?? 0) > 0);
}

/** The exit code `--fail-on` asks for: 1 when it matched, else 0. */
export function failOnExit(failOn: FailOn | undefined, counts: FindingCounts): number {
  return failOnMatched(failOn, counts) ? ExitCode.failOnMatched : ExitCode.ok;
}
