// Writes policies/remediation-policy.json from the remediation actions' declared permissions.
// Run: node --import tsx scripts/generate-remediation-policy.ts
import { writeFileSync } from 'node:fs';
import { remediationPolicy } from '../src/remediation/policy.ts';

const target = new URL('../policies/remediation-policy.json', import.meta.url);
writeFileSync(target, `${JSON.stringify(remediationPolicy(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
