/**
 * `--format asff`: the AWS Security Finding Format (SchemaVersion 2018-10-08), ready for Security
 * Hub's BatchImportFindings (`credsweep export securityhub` sends it; for up to 100 findings
 * `aws securityhub batch-import-findings --findings file://findings.asff.json` works too).
 *
 * Every credential becomes one finding with a stable Id (account, principal ARN, credential slot), so
 * a re-import updates the finding instead of adding a duplicate: a key that is used again turns
 * PASSED/ARCHIVED, an exempt one SUPPRESSED. The product is the account's own default integration,
 * `arn:<partition>:securityhub:<region>:<account>:product/<account>/default`.
 */
import { partitionOf } from '../arn.ts';
import type { AuditReport, Finding } from '../model/finding.ts';
import {
  boundedKey,
  credentialLabel,
  outcomeOf,
  principalLabel,
  ruleOf,
  severityOf,
  statusLabel,
} from './finding-facts.ts';
import type { RenderOptions, Reporter } from './reporter.ts';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const DEFAULT_ASFF_REGION = 'us-east-1';

/** The subset of the ASFF that credsweep writes (field names and limits from the ASFF reference). */
export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  GeneratorId: string;
  AwsAccountId: string;
  Region: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  LastObservedAt: string;
  Severity: { Label: 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL'; Original: string };
  Title: string;
  Description: string;
  Remediation: { Recommendation: { Text: string } };
  ProductFields: Record<string, string>;
  Resources: AsffResource[];
  Compliance: { Status: 'PASSED' | 'WARNING' | 'FAILED' | 'NOT_AVAILABLE' };
  Workflow: { Status: 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED' };
  RecordState: 'ACTIVE' | 'ARCHIVED';
}

export interface AsffResource {
  Type: 'AwsIamUser' | 'AwsIamRole' | 'AwsIamAccessKey' | 'AwsAccount' | 'Other';
  Id: string;
  Partition: string;
  Region: string;
  Details?: Record<string, Record<string, string>>;
}

export interface AsffOptions {
  /** The Security Hub region the findings go to (IAM itself is global). */
  region: string;
  /** The account whose default product receives the findings; each finding's own account by default. */
  productAccountId?: string;
}

export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/**
 * ASFF's length limits (Title 256, Description 1024, Recommendation.Text 512), in UTF-16 units. A cut
 * never splits a surrogate pair: half of one (an emoji's) is no Unicode text, in a file or to Security Hub.
 */
function fit(text: string, max: number): string {
  if (text.length <= max) return text;
  const end = /[\uD800-\uDBFF]/.test(text[max - 2]!) ? max - 2 : max - 1;
  return `${text.slice(0, end)}…`;
}

const SEVERITY_LABELS = {
  informational: 'INFORMATIONAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  critical: 'CRITICAL',
} as const;

const BEST_PRACTICE = 'Software and Configuration Checks/AWS Security Best Practices/Unused IAM credentials';
// CIS AWS Foundations Benchmark: disable credentials unused for 45 days or more (1.12 in v1.4/v3).
const CIS =
  'Software and Configuration Checks/Industry and Regulatory Standards/CIS AWS Foundations Benchmark';

function resourcesOf(f: Finding, region: string): AsffResource[] {
  const partition = partitionOf(f.arn);
  if (f.principalType === 'root') {
    return [
      { Type: 'AwsAccount', Id: `AWS::::Account:${f.accountId}`, Partition: partition, Region: region },
    ];
  }
  if (f.principalType === 'mfa_device') {
    // ASFF has no resource type for MFA devices.
    return [{ Type: 'Other', Id: f.arn, Partition: partition, Region: region }];
  }
  const principal: AsffResource =
    f.principalType === 'role'
      ? {
          Type: 'AwsIamRole',
          Id: f.arn,
          Partition: partition,
          Region: region,
          Details: { AwsIamRole: { RoleName: f.principalName } },
        }
      : {
          Type: 'AwsIamUser',
          Id: f.arn,
          Partition: partition,
          Region: region,
          Details: { AwsIamUser: { UserName: f.principalName } },
        };
  if (f.accessKeyId && (f.credential === 'access_key_1' || f.credential === 'access_key_2')) {
    // The credential report has no key ids; the IAM API source does. Without one, the user is the resource.
    return [
      {
        Type: 'AwsIamAccessKey',
        Id: `AWS::IAM::AccessKey:${f.accessKeyId}`,
        Partition: partition,
        Region: region,
        Details: {
          AwsIamAccessKey: {
            Status: f.status === 'inactive' ? 'Inactive' : 'Active',
            PrincipalName: f.principalName,
            PrincipalType: 'IAMUser',
            UserName: f.principalName,
          },
        },
      },
      principal,
    ];
  }
  return [principal];
}

function recommendation(f: Finding): string {
  switch (f.status) {
    case 'unused':
      return f.credential === 'permission'
        ? 'Remove the unused permission from the policy (credsweep permissions --suggest-policy shows a reduced policy).'
        : `Deactivate or delete the ${credentialLabel(f)} (credsweep plan, then credsweep apply; undo is journalled), or exempt it with a named owner.`;
    case 'unverified':
      return 'AWS records no last use for signing certificates: confirm with the owner (or CloudTrail) that it is needed, else deactivate it.';
    case 'inactive':
      return 'Delete the inactive credential once you are sure it will not be reactivated.';
    case 'no_credentials':
      return 'Delete the user if nobody needs it any more.';
    default:
      return 'No action needed.';
  }
}

export function toAsffFinding(f: Finding, report: AuditReport, options: AsffOptions): AsffFinding {
  const rule = ruleOf(f);
  const outcome = outcomeOf(f.status);
  const severity = severityOf(f);
  const partition = partitionOf(f.arn);
  const generatedAt = report.generatedAt;
  // CreatedAt is when the condition began (the last activity), so it stays the same across re-imports.
  const createdAt = f.lastActivity < generatedAt ? f.lastActivity : generatedAt;
  const types = [BEST_PRACTICE];
  if (f.credential === 'password' || f.credential === 'access_key_1' || f.credential === 'access_key_2') {
    types.push(CIS);
  }
  const productFields: Record<string, string> = {
    'credsweep/Status': f.status,
    'credsweep/Credential': f.credential,
    'credsweep/AgeDays': String(f.ageDays),
    'credsweep/LastActivity': f.lastActivity,
    'credsweep/LastActivitySource': f.lastActivitySource,
    'credsweep/NeverUsed': String(f.neverUsed),
    'credsweep/ThresholdDays': String(report.thresholdDays),
  };
  if (f.lastUsed) productFields['credsweep/LastUsed'] = f.lastUsed;
  if (f.caveats.length > 0) productFields['credsweep/Caveats'] = f.caveats.join(',');
  if (f.lastUsedService) productFields['credsweep/LastUsedService'] = f.lastUsedService;
  if (f.lastUsedRegion) productFields['credsweep/LastUsedRegion'] = f.lastUsedRegion;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: boundedKey('credsweep/', f, 512),
    ProductArn: productArn(partition, options.region, options.productAccountId ?? f.accountId),
    ProductName: 'credsweep',
    CompanyName: 'credsweep',
    GeneratorId: `credsweep/${rule.id}`,
    AwsAccountId: f.accountId,
    Region: options.region,
    Types: types,
    CreatedAt: createdAt,
    UpdatedAt: generatedAt,
    LastObservedAt: generatedAt,
    Severity: { Label: SEVERITY_LABELS[severity], Original: severity },
    Title: fit(`${statusLabel(f.status)}: ${credentialLabel(f)} of ${principalLabel(f)}`, 256),
    Description: fit(
      `${f.reason}. ${rule.title}. Last activity ${f.lastActivity.slice(0, 10)} (${f.lastActivitySource.replaceAll('_', ' ')}); evaluated as of ${report.asOf.slice(0, 10)}.`,
      1024,
    ),
    Remediation: { Recommendation: { Text: fit(recommendation(f), 512) } },
    ProductFields: productFields,
    Resources: resourcesOf(f, options.region),
    Compliance: { Status: outcome === 'failed' ? 'FAILED' : outcome === 'warning' ? 'WARNING' : 'PASSED' },
    Workflow: { Status: f.status === 'exempt' ? 'SUPPRESSED' : outcome === 'passed' ? 'RESOLVED' : 'NEW' },
    RecordState: f.status === 'in_use' || f.status === 'service_linked' ? 'ARCHIVED' : 'ACTIVE',
  };
}

export function toAsffFindings(report: AuditReport, options: AsffOptions): AsffFinding[] {
  return report.findings.map((f) => toAsffFinding(f, report, options));
}

export const asffReporter: Reporter = {
  id: 'asff',
  description: 'AWS Security Finding Format for Security Hub (a JSON array; see export securityhub)',
  render(report: AuditReport, options: RenderOptions): string {
    const findings = toAsffFindings(report, { region: options.region ?? DEFAULT_ASFF_REGION });
    return `${JSON.stringify(findings, null, 2)}\n`;
  },
};
