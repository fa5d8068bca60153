/**
 * `credsweep/remediation`: carrying out a plan and undoing it (journalled), the action registry and
 * the remediation policy. Plans themselves are assembled by the core (`assembleRemediationPlan`).
 */
export {
  ACTIONS as REMEDIATION_ACTION_REGISTRY,
  type CredentialState,
  type RemediationAction,
  type RemediationClients,
} from '../remediation/actions/index.ts';
export {
  applyPlan,
  checkPlanAge,
  DEFAULT_MAX_PLAN_AGE_MS,
  type ApplyOptions,
  type StepResult,
} from '../remediation/apply.ts';
export type { ApplyOwnThresholds } from '../remediation/apply-thresholds.ts';
export { undoJournal, previewUndo, type UndoResult } from '../remediation/undo.ts';
// deactivationDates takes a journal's word; applyPlan counts a journal's dates only when
// journalConfirms (sealed with the plan key) or its caller trusts it (confirmedDeactivationDates).
export {
  JournalWriter,
  readJournal,
  deactivationDates,
  journalConfirms,
  confirmedDeactivationDates,
  readDeactivationJournals,
  type DeactivationJournal,
} from '../remediation/journal.ts';
export { remediationClients } from '../remediation/clients.ts';
export { resolveCaller, resolveCredentialIds } from '../remediation/resolve-credentials.ts';
export { remediationPolicy, remediationPermissions } from '../remediation/policy.ts';
