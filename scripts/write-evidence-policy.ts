// Regenerates policies/evidence-policy.json from the permissions the evidence sources declare:
//   node --import tsx scripts/write-evidence-policy.ts
import { writeFileSync } from 'node:fs';
import { evidencePolicy } from '../src/audit/evidence-policy.ts';

const file = new URL('../policies/evidence-policy.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(evidencePolicy(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
