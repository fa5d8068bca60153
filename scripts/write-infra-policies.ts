// Rewrites the audit's read-only action lists in infra/ from what the code declares
// (SCHEDULED_AUDIT_PERMISSIONS.memberRole): the function role's AuditOwnAccountReadOnly statement in
// infra/template.yaml and the member role's AuditReadOnly statement in infra/member-role.yaml.
// test/infra/*.test.ts fail until it has been run after a source declares a new call:
//   node --import tsx scripts/write-infra-policies.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { SCHEDULED_AUDIT_PERMISSIONS } from '../src/lambda/scheduled-audit.ts';

const actions = [...new Set(SCHEDULED_AUDIT_PERMISSIONS.memberRole)];
const targets: [string, string][] = [
  ['../infra/template.yaml', 'AuditOwnAccountReadOnly'],
  ['../infra/member-role.yaml', 'AuditReadOnly'],
];
for (const [path, sid] of targets) {
  const file = new URL(path, import.meta.url);
  const text = readFileSync(file, 'utf8');
  // The statement's `Action:` list: the lines after `- Sid: <sid>` up to its `Resource:`.
  const block = new RegExp(
    `(- Sid: ${sid}\\n(\\s+)Effect: Allow\\n\\2Action:\\n)((?:\\2  - .*\\n)+)(\\2Resource:)`,
  );
  const match = block.exec(text);
  if (!match) throw new Error(`${file.pathname}: no statement ${sid} with an Action list`);
  const indent = match[2]!;
  const list = actions.map((a) => `${indent}  - ${a}\n`).join('');
  writeFileSync(file, text.replace(block, `$1${list}$4`));
  console.log(`wrote ${file.pathname} (${sid}: ${actions.length} actions)`);
}
