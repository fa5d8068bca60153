/**
 * `--format ocsf`: one OCSF 1.3 Detection Finding (class_uid 2004, category Findings) per credential,
 * as a JSON array. The finding's uid is the same stable key as the ASFF Id, so a data lake can follow
 * a credential across runs; activity is Create (a point-in-time audit), the status tracks whether
 * anything is left to do. credsweep's own fields go under `unmapped.credsweep`.
 */
import { partitionOf } from '../arn.ts';
import type { AuditReport, Finding } from '../model/finding.ts';
import {
  credentialLabel,
  findingKey,
  outcomeOf,
  principalLabel,
  ruleOf,
  severityOf,
  statusLabel,
} from './finding-facts.ts';
import type { Reporter } from './reporter.ts';

export const OCSF_VERSION = '1.3.0';
export const DETECTION_FINDING_CLASS_UID = 2004;
export const FINDINGS_CATEGORY_UID = 2;
/** activity_id 1 = Create. */
const ACTIVITY_CREATE = 1;

const SEVERITY_IDS = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;
const SEVERITY_NAMES = {
  informational: 'Informational',
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
} as const;

/** Finding status_id: 1 New, 3 Suppressed, 4 Resolved. */
function findingStatus(f: Finding): { status_id: number; status: string } {
  if (f.status === 'exempt') return { status_id: 3, status: 'Suppressed' };
  return outcomeOf(f.status) === 'passed'
    ? { status_id: 4, status: 'Resolved' }
    : { status_id: 1, status: 'New' };
}

const RESOURCE_TYPES = {
  user: 'AWS::IAM::User',
  role: 'AWS::IAM::Role',
  root: 'AWS::::Account',
  mfa_device: 'AWS::IAM::VirtualMFADevice',
} as const;

export interface OcsfDetectionFinding {
  activity_id: number;
  activity_name: string;
  category_uid: number;
  category_name: string;
  class_uid: number;
  class_name: string;
  type_uid: number;
  type_name: string;
  severity_id: number;
  severity: string;
  status_id: number;
  status: string;
  time: number;
  message: string;
  is_alert: boolean;
  metadata: {
    version: string;
    product: { name: string; vendor_name: string; uid: string };
    profiles: string[];
    log_name: string;
  };
  cloud: { provider: string; account: { uid: string; type: string; type_id: number }; region?: string };
  finding_info: {
    uid: string;
    title: string;
    desc: string;
    types: string[];
    created_time: number;
    modified_time: number;
    analytic: { uid: string; name: string; type: string; type_id: number };
  };
  resources: Array<{ uid: string; name: string; type: string; cloud_partition: string }>;
  remediation?: { desc: string };
  unmapped: { credsweep: Record<string, unknown> };
}

export function toOcsfFinding(f: Finding, report: AuditReport): OcsfDetectionFinding {
  const rule = ruleOf(f);
  const severity = severityOf(f);
  const generatedAt = Date.parse(report.generatedAt);
  const lastActivity = Date.parse(f.lastActivity);
  const title = `${statusLabel(f.status)}: ${credentialLabel(f)} of ${principalLabel(f)}`;
  return {
    activity_id: ACTIVITY_CREATE,
    activity_name: 'Create',
    category_uid: FINDINGS_CATEGORY_UID,
    category_name: 'Findings',
    class_uid: DETECTION_FINDING_CLASS_UID,
    class_name: 'Detection Finding',
    type_uid: DETECTION_FINDING_CLASS_UID * 100 + ACTIVITY_CREATE,
    type_name: 'Detection Finding: Create',
    severity_id: SEVERITY_IDS[severity],
    severity: SEVERITY_NAMES[severity],
    ...findingStatus(f),
    time: generatedAt,
    message: f.reason,
    is_alert: outcomeOf(f.status) === 'failed',
    metadata: {
      version: OCSF_VERSION,
      product: { name: 'credsweep', vendor_name: 'credsweep', uid: 'credsweep' },
      profiles: ['cloud'],
      log_name: 'credsweep audit',
    },
    cloud: { provider: 'AWS', account: { uid: f.accountId, type: 'AWS Account', type_id: 10 } },
    finding_info: {
      uid: `credsweep/${findingKey(f)}`,
      title,
      desc: `${f.reason}. ${rule.title}.`,
      types: [rule.id, f.status],
      created_time: Math.min(lastActivity, generatedAt),
      modified_time: generatedAt,
      analytic: { uid: rule.id, name: rule.title, type: 'Rule', type_id: 1 },
    },
    resources: [
      {
        uid: f.principalType === 'root' ? f.accountId : f.arn,
        name: f.principalName,
        type: RESOURCE_TYPES[f.principalType],
        cloud_partition: partitionOf(f.arn),
      },
    ],
    ...(outcomeOf(f.status) === 'passed'
      ? {}
      : {
          remediation: {
            desc: `Review, then deactivate or delete the ${credentialLabel(f)} (credsweep plan / apply), or exempt it with a named owner.`,
          },
        }),
    unmapped: {
      credsweep: {
        status: f.status,
        credential: f.credential,
        ageDays: f.ageDays,
        lastActivity: f.lastActivity,
        lastActivitySource: f.lastActivitySource,
        lastUsed: f.lastUsed,
        neverUsed: f.neverUsed,
        caveats: f.caveats,
        thresholdDays: report.thresholdDays,
        asOf: report.asOf,
        ...(f.accessKeyId ? { accessKeyId: f.accessKeyId } : {}),
        ...(f.service ? { service: f.service } : {}),
        ...(f.action ? { action: f.action } : {}),
      },
    },
  };
}

export function toOcsfFindings(report: AuditReport): OcsfDetectionFinding[] {
  return report.findings.map((f) => toOcsfFinding(f, report));
}

export const ocsfReporter: Reporter = {
  id: 'ocsf',
  description: 'OCSF 1.3 Detection Finding events (class 2004), a JSON array',
  render(report: AuditReport): string {
    return `${JSON.stringify(toOcsfFindings(report), null, 2)}\n`;
  },
};
