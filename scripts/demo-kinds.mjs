// `npm start`, second part: the credential kinds only the IAM API path sees (SSH public keys,
// service-specific credentials, unassigned virtual MFA devices), from a recorded inventory
// (examples/demo/iam-api-inventory.json) through the same rules and table as `audit --source api`.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => import(`${root}dist/${path}`);

export async function kindsDemoTable(asOfIso, options = {}) {
  const { evaluatePrincipal } = await dist('rules/index.js');
  const { assembleAuditReport } = await dist('audit/audit-report.js');
  const { tableReporter } = await dist('reporters/table.js');
  const inventory = JSON.parse(readFileSync(`${root}examples/demo/iam-api-inventory.json`, 'utf8'));
  const at = (iso) => (iso === null ? null : Date.parse(iso));
  const asOf = Date.parse(asOfIso);
  const account = inventory.accountId;
  const principals = [
    ...inventory.users.map((u) => ({
      accountId: account,
      type: 'user',
      name: u.name,
      arn: `arn:aws:iam::${account}:user/${u.name}`,
      createdAt: at(u.createdAt),
      password: null,
      accessKeys: [],
      signingCertificates: [],
      sshPublicKeys: (u.sshPublicKeys ?? []).map((k) => ({ ...k, uploadedAt: at(k.uploadedAt) })),
      serviceSpecificCredentials: (u.serviceSpecificCredentials ?? []).map((c) => ({
        ...c,
        createdAt: at(c.createdAt),
        expiresAt: at(c.expiresAt),
      })),
    })),
    ...inventory.unassignedMfaDevices.map((name) => ({
      accountId: account,
      type: 'mfa_device',
      name,
      arn: `arn:aws:iam::${account}:mfa/${name}`,
      createdAt: asOf,
      password: null,
      accessKeys: [],
      signingCertificates: [],
      virtualMfaDevice: { serialNumber: `arn:aws:iam::${account}:mfa/${name}` },
    })),
  ];
  const ctx = { asOf, thresholdDays: 90 };
  const findings = principals.flatMap((p) => evaluatePrincipal(p, ctx));
  const report = assembleAuditReport({ generatedAt: asOf, asOf, thresholdDays: 90 }, findings);
  return tableReporter.render(report, { color: options.color ?? false, width: options.width });
}
