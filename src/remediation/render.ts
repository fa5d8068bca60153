/**
 * Plain-text tables for plan, apply and undo (pure). IAM-supplied names pass through printable(): a
 * user name must not be able to drive the terminal.
 */
import { credentialIdOf } from '../model/remediation-plan.ts';
import type { PlanStep, RemediationPlan } from '../model/remediation-plan.ts';
import { type Column, renderTable, WIDE_OR_JSON } from '../reporters/fit-table.ts';
import { wrapText } from '../reporters/text-width.ts';
import { printable } from '../reporters/printable.ts';
import { kindWords } from '../reporters/finding-facts.ts';
import { ACTIONS } from './actions/index.ts';
import type { StepResult } from './apply.ts';
import type { StepHistory } from './journal.ts';
import { QUARANTINE_POLICY_NAME } from './quarantine-policy.ts';
import { trustedPrincipals } from './role-record.ts';
import type { UndoResult } from './undo.ts';

/**
 * `width`: the terminal's, to fit (src/reporters/fit-table.ts); undefined prints every column whole.
 * `shows`: what shows a column left out to fit (plan has --format json; apply and undo do not).
 */
function table(
  headers: readonly (Column | string)[],
  rows: string[][],
  width?: number,
  shows?: string,
): string {
  return renderTable(
    headers,
    rows.map((r) => r.map(printable)),
    width,
    shows,
  );
}

// Actions and key ids stay whole (they are what a reviewer checks), and so does the principal: it
// wraps, or has a line of its own under each step, never cut (fit-table.ts says why). The
// credential's words may be cut in the middle: its kind and slot stay readable, the key id is whole.
const WHOLE = (header: string): Column => ({ header, shorten: 'none' });
const NAME = (header: string): Column => ({ header, minWidth: 12 });
const PRINCIPAL: Column = { header: 'PRINCIPAL', identifies: true };
const ACCOUNT: Column = { header: 'ACCOUNT', shorten: 'none', constantLabel: 'account' };
const LAST = (header: string, optional: number): Column => ({
  header,
  shorten: 'end',
  minWidth: 12,
  optional,
});

const RESULT_COLUMNS = [
  WHOLE('OUTCOME'),
  WHOLE('ACTION'),
  ACCOUNT,
  PRINCIPAL,
  WHOLE('CREDENTIAL'),
  LAST('DETAIL', 1),
];

/** Where the table goes: the terminal's width to fit, none in a pipe or with --wide. */
export interface TableOptions {
  width?: number;
}

function principal(s: { principalName: string; principalType: string }): string {
  return s.principalType === 'user' ? s.principalName : `${s.principalName} (${s.principalType})`;
}

function target(s: Parameters<typeof credentialIdOf>[0] & { credential: string }): string {
  return credentialIdOf(s) ?? s.credential;
}

/** The credential in words (`access key 1`) and, when known, its id. */
function credentialAndId(s: Parameters<typeof credentialIdOf>[0] & { credential: string }): string[] {
  return [kindWords(s.credential), credentialIdOf(s) ?? ''];
}

export function renderPlanTable(plan: RemediationPlan, options: TableOptions = {}): string {
  const out: string[] = [];
  if (plan.steps.length > 0) {
    out.push(
      table(
        [
          WHOLE('ACTION'),
          ACCOUNT,
          PRINCIPAL,
          NAME('CREDENTIAL'),
          WHOLE('KEY ID'),
          WHOLE('UNDO'),
          LAST('REASON', 1),
        ],
        plan.steps.map((s) => [
          s.action,
          s.accountId,
          principal(s),
          ...credentialAndId(s),
          ACTIONS[s.action].reversible ? 'yes' : 'NO',
          s.reason,
        ]),
        options.width,
        WIDE_OR_JSON, // plan prints the plan as JSON too
      ),
    );
  }
  if (plan.skipped.length > 0) {
    if (out.length > 0) out.push('');
    out.push(
      table(
        [
          { header: 'SKIPPED', shorten: 'end', minWidth: 12 },
          ACCOUNT,
          PRINCIPAL,
          NAME('CREDENTIAL'),
          WHOLE('KEY ID'),
          LAST('WHY', 1),
        ],
        plan.skipped.map((s) => [s.reason, s.accountId, principal(s), ...credentialAndId(s), s.detail]),
        options.width,
        WIDE_OR_JSON, // plan prints the plan as JSON too
      ),
    );
  }
  const { steps, reversible, irreversible, skipped } = plan.summary;
  out.push(
    '',
    ...wrapText(
      `${steps} step${steps === 1 ? '' : 's'} (${reversible} reversible, ${irreversible} irreversible), ${skipped} skipped; data collected ${plan.dataCollectedAt}`,
      options.width,
    ),
  );
  return `${out.join('\n')}\n`;
}

/**
 * Every step the confirmation is about, irreversible ones first and marked; reversibility from the
 * action registry, never from the step.
 */
export function renderStepListing(steps: readonly PlanStep[], options: TableOptions = {}): string {
  const ordered = [
    ...steps.filter((s) => !ACTIONS[s.action].reversible),
    ...steps.filter((s) => ACTIONS[s.action].reversible),
  ];
  return `${table(
    [WHOLE('REVERSIBLE'), WHOLE('ACTION'), ACCOUNT, PRINCIPAL, WHOLE('CREDENTIAL')],
    ordered.map((s) => [
      ACTIONS[s.action].reversible ? 'yes' : '!! NO (irreversible)',
      s.action,
      s.accountId,
      principal(s),
      target(s),
    ]),
    options.width,
  )}\n`;
}

/**
 * The steps apply will not carry out whatever AWS holds (src/remediation/apply.ts gateStep), one line
 * each with why, after the listing of those it may: `not carried out: <action> <credential>
 * (<account> <principal>): <why>`. '' when there are none.
 */
export function renderNotCarriedOut(gated: readonly { step: PlanStep; detail: string }[]): string {
  return gated
    .map(
      ({ step: s, detail }) =>
        `not carried out: ${printable(s.action)} ${printable(target(s))} (${printable(s.accountId)} ${printable(principal(s))}): ${printable(detail)}\n`,
    )
    .join('');
}

export function renderApplyResults(results: readonly StepResult[], options: TableOptions = {}): string {
  const rows = results.map((r) => [
    r.outcome,
    r.step.action,
    r.step.accountId,
    principal(r.step),
    target(r.step),
    [r.reason, r.detail].filter(Boolean).join(': '),
  ]);
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  return `${table(RESULT_COLUMNS, rows, options.width)}\n\n${count('done')} done, ${count('already_done')} already done, ${count('skipped')} skipped, ${count('failed')} failed\n`;
}

export function renderUndoResults(results: readonly UndoResult[], options: TableOptions = {}): string {
  const rows = results.map((r) => [
    r.outcome === 'irreversible' ? 'cannot undo' : r.outcome,
    r.step.action,
    r.step.accountId,
    principal(r.step),
    target(r.step),
    r.detail ?? '',
  ]);
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  return `${table(RESULT_COLUMNS, rows, options.width)}\n\n${count('undone') + count('already_undone')} reversed, ${count('irreversible')} cannot be undone, ${count('skipped')} skipped, ${count('failed')} failed, ${count('not_confirmed')} not confirmed\n`;
}

/**
 * What undo would write into AWS from the journal itself (a deleted role recreated: who it trusts,
 * its policies and instance profiles), for the confirmation: a role's trust and permissions are the
 * journal's word, so they are shown whole. '' when no step recreates anything.
 */
export function renderRecreations(histories: readonly StepHistory[], options: { sealed: boolean }): string {
  let text = '';
  for (const h of histories) {
    const role = h.before?.role;
    if (!ACTIONS[h.step.action].undoWritesJournalledPolicies || !role) continue;
    const list = (items: readonly string[]) => (items.length > 0 ? items.map(printable).join(', ') : 'none');
    text +=
      `recreates role ${printable(role.roleName)} in account ${printable(h.step.accountId)} as the journal records it:\n` +
      `  trusted by: ${list(trustedPrincipals(role.trustPolicy))}\n` +
      `  inline policies: ${list(role.inlinePolicies.filter((p) => p.name !== QUARANTINE_POLICY_NAME).map((p) => p.name))}\n` +
      `  managed policies: ${list(role.attachedPolicyArns)}\n` +
      `  instance profiles: ${list(role.instanceProfiles.map((p) => p.name))}\n` +
      (h.state !== 'applied' && h.undoing?.exists && h.undoing.targetId
        ? `  an earlier undo created it as RoleId ${printable(h.undoing.targetId)}: this one carries on in that role\n`
        : '');
  }
  if (text !== '' && !options.sealed) {
    text +=
      'this journal is not sealed with a plan key: the roles are recreated as it is written (--trust-unsigned-journal)\n';
  }
  return text;
}
