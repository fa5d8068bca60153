/**
 * Sending the owner warnings a run planned (planOwnerWarnings), and what the run keeps of them.
 *
 * A notice that fails (any HTTP status but 2xx, a timeout, a DNS or connection failure, an SNS
 * error) never stops the run: it is counted per owner in the run's result, and its credential is
 * left out of the warned state, so the next run plans and sends it again. One owner tag pointing
 * at a deleted webhook must not keep the report, the state and the baseline from being written.
 */
import { createHash } from 'node:crypto';
import { mapBounded } from '../audit/map-bounded.ts';
import { describeDeliveryFailure } from './notify.ts';
import type { OwnerWarning, OwnerWarningPlan, WarnedState } from './owner-warnings.ts';

/** Sends one warning; throws when it was not delivered. */
export type SendOwnerWarning = (warning: OwnerWarning) => Promise<void>;

export interface OwnerNoticeFailure {
  /**
   * The owner: the email address, or for a webhook the allow-listed prefix, `…` and a short digest of
   * the URL (`https://hooks.slack.com/services/T0123/…#1a2b3c4d`): the full URL is a secret, and two
   * owners in one workspace still count apart.
   */
  owner: string;
  /** Notices to this owner that failed in this run. */
  failed: number;
  /** Why the last of them failed (`HTTP 404`, `timeout`, `network error ENOTFOUND`, …). */
  error: string;
  /** The principals whose notices failed. */
  principals: string[];
}

export interface OwnerNotices {
  delivered: OwnerWarning[];
  failures: OwnerNoticeFailure[];
  /** The state to carry to the next run: delivered and earlier warnings, not the failed ones. */
  warned: WarnedState;
}

/** Notices sent at once: a run with many owners behind a slow host still ends within its timeout. */
const CONCURRENCY = 8;

export async function sendOwnerNotices(
  plan: Pick<OwnerWarningPlan, 'warnings' | 'warned'>,
  send: SendOwnerWarning,
  ownerWebhookAllow: readonly string[],
): Promise<OwnerNotices> {
  const outcomes = await mapBounded(plan.warnings, CONCURRENCY, async (warning) => {
    try {
      await send(warning);
      return { warning };
    } catch (error) {
      return { warning, error: describeDeliveryFailure(error) };
    }
  });
  const delivered = outcomes.filter((o) => o.error === undefined).map((o) => o.warning);
  const failed = outcomes.flatMap((o) =>
    o.error === undefined ? [] : [{ warning: o.warning, error: o.error }],
  );

  const warned = { ...plan.warned };
  const byOwner = new Map<string, OwnerNoticeFailure>();
  for (const { warning, error } of failed) {
    delete warned[warning.identity];
    const owner = ownerLabel(warning, ownerWebhookAllow);
    const entry = byOwner.get(owner) ?? { owner, failed: 0, error, principals: [] };
    entry.failed += 1;
    entry.error = error;
    if (!entry.principals.includes(warning.finding.arn)) entry.principals.push(warning.finding.arn);
    byOwner.set(owner, entry);
  }
  const failures = [...byOwner.values()].sort((a, b) => a.owner.localeCompare(b.owner));
  for (const f of failures) f.principals.sort();
  return { delivered, failures, warned };
}

/** Names an owner without the secret part of a webhook URL (the same name in every run). */
export function ownerLabel(warning: OwnerWarning, ownerWebhookAllow: readonly string[]): string {
  if (warning.target.kind === 'email') return warning.target.address;
  const url = warning.target.url;
  const prefix = ownerWebhookAllow.filter((p) => url.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  const digest = createHash('sha256').update(url).digest('hex').slice(0, 8);
  return `${prefix ?? new URL(url).origin}…#${digest}`;
}
