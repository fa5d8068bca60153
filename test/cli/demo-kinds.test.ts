/**
 * `npm start` shows the credential kinds only the IAM API path sees (scripts/demo-kinds.mjs on the
 * recorded inventory examples/demo/iam-api-inventory.json), at the demo's fixed as-of date, through
 * the built rules and table reporter.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEMO_AS_OF, REPO_ROOT } from '../helpers/cli.ts';

describe('the demo (npm start) shows the new credential kinds', () => {
  it('SSH keys, service-specific credentials and an unassigned MFA device, with their statuses', async () => {
    const { kindsDemoTable } = await import(`${REPO_ROOT}scripts/demo-kinds.mjs`);
    const table: string = await kindsDemoTable(DEMO_AS_OF);
    const line = (id: string) => table.split('\n').find((l) => l.includes(id)) ?? '';
    assert.match(line('old-laptop-token'), /^unused\s.*mfa device/);
    assert.match(line('APKAEIBAERJR2EXAMPLE'), /^unverified\s/);
    assert.match(line('APKAEIBAERJR3EXAMPLE'), /^in_use\s/);
    assert.match(line('APKAEIBAERJR4EXAMPLE'), /^inactive\s/);
    assert.match(line('ACCA0EXAMPLEBEDROCKKEY1'), /^unverified\s.*api key never expires/);
    assert.match(line('ACCA0EXAMPLEBEDROCKKEY2'), /^inactive\s/);
    assert.match(table, /7 credentials: 1 unused, 1 in use, 2 inactive, 3 unverified/);
  });
});
