/**
 * The output formats by name, each reporter loaded only when its format is asked for: the CLI's
 * `--format` choices and its audit need no reporter module up front (the HTML report alone loads
 * vega's charts code; start-up: docs/performance.md). ./index.ts's REPORTERS (the library's registry)
 * holds the same reporters, all loaded; test/reporters/load-reporter.test.ts keeps the two in step.
 */
import type { Reporter } from './reporter.ts';

const LOADERS = {
  table: async () => (await import('./table.ts')).tableReporter,
  json: async () => (await import('./json.ts')).jsonReporter,
  csv: async () => (await import('./csv.ts')).csvReporter,
  html: async () => (await import('./html/index.ts')).htmlReporter,
  asff: async () => (await import('./asff.ts')).asffReporter,
  ocsf: async () => (await import('./ocsf.ts')).ocsfReporter,
  md: async () => (await import('./markdown.ts')).markdownReporter,
} satisfies Record<string, () => Promise<Reporter>>;

/** Every output format, by the name `--format` takes, in REPORTERS' order. */
export const FORMAT_NAMES: readonly string[] = Object.keys(LOADERS);

/** The reporter of this format, or undefined for a name that is none. */
export async function loadReporter(format: string): Promise<Reporter | undefined> {
  return Object.hasOwn(LOADERS, format) ? LOADERS[format as keyof typeof LOADERS]() : undefined;
}
