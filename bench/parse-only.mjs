// Baseline for the credential-report benchmark: csv-parse alone, counting records.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

let records = 0;
for await (const _ of createReadStream(process.argv[2]).pipe(parse({ bom: true, relax_column_count: true })))
  records++;
console.log(records);
