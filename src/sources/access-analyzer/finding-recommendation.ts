/**
 * IAM Access Analyzer's own recommendation for an UnusedPermission finding: GetFindingRecommendation
 * (paginated `recommendedSteps`, docs/aws-behaviour.md §10), read only. The recommendation exists once
 * someone generated it (GenerateFindingRecommendation, the console's "preview recommendation"); credsweep
 * never starts one, since auditing changes nothing in AWS, so a finding without one is `NOT_GENERATED`.
 *
 *   readFindingRecommendation(client, analyzerArn, findingId) → FindingRecommendation
 */
import {
  type AccessAnalyzerClient,
  paginateGetFindingRecommendation,
  type RecommendedStep,
} from '@aws-sdk/client-accessanalyzer';
import { toIso } from '../../time.ts';

export const FINDING_RECOMMENDATION_PERMISSIONS = ['access-analyzer:GetFindingRecommendation'] as const;

export interface RecommendedPolicyStep {
  /** CREATE_POLICY: replace the policy with `recommendedPolicy`; DETACH_POLICY: nothing it grants is used. */
  action: string;
  /** The policy the step is about (a managed policy ARN or an inline policy's name). */
  existingPolicyId?: string;
  policyUpdatedAt?: string;
  /** The recommended policy document: parsed when it is JSON, else the text AWS returned. */
  recommendedPolicy?: unknown;
}

export interface FindingRecommendation {
  findingId: string;
  status: 'SUCCEEDED' | 'IN_PROGRESS' | 'FAILED' | 'NOT_GENERATED';
  error?: { code: string; message: string };
  steps: RecommendedPolicyStep[];
}

export async function readFindingRecommendation(
  client: AccessAnalyzerClient,
  analyzerArn: string,
  findingId: string,
): Promise<FindingRecommendation> {
  const steps: RecommendedPolicyStep[] = [];
  let status: FindingRecommendation['status'] = 'IN_PROGRESS';
  let error: FindingRecommendation['error'];
  try {
    for await (const page of paginateGetFindingRecommendation({ client }, { analyzerArn, id: findingId })) {
      if (page.status === 'SUCCEEDED' || page.status === 'FAILED' || page.status === 'IN_PROGRESS')
        status = page.status;
      if (page.error?.code) error = { code: page.error.code, message: page.error.message ?? '' };
      for (const s of page.recommendedSteps ?? []) {
        const step = toStep(s);
        if (step) steps.push(step);
      }
    }
  } catch (e) {
    if ((e as { name?: string }).name === 'ResourceNotFoundException')
      return { findingId, status: 'NOT_GENERATED', steps: [] };
    throw e;
  }
  return { findingId, status, ...(error ? { error } : {}), steps: status === 'SUCCEEDED' ? steps : [] };
}

function toStep(s: RecommendedStep): RecommendedPolicyStep | null {
  const step = 'unusedPermissionsRecommendedStep' in s ? s.unusedPermissionsRecommendedStep : undefined;
  if (!step?.recommendedAction) return null;
  return {
    action: step.recommendedAction,
    ...(step.existingPolicyId ? { existingPolicyId: step.existingPolicyId } : {}),
    ...(step.policyUpdatedAt ? { policyUpdatedAt: toIso(step.policyUpdatedAt.getTime()) } : {}),
    ...(step.recommendedPolicy !== undefined
      ? { recommendedPolicy: parsePolicy(step.recommendedPolicy) }
      : {}),
  };
}

function parsePolicy(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
