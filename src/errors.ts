/**
 * Typed errors. The CLI maps each to an exit code and prints one line; only InternalError is a bug.
 */
import { redactSecrets } from './redact.ts';

export const ExitCode = {
  ok: 0,
  failOnMatched: 1,
  usage: 2,
  awsFailure: 3,
  internal: 70,
} as const;

export abstract class CredsweepError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
  readonly hint?: string;
  constructor(message: string, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.hint = hint;
  }
}

/** The command line itself is wrong (unknown flag, bad value). */
export class UsageError extends CredsweepError {
  readonly code = 'usage';
  readonly exitCode = ExitCode.usage;
}

/** An input file is malformed. `line` is 1-based; the CLI prints `file:line: message`. */
export class InputError extends CredsweepError {
  readonly code = 'input';
  readonly exitCode = ExitCode.usage;
  constructor(
    message: string,
    readonly file: string,
    readonly line?: number,
    hint?: string,
  ) {
    super(message, hint);
  }
  get location(): string {
    return this.line === undefined ? this.file : `${this.file}:${this.line}`;
  }
}

/** An error's message with, for an input error, where it is first (`file:line: message`). */
export function locatedMessage(e: CredsweepError): string {
  return e instanceof InputError ? `${e.location}: ${e.message}` : e.message;
}

/** AWS refused or failed a call we cannot do without. Its message is redacted (src/redact.ts). */
export class AwsAccessError extends CredsweepError {
  readonly code = 'aws';
  readonly exitCode = ExitCode.awsFailure;
  constructor(
    message: string,
    readonly awsCode: string,
    readonly accountId?: string,
    hint?: string,
  ) {
    super(redactSecrets(message), hint);
  }
}

/** A bug in credsweep. */
export class InternalError extends CredsweepError {
  readonly code = 'internal';
  readonly exitCode = ExitCode.internal;
}

export function isCredsweepError(e: unknown): e is CredsweepError {
  return e instanceof CredsweepError;
}
