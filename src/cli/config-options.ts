/**
 * The configuration file at the CLI's edge: found (`--config` or ./credsweep.config.*), validated,
 * and merged under the flags (a flag given on the command line wins over the file).
 */
import type { Command } from 'commander';
import { type LoadedConfig, loadConfig } from '../config/load-config.ts';
import { UsageError } from '../errors.ts';
import { printable } from '../reporters/printable.ts';
import type { CliContext } from './context.ts';

/**
 * The configuration file, and (unless `--quiet`) one stderr line naming it, so a file found in the
 * working directory never applies silently.
 */
export async function loadCliConfig(
  flag: string | undefined,
  ctx?: Pick<CliContext, 'stderr' | 'quiet'>,
): Promise<LoadedConfig | undefined> {
  const loaded = await loadConfig(flag, process.cwd());
  if (loaded && ctx && !ctx.quiet)
    ctx.stderr.write(`credsweep: using configuration file ${printable(loaded.file)}\n`);
  return loaded;
}

/** True when the option's value came from the command line (not its default). */
export function givenOnCommandLine(command: Command, option: string): boolean {
  return command.getOptionValueSource(option) === 'cli';
}

/** `--db`, else the configuration file's `db`, else (when required) a usage error. */
export function resolveDbPath(
  flag: string | undefined,
  loaded: LoadedConfig | undefined,
): string | undefined {
  return flag ?? loaded?.config.db;
}

export function requireDbPath(flag: string | undefined, loaded: LoadedConfig | undefined): string {
  const path = resolveDbPath(flag, loaded);
  if (path === undefined) {
    throw new UsageError('no history database: give --db FILE (or "db" in credsweep.config.json|yaml)');
  }
  return path;
}

/** The flag's value when the command line gave it, else undefined (the file or the default decides). */
export function givenFlag<T>(command: Command, option: string, value: T): T | undefined {
  return givenOnCommandLine(command, option) ? value : undefined;
}
