/** `credsweep diff`'s table (src/history/render-diff.ts) at 80 columns and wide. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CredentialChange, RunDiff } from '../../src/history/diff-runs.ts';
import { renderDiffTable } from '../../src/history/render-diff.ts';
import { displayWidth } from '../../src/reporters/text-width.ts';

const LONG = 'a-service-account-with-a-rather-long-name-for-the-nightly-warehouse-export';

const change = (principalName: string, accountId = '111122223333'): CredentialChange => ({
  accountId,
  principalName,
  arn: `arn:aws:iam::${accountId}:user/${principalName}`,
  credential: 'access_key_1',
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  before: 'in_use',
  after: 'unused',
  ageDays: 100,
  reason: 'access key 1 last used 100 days ago (threshold 90)',
});

const diff = (changes: CredentialChange[]): RunDiff => ({
  newlyUnused: changes,
  newlyInUse: [],
  resolved: [],
  removed: [],
  notAudited: [],
});

describe('diff table', () => {
  const changes = [change('laura.rossi'), change(LONG), change('evil\u001b[2Jname', '444455556666')];

  it('at 80 columns: the principal whole (wrapped, or under its change), the key id whole or left out and named', () => {
    const text = renderDiffTable(diff(changes), 80);
    const lines = text.trimEnd().split('\n');
    assert.ok(
      lines.every((l) => displayWidth(l) <= 80),
      text,
    );
    assert.doesNotMatch(text, /…/);
    assert.match(text, /\(KEY ID not shown to fit the terminal; --wide or --format json shows it\)/);
    // the long name wraps in its column, whole: the pieces under it read on
    const at = lines.findIndex((l) => l.includes('a-service-account'));
    const column = lines[at]!.indexOf('a-service-account');
    const next = lines.slice(at + 1);
    const rest = next.slice(
      0,
      next.findIndex((l) => !l.startsWith(' '.repeat(column + 1))),
    );
    assert.equal(
      [lines[at]!.slice(column).split('  ')[0], ...rest.map((l) => l.trim())].join(''),
      LONG,
      text,
    );
    assert.match(text, /^ {2}444455556666 {2}evil\\u001b\[2Jname +access key 1 +in_use → unused +100d$/m);
    assert.doesNotMatch(text, /\u001b/);
  });

  it('wide: one line a change, every column', () => {
    const lines = renderDiffTable(diff(changes)).trimEnd().split('\n');
    assert.equal(lines.length, 2 + changes.length);
    assert.match(lines[1]!, /^ {2}ACCOUNT +PRINCIPAL +CREDENTIAL +KEY ID +CHANGE +AGE$/);
    assert.match(
      lines[3]!,
      new RegExp(`^  111122223333  ${LONG}  access key 1  AKIAIOSFODNN7EXAMPLE  in_use → unused  100d$`),
    );
  });
});
