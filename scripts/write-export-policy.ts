// Regenerates policies/export-policy.json from the permissions `export securityhub` declares:
//   node --import tsx scripts/write-export-policy.ts
import { writeFileSync } from 'node:fs';
import { exportPolicy } from '../src/export/export-policy.ts';

const file = new URL('../policies/export-policy.json', import.meta.url);
writeFileSync(file, `${JSON.stringify(exportPolicy(), null, 2)}\n`);
console.log(`wrote ${file.pathname}`);
