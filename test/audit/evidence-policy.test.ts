import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, it } from 'node:test';
import { evidencePolicy } from '../../src/audit/evidence-policy.ts';

describe('policies/evidence-policy.json', () => {
  it('is exactly what the sources declare (regenerate: node --import tsx scripts/write-evidence-policy.ts)', async () => {
    const shipped = JSON.parse(
      await readFile(new URL('../../policies/evidence-policy.json', import.meta.url), 'utf8'),
    );
    assert.deepEqual(shipped, evidencePolicy());
  });

  it('is read-only apart from writing Athena results, and never grants a write on IAM or CloudTrail', () => {
    const actions = evidencePolicy().Statement.flatMap((s) => s.Action);
    const writes = actions.filter(
      (a) => !/^[a-z0-9-]+:(Get|List|Lookup|Generate|StartQueryExecution)/.test(a),
    );
    assert.deepEqual(writes, ['s3:PutObject']);
  });
});
