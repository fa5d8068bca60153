/**
 * The library's public names, pinned: adding or removing one is a decision (update docs/library.md
 * and this list together). The core entry point loads no AWS SDK and no sql.js: a loader hook records
 * every module a fresh Node process resolves while importing dist/index.js.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../helpers/cli.ts';

const PINNED: Record<string, string[]> = {
  '.': [
    'ACTIVITY_SOURCES',
    'AUDIT_DEFAULTS',
    'AuditTally',
    'AwsAccessError',
    'CAVEATS',
    'CONFIG_FILE_NAMES',
    'CREDENTIAL_KINDS',
    'CredsweepError',
    'DEFAULT_EXEMPTION',
    'ExemptionMatcher',
    'ExitCode',
    'FINDING_STATUSES',
    'InputError',
    'InternalError',
    'PRINCIPAL_TYPES',
    'REMEDIATION_ACTIONS',
    'REPORTERS',
    'RULES',
    'SEVERITY_LEVELS',
    'SKIP_REASONS',
    'THRESHOLD_KINDS',
    'UsageError',
    'applyExemptions',
    'assembleAudit',
    'assembleAuditReport',
    'assembleRemediationPlan',
    'auditCredentialReport',
    'auditReportSchema',
    'compareFindings',
    'configSchema',
    'evaluatePrincipal',
    'exemptionWarnings',
    'findingSchema',
    'journalEntrySchema',
    'loadConfig',
    'parseAsOf',
    'parseConfig',
    'parseCredentialReport',
    'parseIsoDateTime',
    'recogniseJson',
    'recogniseText',
    'remediationPlanSchema',
    'renderHtmlReport',
    'renderMarkdown',
    'reporterFor',
    'resolveSettings',
    'ruleOf',
    'runAudit',
    'severityOf',
    'thresholdFor',
    'toAsffFindings',
    'toIso',
    'toOcsfFindings',
  ],
  './aws': [
    'ACCOUNT_AUDIT_PERMISSIONS',
    'LAST_ACCESSED_PERMISSIONS',
    'PRINCIPAL_PERMISSIONS',
    'SCHEDULED_AUDIT_PERMISSIONS',
    'SECURITY_HUB_EXPORT_PERMISSIONS',
    'assumeRoleInAccount',
    'auditAccount',
    'auditAccounts',
    'auditPermissions',
    'classifyAwsError',
    'createClients',
    'evidencePolicy',
    'exportPolicy',
    'fetchCredentialReport',
    'fetchServiceLastAccessed',
    'importFindingsToSecurityHub',
    'listPermissionPrincipals',
    'liveAuditPolicy',
    'resolveAccountTargets',
    'roleArnFor',
    'suggestReducedPolicies',
    'suggestReducedPolicy',
  ],
  './remediation': [
    'JournalWriter',
    'DEFAULT_MAX_PLAN_AGE_MS',
    'REMEDIATION_ACTION_REGISTRY',
    'applyPlan',
    'checkPlanAge',
    'confirmedDeactivationDates',
    'deactivationDates',
    'journalConfirms',
    'previewUndo',
    'readDeactivationJournals',
    'readJournal',
    'remediationClients',
    'remediationPermissions',
    'remediationPolicy',
    'resolveCaller',
    'resolveCredentialIds',
    'undoJournal',
  ],
  './cloudtrail': [
    'ATHENA_PERMISSIONS',
    'LOOKUP_EVENTS_PERMISSIONS',
    'S3_TRAIL_PERMISSIONS',
    'athenaAggregationSql',
    'athenaTrailDdl',
    'createTrailAggregator',
    'foldTrailEvidence',
    'indexTrailEvidence',
    'lookupTrailEvents',
    'runAthenaTrailQuery',
    'scanCloudTrail',
    'summaryFromAggregationRows',
  ],
  './history': [
    'HistoryFullError',
    'MAX_DATABASE_BYTES',
    'credentialIdentity',
    'diffRuns',
    'isEmptyDiff',
    'openSqliteRunStore',
    'renderDiffText',
    'runsPastRetention',
    'trend',
  ],
};

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));

describe('library entry points (package.json exports)', () => {
  it('exports exactly the entry points pinned here, each with types', () => {
    assert.deepEqual(
      Object.keys(pkg.exports)
        .filter((k) => k !== './package.json')
        .sort(),
      Object.keys(PINNED).sort(),
    );
    for (const key of Object.keys(PINNED)) {
      assert.match(pkg.exports[key].types, /\.d\.ts$/);
      assert.ok(readFileSync(join(REPO_ROOT, pkg.exports[key].default)), `${key}: built`);
    }
  });

  for (const [entry, names] of Object.entries(PINNED)) {
    it(`credsweep${entry === '.' ? '' : entry.slice(1)} exports its pinned names`, async () => {
      const module = await import(pathToFileURL(join(REPO_ROOT, pkg.exports[entry].default)).href);
      assert.deepEqual(Object.keys(module).sort(), [...names].sort());
    });
  }

  it('the core entry point loads no AWS SDK and no sql.js', () => {
    const log = join(mkdtempSync(join(tmpdir(), 'credsweep-exports-')), 'resolved.txt');
    const hook = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(${JSON.stringify(log)}, result.url + '\\n');
  return result;
}`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        `data:text/javascript,${encodeURIComponent(register)}`,
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(pathToFileURL(join(REPO_ROOT, 'dist/index.js')).href)});`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    const resolved = readFileSync(log, 'utf8').split('\n').filter(Boolean);
    assert.ok(
      resolved.some((u) => u.endsWith('/dist/index.js')),
      'the hook saw the import',
    );
    assert.deepEqual(
      resolved.filter((u) => /@aws-sdk|@smithy|sql\.js|credential-providers/.test(u)),
      [],
    );
  });
});
