/**
 * The audit use case, the one every caller runs (audit, plan, permissions, the Lambda):
 *
 *   const settings = resolveSettings(flags, env, configFile, { now });   (./settings.ts)
 *   const run = await runAudit(settings, deps);
 *   for await (const finding of run.findings) …;  run.accounts(); run.exemptions();
 *   — or, a batch at a time (one account of a credential report) — for await (const batch of run.findingBatches) …;
 *   — or — const report = await assembleAudit(run);
 *
 * Stages, in order:
 *   1. collect     the credential report CSV (streamed, one account at a time), the live accounts
 *                  (credential report or IAM API, roles and tags), or Access Advisor per principal;
 *                  CloudTrail evidence (`--cloudtrail`) is scanned here too, and IAM Access
 *                  Analyzer's findings (`--access-analyzer`) read
 *   2. inventory + evidence → 3. evaluate → 4. exemptions (tag and configuration file): ./judge.ts,
 *                  one principal at a time, so the CSV path keeps its flat memory
 *   5. assemble    the envelope (assembleAudit, or a streaming reporter with AuditTally)
 * The live collect stage (and the AWS SDK) is loaded only for a live audit.
 */
import { createReadStream } from 'node:fs';
import { access, constants, stat } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { ExemptionMatcher, mergeExemptionOutcomes } from '../config/exemptions.ts';
import { InputError } from '../errors.ts';
import { cannotRead } from '../files/read-whole.ts';
import type { AccountResult, AuditReport, ExemptionOutcome, Finding } from '../model/finding.ts';
import type { PartFormat } from './report-workers/audit-part.ts';
import type { ParallelOptions } from './report-workers/audit-report-parallel.ts';
import { defaultReportJobs } from './report-workers/report-jobs.ts';
import type { TrailSummary } from '../model/trail-summary.ts';
import type { StreamBatch } from '../reporters/reporter.ts';
import { DEFAULT_EXEMPTION } from '../rules/index.ts';
import { checkReportStart } from '../sources/credential-report/check-start.ts';
import type { ReportResume } from '../sources/credential-report/parse-csv.ts';
import { principalsByAccount } from './audit-credential-report.ts';
import { type AuditMeta, assembleAuditReport } from './audit-report.ts';
import { type InventoryItem, type JudgeOptions, judgePrincipal } from './judge.ts';
import type { AccessAnalyzerOutcome } from './collect-access-analyzer.ts';
import type { LiveCollectDeps } from './collect-live.ts';
import { DEFAULT_MANY_IPS, indexTrailEvidence } from './fold-trail-evidence.ts';
import type { AuditSettings } from './settings.ts';

export interface AuditDeps extends Partial<LiveCollectDeps> {
  /** Read for `report: '-'`. */
  stdin?: Readable;
  /** How a report file is cut for worker threads (tests cut small files into many small parts). */
  reportParts?: Pick<ParallelOptions, 'partBytes' | 'runPart'>;
}

export interface AuditRun {
  meta: AuditMeta;
  /** The judged findings, in collection order; iterate once (this or `findingBatches`). */
  findings: AsyncIterable<Finding>;
  /**
   * The same findings in batches (a credential report's account at a time): a million-row report
   * pays one await per batch instead of one per finding. Iterate once (this or `findings`).
   */
  findingBatches: AsyncIterable<readonly Finding[]>;
  /** Every account seen or failed; complete once `findings` has been read to its end. */
  accounts(): AccountResult[];
  /** The configuration file's exemptions: applied, expired, stale (complete once read). */
  exemptions(): ExemptionOutcome | undefined;
  /** Tags of users and roles, by ARN, as collected (live audits; the CSV has none). */
  tags: Map<string, Record<string, string>>;
  /** What `--cloudtrail` scanned, bad files included. */
  trail?: TrailSummary;
  /** The caller's partition, when the audit asked AWS who the caller is. */
  partition?: string;
  /** What `--access-analyzer` found: the analyzer read, none, or the AWS error. */
  accessAnalyzer?: AccessAnalyzerOutcome;
  /**
   * The same findings for the json or csv reporter's `stream`, parts of them rendered already: with
   * `settings.jobs` ≥ 2 (default: 16 MiB or more, report-workers/report-jobs.ts), a credential report
   * regular file (not standard input or a FIFO, not with `--cloudtrail`) is
   * cut at account boundaries and audited by this thread and jobs-1 worker threads, each part's
   * findings rendered there by the reporter's own per-finding text. Undefined where that does not
   * apply (iterate `findingBatches`). Iterate once, instead of `findings` / `findingBatches`.
   */
  streamFor(format: string): AsyncIterable<StreamBatch> | undefined;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function runAudit(settings: AuditSettings, deps: AuditDeps = {}): Promise<AuditRun> {
  const meta: AuditMeta = {
    generatedAt: settings.generatedAt,
    asOf: settings.evaluation.asOf,
    thresholdDays: settings.evaluation.thresholdDays,
    ...(settings.evaluation.thresholds ? { thresholds: settings.evaluation.thresholds } : {}),
    // The exempt tag, like the threshold, is recorded when it is not the default (`--exempt-tag`).
    ...(settings.exemptTag.tagKey === DEFAULT_EXEMPTION.tagKey &&
    settings.exemptTag.tagValue === DEFAULT_EXEMPTION.tagValue
      ? {}
      : { exemptTag: settings.exemptTag }),
  };
  // 1. collect
  const input = settings.input;
  const reportInput = input.kind === 'report' ? await openReport(input.file, deps.stdin) : undefined;
  const trail = settings.evidence ? await scanEvidence(settings.evidence) : undefined;
  const tags = new Map<string, Record<string, string>>();
  const accounts = new Map<string, AccountResult>();
  let items: AsyncIterable<readonly InventoryItem[]>;
  let partition: string | undefined;
  let accessAnalyzer: AccessAnalyzerOutcome | undefined;
  if (input.kind === 'report') {
    items = reportItems(reportInput!, input.file);
  } else {
    const { collectLive } = await import('./collect-live.ts');
    if (settings.accessAnalyzer !== undefined) {
      const { collectAccessAnalyzer } = await import('./collect-access-analyzer.ts');
      // A run given its targets (a fan-out item) reads only their findings, not the whole organization's.
      accessAnalyzer = await collectAccessAnalyzer(
        settings.connection,
        settings.accessAnalyzer,
        deps.targets?.map((t) => t.accountId),
      );
    }
    const evidenceArns = trail ? trailKeyOwners(trail) : undefined;
    const live = await collectLive(settings, {
      sleep: realSleep,
      ...(evidenceArns ? { keyIdEvidenceArns: evidenceArns } : {}),
      ...deps,
    });
    for (const a of live.accounts) accounts.set(a.accountId, a);
    partition = live.partition;
    items = (async function* () {
      yield live.items;
    })();
  }
  // 2-4. inventory + evidence, evaluate, exemptions
  const matcher =
    settings.exemptions.length > 0 ? new ExemptionMatcher(settings.exemptions, meta.asOf) : undefined;
  const judge: JudgeOptions = {
    evaluation: settings.evaluation,
    exemptTag: settings.exemptTag,
    ...(matcher ? { matcher } : {}),
    ...(trail
      ? {
          evidence: {
            index: indexTrailEvidence(trail),
            manyIps: settings.evidence?.manyIps ?? DEFAULT_MANY_IPS,
          },
        }
      : {}),
    ...(accessAnalyzer && 'input' in accessAnalyzer ? { accessAnalyzer: accessAnalyzer.input } : {}),
  };
  async function* judged(items: AsyncIterable<readonly InventoryItem[]>): AsyncGenerator<readonly Finding[]> {
    for await (const batch of items) {
      const findings: Finding[] = [];
      for (const item of batch) {
        if (item.kind === 'credentials' && item.principal.tags)
          tags.set(item.principal.arn, item.principal.tags);
        const accountId = item.principal.accountId;
        if (!accounts.has(accountId)) accounts.set(accountId, { accountId, status: 'ok' });
        for (const finding of judgePrincipal(item, judge)) findings.push(finding);
      }
      if (findings.length > 0) yield findings;
    }
  }
  const findingBatches = judged(items);
  // --jobs / CREDSWEEP_JOBS, else threads for a large file (./report-workers/report-jobs.ts). Only a
  // regular file is cut: a FIFO or process substitution (`--report <(zcat …)`) can be read once only.
  const reportFile =
    input.kind === 'report' && input.file !== '-' ? await stat(input.file).catch(() => undefined) : undefined;
  const jobs = !reportFile?.isFile()
    ? 1
    : (settings.jobs ?? defaultReportJobs(reportFile.size, availableParallelism()));
  let partsOutcome: ExemptionOutcome | undefined;
  const exemptions = () => {
    const outcome = matcher?.outcome();
    return outcome && partsOutcome ? mergeExemptionOutcomes([outcome, partsOutcome]) : outcome;
  };
  /** 1-5 on worker threads, part by part; what they cannot cut goes through `judged` here. */
  async function* onWorkers(file: string, format: PartFormat): AsyncGenerator<StreamBatch> {
    const { auditReportOnWorkers } = await import('./report-workers/audit-report-parallel.ts');
    let serialInput: Readable | undefined = reportInput;
    try {
      const parts = auditReportOnWorkers(
        file,
        {
          file,
          format,
          evaluation: settings.evaluation,
          exemptTag: settings.exemptTag,
          exemptions: settings.exemptions,
        },
        { ...deps.reportParts, threads: jobs },
      );
      for await (const part of parts) {
        if (part.kind === 'rest') {
          const resume: ReportResume | undefined =
            part.offset === 0
              ? undefined
              : { header: part.start!.header, newline: part.start!.newline, line: part.line };
          const rest = resume ? createReadStream(file, { start: part.offset }) : serialInput!;
          if (!resume) serialInput = undefined;
          yield* judged(reportItems(rest, file, resume));
          continue;
        }
        for (const accountId of part.accountIds) {
          if (!accounts.has(accountId)) accounts.set(accountId, { accountId, status: 'ok' });
        }
        if (part.exemptions)
          partsOutcome = partsOutcome
            ? mergeExemptionOutcomes([partsOutcome, part.exemptions])
            : part.exemptions;
        yield { rendered: part.rendered, counts: part.counts, release: part.release };
      }
    } finally {
      serialInput?.destroy();
    }
  }
  const streamFor = (format: string): AsyncIterable<StreamBatch> | undefined => {
    if (input.kind !== 'report' || input.file === '-' || trail || jobs < 2) return undefined;
    if (format !== 'json' && format !== 'csv') return undefined;
    // A file of one part is audited here alone (auditReportOnWorkers starts no worker for it).
    return onWorkers(input.file, format);
  };
  return {
    meta,
    findings: eachFinding(findingBatches),
    findingBatches,
    accounts: () => [...accounts.values()],
    exemptions,
    streamFor,
    tags,
    ...(trail ? { trail } : {}),
    ...(partition ? { partition } : {}),
    ...(accessAnalyzer ? { accessAnalyzer } : {}),
  };
}

/** 5. assemble: the whole envelope, for callers that keep every finding (plan, the Lambda). */
export async function assembleAudit(run: AuditRun): Promise<AuditReport> {
  const findings: Finding[] = [];
  for await (const f of run.findings) findings.push(f);
  const exemptions = run.exemptions();
  return {
    ...assembleAuditReport(run.meta, findings, run.accounts()),
    ...(exemptions ? { exemptions } : {}),
  };
}

async function* eachFinding(batches: AsyncIterable<readonly Finding[]>): AsyncGenerator<Finding> {
  for await (const batch of batches) yield* batch;
}

/** A credential report's principals, an account at a time (`resume`: from a record mid-file). */
async function* reportItems(
  input: Readable,
  file: string,
  resume?: ReportResume,
): AsyncGenerator<InventoryItem[]> {
  for await (const principals of principalsByAccount(input, file, resume)) {
    yield principals.map((principal) => ({ kind: 'credentials', principal }));
  }
}

async function openReport(file: string, stdin: Readable | undefined): Promise<Readable> {
  if (file === '-') {
    if (!stdin) throw new InputError('no standard input to read the credential report from', file);
    return checkReportStart(stdin, file);
  }
  try {
    await access(file, constants.R_OK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new InputError('no such file', file);
    throw cannotRead(e, file);
  }
  // (read, a folder was `cannot read: EISDIR: illegal operation on a directory, read`)
  if ((await stat(file)).isDirectory()) {
    throw new InputError('is a folder, not a file; give the path of a credential report CSV', file);
  }
  return checkReportStart(createReadStream(file), file);
}

async function scanEvidence(evidence: NonNullable<AuditSettings['evidence']>): Promise<TrailSummary> {
  const { scanCloudTrail } = await import('../sources/cloudtrail/scan.ts');
  return scanCloudTrail(evidence.cloudtrail, { s3: evidence.s3 });
}

/** Users whose keys CloudTrail saw: the report path resolves their key ids to match the evidence. */
function trailKeyOwners(trail: TrailSummary): Set<string> {
  const arns = new Set<string>();
  // not for SSH public keys (APKA…): the report path has none to match
  for (const key of trail.accessKeys)
    if (key.principalArn && !key.accessKeyId.startsWith('APKA')) arns.add(key.principalArn);
  return arns;
}
