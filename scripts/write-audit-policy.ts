// Regenerates policies/audit-policy.json from the permissions the live-audit sources declare:
//   node --import tsx scripts/write-audit-policy.ts
import { writeFileSync } from 'node:fs';
import { liveAuditPolicy } from '../src/audit/live-audit-policy.ts';

const file = new URL('../policies/audit-policy.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(liveAuditPolicy(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
