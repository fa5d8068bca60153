/**
 * `npm start` shows the credential kinds only the IAM API path sees (scripts/demo-kinds.mjs on the
 * recorded inventory examples/demo/iam-api-inventory.json), at the demo's fixed as-of date, through
 * the built rules and table reporter.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { DEMO_AS_OF, REPO_ROOT } from '../helpers/cli.ts';

describe('the demo (npm start) shows the new credential kinds', () => {
  it('SSH keys, service-specific credentials and an unassigned MFA device, with their statuses', async () => {
    const { kindsDemoTable } = await import(`${REPO_ROOT}scripts/demo-kinds.mjs`);
    const table: string = await kindsDemoTable(DEMO_AS_OF);
    const line = (id: string) => table.split('\n').find((l) => l.includes(id)) ?? '';
    assert.match(line('old-laptop-token'), /^unused\s.*MFA device/);
    assert.match(line('APKAEIBAERJR2EXAMPLE'), /^unverified\s/);
    assert.match(line('APKAEIBAERJR3EXAMPLE'), /^in_use\s/);
    assert.match(line('APKAEIBAERJR4EXAMPLE'), /^inactive\s/);
    assert.match(line('ACCA0EXAMPLEBEDROCKKEY1'), /^unverified\s.*API key never expires/);
    assert.match(line('ACCA0EXAMPLEBEDROCKKEY2'), /^inactive\s/);
    assert.match(table, /7 credentials: 1 unused, 1 in use, 2 inactive, 3 unverified/);
  });
});

describe('npm start | head', () => {
  it('a reader that goes away early: no stack trace, exit 0', async () => {
    const child = spawn(process.execPath, [`${REPO_ROOT}scripts/demo.mjs`], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (d) => {
      stderr += d;
    });
    // read the first chunk, then go away as `head` does
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.doesNotMatch(stderr, /EPIPE|Error|at .*demo\.mjs/, stderr);
    assert.equal(code, 0, stderr);
  });
});
