/** JSON Schemas derived from the zod contracts, for people and tools outside TypeScript. */
import { z } from 'zod';
import { auditReportSchema } from './finding.ts';

export function auditReportJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(auditReportSchema, { target: 'draft-2020-12' }),
    $id: 'https://github.com/credsweep/credsweep/schemas/audit-report.schema.json',
    title: 'credsweep audit report (schemaVersion 1)',
  };
}
