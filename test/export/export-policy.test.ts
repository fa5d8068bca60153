import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { exportPolicy } from '../../src/export/export-policy.ts';
import { SECURITY_HUB_EXPORT_PERMISSIONS } from '../../src/export/security-hub.ts';

describe('policies/export-policy.json', () => {
  it('is exactly what export securityhub declares (regenerate: node --import tsx scripts/write-export-policy.ts)', async () => {
    const shipped = JSON.parse(
      await readFile(new URL('../../policies/export-policy.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(shipped, exportPolicy());
  });

  it('grants every declared action and nothing else', () => {
    const granted = exportPolicy().Statement.flatMap((s) => s.Action);
    assert.deepEqual(granted.sort(), [...SECURITY_HUB_EXPORT_PERMISSIONS].sort());
  });
});
