// Baselines for the credential-report benchmark, each reading the file and counting records:
// `csv-parse` (the parser credsweep used before) or `credsweep` (its own parser, from dist/: papaparse's
// core with decoding, line numbers and the header check, no inventory or rules).
import { createReadStream } from 'node:fs';

const [which, file] = process.argv.slice(2);
let records = 0;
if (which === 'csv-parse') {
  const { parse } = await import('csv-parse');
  for await (const _ of createReadStream(file).pipe(
    parse({ bom: true, relax_column_count: true, info: true }),
  ))
    records++;
} else if (which === 'credsweep') {
  const { parseCredentialReportChunks } = await import('../dist/sources/credential-report/parse-csv.js');
  for await (const rows of parseCredentialReportChunks(createReadStream(file), file)) records += rows.length;
} else {
  throw new Error(`unknown parser ${which}`);
}
console.log(records);
