/**
 * Plain-text tables for plan, apply and undo (pure). IAM-supplied names pass through printable(): a
 * user name must not be able to drive the terminal.
 */
import type { RemediationPlan } from '../model/remediation-plan.ts';
import { printable } from '../reporters/printable.ts';
import type { StepResult } from './apply.ts';
import type { UndoResult } from './undo.ts';

function table(headers: readonly string[], rows: string[][]): string {
  const cells = rows.map((r) => r.map(printable));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...cells.map(line)].join('\n');
}

function principal(s: { principalName: string; principalType: string }): string {
  return s.principalType === 'user' ? s.principalName : `${s.principalName} (${s.principalType})`;
}

function target(s: { accessKeyId?: string; certificateId?: string; credential: string }): string {
  return s.accessKeyId ?? s.certificateId ?? s.credential;
}

export function renderPlanTable(plan: RemediationPlan): string {
  const out: string[] = [];
  if (plan.steps.length > 0) {
    out.push(
      table(
        ['ACTION', 'ACCOUNT', 'PRINCIPAL', 'CREDENTIAL', 'UNDO', 'REASON'],
        plan.steps.map((s) => [
          s.action,
          s.accountId,
          principal(s),
          target(s),
          s.reversible ? 'yes' : 'NO',
          s.reason,
        ]),
      ),
    );
  }
  if (plan.skipped.length > 0) {
    if (out.length > 0) out.push('');
    out.push(
      table(
        ['SKIPPED', 'ACCOUNT', 'PRINCIPAL', 'CREDENTIAL', 'WHY'],
        plan.skipped.map((s) => [
          s.reason === 'irreversible' ? 'skipped (irreversible)' : s.reason,
          s.accountId,
          principal(s),
          target(s),
          s.detail,
        ]),
      ),
    );
  }
  const { steps, reversible, irreversible, skipped } = plan.summary;
  out.push(
    '',
    `${steps} step${steps === 1 ? '' : 's'} (${reversible} reversible, ${irreversible} irreversible), ${skipped} skipped; data collected ${plan.dataCollectedAt}`,
  );
  return `${out.join('\n')}\n`;
}

export function renderApplyResults(results: readonly StepResult[]): string {
  const rows = results.map((r) => [
    r.outcome,
    r.step.action,
    r.step.accountId,
    principal(r.step),
    target(r.step),
    [r.reason, r.detail].filter(Boolean).join(': '),
  ]);
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  return `${table(['OUTCOME', 'ACTION', 'ACCOUNT', 'PRINCIPAL', 'CREDENTIAL', 'DETAIL'], rows)}\n\n${count('done')} done, ${count('already_done')} already done, ${count('skipped')} skipped, ${count('failed')} failed\n`;
}

export function renderUndoResults(results: readonly UndoResult[]): string {
  const rows = results.map((r) => [
    r.outcome === 'irreversible' ? 'cannot undo' : r.outcome,
    r.step.action,
    r.step.accountId,
    principal(r.step),
    target(r.step),
    r.detail ?? '',
  ]);
  const count = (o: string) => results.filter((r) => r.outcome === o).length;
  return `${table(['OUTCOME', 'ACTION', 'ACCOUNT', 'PRINCIPAL', 'CREDENTIAL', 'DETAIL'], rows)}\n\n${count('undone') + count('already_undone')} reversed, ${count('irreversible')} cannot be undone, ${count('skipped')} skipped, ${count('failed')} failed\n`;
}
