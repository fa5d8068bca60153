/**
 * The remediation journal's line format (JSON Lines, one entry per line). `apply` writes an `intent`
 * before each AWS call that changes something and `done`/`failed` after; `undo` appends to the same
 * journal with phase `undo`. Every step entry carries the plan step itself, so undo needs nothing else.
 */
import { z } from 'zod';
import { isoUtc } from './finding.ts';
import { planStepSchema } from './remediation-plan.ts';

export const credentialStateSchema = z.object({
  exists: z.boolean(),
  status: z.string().optional(),
  lastUsed: isoUtc.nullable(),
  targetId: z.string().optional(),
  createdAt: z.string().optional(),
});

export const JOURNAL_ENTRY_TYPES = ['run', 'intent', 'done', 'failed', 'skipped'] as const;

export const journalEntrySchema = z.object({
  v: z.literal(1),
  at: isoUtc,
  runId: z.string(),
  phase: z.enum(['apply', 'undo']),
  type: z.enum(JOURNAL_ENTRY_TYPES),
  /** On `run` lines: which plan (file and SHA-256) this run carries out. */
  plan: z.object({ file: z.string(), sha256: z.string(), dataCollectedAt: isoUtc }).optional(),
  step: planStepSchema.optional(),
  /** The credential's state read right before acting. */
  before: credentialStateSchema.optional(),
  /** On `skipped` lines: why (changed_since_plan, caller_key, irreversible, gone, …). */
  reason: z.string().optional(),
  detail: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
export type JournalEntry = z.infer<typeof journalEntrySchema>;
