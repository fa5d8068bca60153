/**
 * The configuration file's contract (`credsweep.config.json|yaml`). Validated once, at the edge, by
 * loadConfig; the rest of the code receives the normalised `CredsweepConfig`.
 */
import { z } from 'zod';
import { MAX_KEEP_DAYS, MAX_KEEP_RUNS } from '../history/retention.ts';
import { THRESHOLD_KINDS } from '../rules/rule.ts';
import { parseAsOf } from '../time.ts';

const days = z.number().int().min(0).max(36_500);
/** A whole number from 1 to `max`: one message for every way to miss it (a string, 0, 2.5, -1). */
function atLeastOne(max: number, unit: string) {
  const error = `expected a whole number of ${unit} from 1 to ${max}`;
  return z.number({ error }).int({ error }).min(1, { error }).max(max, { error });
}
const accountId = z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id');
const isoDay = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && parseAsOf(s) !== null, 'expected a date YYYY-MM-DD');

/** Which credential kinds an exemption covers; `access_key` and `cert` cover both slots. */
export const EXEMPTION_CREDENTIALS = [
  'password',
  'access_key',
  'cert',
  'role',
  'permission',
  'ssh_public_key',
  'service_specific_credential',
  'mfa_device',
  'none',
] as const;

export const exemptionSchema = z
  .object({
    /** The principal's friendly name, exactly (e.g. `break-glass`). */
    principal: z.string().min(1).optional(),
    /** An ARN glob: `*` matches any run of characters, `?` one character. */
    arn: z.string().min(1).optional(),
    /** A tag the principal carries; without `value`, any value matches. */
    tag: z
      .object({ key: z.string().min(1), value: z.string().optional() })
      .strict()
      .optional(),
    /** Only these credential kinds (default: all of the principal's). */
    credentials: z.array(z.enum(EXEMPTION_CREDENTIALS)).min(1).optional(),
    owner: z.string().min(1, 'an exemption needs an owner'),
    reason: z.string().min(1, 'an exemption needs a reason'),
    /** The last day (UTC) the exemption applies; from the next day on it has expired. */
    expires: isoDay,
  })
  .strict()
  .refine((e) => e.principal !== undefined || e.arn !== undefined || e.tag !== undefined, {
    message: 'an exemption needs at least one of principal, arn or tag',
  });
export type Exemption = z.infer<typeof exemptionSchema>;

/** One `ownerWebhookAllow` entry: an https URL prefix naming a host and a path, nothing else. */
const ownerWebhookPrefix = z.string().superRefine((text, ctx) => {
  const why = ownerWebhookPrefixProblem(text);
  if (why) ctx.addIssue({ code: 'custom', message: why });
});

export function ownerWebhookPrefixProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'expected an https URL prefix such as https://hooks.slack.com/services/T0123/';
  }
  if (url.protocol !== 'https:') return 'expected https:';
  if (url.port !== '') return 'expected the default port (no :port)';
  if (url.username !== '' || url.password !== '') return 'expected no user:password@';
  if (url.search !== '' || url.hash !== '' || text.includes('?') || text.includes('#'))
    return 'expected no ? query or # fragment';
  if (url.pathname === '/' || !url.pathname.endsWith('/'))
    return 'expected a path ending in / (e.g. /services/T0123/): a host alone admits any workspace on it';
  if (url.href !== text) return `expected it written as ${url.href}`;
  return undefined;
}

export const notificationsSchema = z
  .object({
    /** SNS topic for the summary of changes and for owner warnings (owners with an email tag). */
    snsTopicArn: z
      .string()
      .regex(/^arn:aws[\w-]*:sns:[\w-]+:\d{12}:[\w-]+$/, 'expected an SNS topic ARN')
      .optional(),
    /** Refused: a URL here travels in plain text (the Lambda's CREDSWEEP_CONFIG variable). */
    webhookUrl: z
      .undefined({
        error:
          'the team webhook URL is a secret: store it in Secrets Manager and give its ARN as WebhookSecretArn (CREDSWEEP_WEBHOOK_SECRET_ARN)',
      })
      .optional(),
    /** Warn a credential's owner this many days before its deactivation date. */
    ownerWarningDays: z.number().int().min(1).max(365).default(7),
    /** Days between crossing the threshold and the scheduled deactivation. */
    graceDays: z.number().int().min(0).max(365).default(0),
    /**
     * URL prefixes an `owner` tag may name as a webhook, e.g. `https://hooks.slack.com/services/T0123/`:
     * a tag is not trusted to pick where a notice (key id, ARN, account) goes. https only, the default
     * port, no user info, no query; the path ends with `/` so `/T0123/` does not admit `/T01234/`.
     */
    ownerWebhookAllow: z.array(ownerWebhookPrefix).default([]),
    /** Replaced by ownerWebhookAllow (a host alone let anyone who can tag a user pick the workspace). */
    ownerWebhookHosts: z
      .undefined({
        error:
          'replaced by ownerWebhookAllow: list URL prefixes such as https://hooks.slack.com/services/T0123/',
      })
      .optional(),
    /** How long a webhook POST may take before it counts as failed (and is retried next run). */
    webhookTimeoutMs: z.number().int().min(100).max(30_000).default(10_000),
    /** What the owner warning says about claiming an exemption. */
    exemptionHowTo: z
      .string()
      .min(1)
      .default('add an exemption (principal, owner, reason, expires) to credsweep.config.yaml'),
    /**
     * The role, user and permission steps the scheduled `plan` takes (its flags), so the Lambda warns
     * owners before them as before key deactivations. Off by default: the Lambda cannot see which
     * flags the team's plan + apply job uses.
     */
    plannedSteps: z
      .object({
        /** `plan --roles`: unused roles are quarantined. */
        roles: z.boolean().default(false),
        /** `plan --roles --allow-irreversible --delete-after N`: roles quarantined N days ago are deleted. */
        deleteRolesAfterDays: z.number().int().min(0).max(3650).optional(),
        /** `plan --quarantine-users`: users none of whose credentials is in use are quarantined. */
        quarantineUsers: z.boolean().default(false),
        /** `plan --permissions`: a permissions boundary for unused services (the Lambda reads CREDSWEEP_ACCESS_ANALYZER). */
        permissions: z.boolean().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();
export type NotificationsConfig = z.infer<typeof notificationsSchema>;

export const configSchema = z
  .object({
    /** Default threshold (the `--days` flag overrides it). */
    days: days.optional(),
    /** Per-kind thresholds, e.g. `{ access_key: 60, role: 180 }`. */
    thresholds: z.partialRecord(z.enum(THRESHOLD_KINDS), days).optional(),
    exemptions: z.array(exemptionSchema).default([]),
    /** Accounts to audit (default: every account of the organisation). */
    accounts: z.array(accountId).optional(),
    /** The role assumed in member accounts. */
    roleName: z
      .string()
      .regex(/^[\w+=,.@-]{1,64}$/, 'expected an IAM role name')
      .optional(),
    /**
     * Live audits on the credential-report path (the default, and the Lambda's): list each user's SSH
     * public keys, one ListSSHPublicKeys call per user (docs/scaling.md). false: SSH keys are not
     * audited there (the accounts say so); `--source api` always lists them.
     */
    sshPublicKeys: z.boolean().optional(),
    /** The history database (`--db` overrides it). */
    db: z.string().min(1).optional(),
    /** The history database keeps at most this many runs, the newest (`--keep-runs` overrides it). */
    keepRuns: atLeastOne(MAX_KEEP_RUNS, 'runs').optional(),
    /** The history database keeps no run older than this many days (`--keep-days` overrides it). */
    keepDays: atLeastOne(MAX_KEEP_DAYS, 'days').optional(),
    notifications: notificationsSchema.optional(),
  })
  .strict();
export type CredsweepConfig = z.infer<typeof configSchema>;
