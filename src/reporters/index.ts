import { asffReporter } from './asff.ts';
import { csvReporter } from './csv.ts';
import { htmlReporter } from './html/index.ts';
import { jsonReporter } from './json.ts';
import { markdownReporter } from './markdown.ts';
import { ocsfReporter } from './ocsf.ts';
import type { Reporter } from './reporter.ts';
import { tableReporter } from './table.ts';

export type { RenderOptions, Reporter, TrendPoint, WriteChunk } from './reporter.ts';

/** Every output format, by the name `--format` takes. */
export const REPORTERS: Record<string, Reporter> = {
  table: tableReporter,
  json: jsonReporter,
  csv: csvReporter,
  html: htmlReporter,
  asff: asffReporter,
  ocsf: ocsfReporter,
  md: markdownReporter,
};

export function reporterFor(format: string): Reporter | undefined {
  return Object.hasOwn(REPORTERS, format) ? REPORTERS[format] : undefined;
}
