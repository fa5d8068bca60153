/**
 * Writes schemas/*.schema.json from the zod schemas in src/model (the single source of truth).
 * `node --import tsx scripts/generate-schemas.ts`; a test fails when the shipped files drift.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { auditReportJsonSchema } from '../src/model/json-schemas.ts';

const out = fileURLToPath(new URL('../schemas/audit-report.schema.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(auditReportJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
