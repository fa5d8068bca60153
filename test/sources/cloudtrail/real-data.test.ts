/**
 * Every real CloudTrail file in test/fixtures/cloudtrail (copied from ../shared/realdata, see its
 * README) through the byte-level scanner, checked against an independent reading of the same file:
 * JSON.parse of the whole document and the object-based field extraction the other sources use.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createTrailAggregator } from '../../../src/sources/cloudtrail/aggregate.ts';
import { scanTrailDocument } from '../../../src/sources/cloudtrail/extract-record.ts';
import { trailRecordFromObject } from '../../../src/sources/cloudtrail/record-from-object.ts';
import { FIXTURES, fixtureFiles, MALFORMED } from './fixtures.ts';

/** The oracle: parse everything, take records from whichever wrapper the file uses. */
function referenceSummary(text: string, options: { includeTemporary: boolean }) {
  const docs = text.trimStart().startsWith('{') && !text.includes('\n{') ? [JSON.parse(text)] : null;
  let records: unknown[];
  if (docs) {
    const doc = docs[0] as { Records?: unknown[] };
    records = Array.isArray(doc.Records) ? doc.Records : [doc];
  } else if (text.trimStart().startsWith('[')) {
    records = JSON.parse(text) as unknown[];
  } else {
    records = text
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => JSON.parse(l));
  }
  const agg = createTrailAggregator(options);
  for (const r of records) {
    const inner = (r as { CloudTrailEvent?: string }).CloudTrailEvent;
    const record = trailRecordFromObject(typeof inner === 'string' ? JSON.parse(inner) : r);
    assert.ok(record, 'every record in the fixtures is a CloudTrail record');
    agg.add(record);
  }
  return agg.summary();
}

describe('real CloudTrail files (test/fixtures/cloudtrail)', () => {
  const files = fixtureFiles();

  it('has every file of ../shared/realdata/cloudtrail', () => {
    assert.equal(files.length, 96);
  });

  for (const file of files) {
    if (file === MALFORMED) continue;
    it(`${file}: the scanner agrees with JSON.parse`, () => {
      const bytes = readFileSync(join(FIXTURES, file));
      for (const includeTemporary of [false, true]) {
        const mine = scanTrailDocument(bytes, { includeTemporary }).summary();
        assert.deepEqual(mine, referenceSummary(bytes.toString('utf8'), { includeTemporary }));
      }
    });
  }

  it(`${MALFORMED}: rejected at the same byte as JSON.parse rejects it`, () => {
    const bytes = readFileSync(join(FIXTURES, MALFORMED));
    let parsePosition = -1;
    try {
      JSON.parse(bytes.toString('utf8'));
    } catch (e) {
      parsePosition = Number(/position (\d+)/.exec((e as Error).message)?.[1]);
    }
    assert.ok(parsePosition > 0);
    assert.throws(() => scanTrailDocument(bytes), {
      message: `invalid JSON at byte ${parsePosition}: expected ',' or a closing bracket`,
    });
  });

  it('counts the records each source documents', () => {
    const count = (folder: string) =>
      files
        .filter((f) => f.startsWith(`${folder}/`) && f !== MALFORMED)
        .reduce((n, f) => n + scanTrailDocument(readFileSync(join(FIXTURES, f))).summary().records, 0);
    assert.equal(count('invictus-ir__aws_dataset'), 2900);
    assert.equal(count('DataDog__stratus-red-team'), 310);
    assert.equal(count('panther-labs__panther-analysis'), 444);
    assert.equal(count('log2timeline__plaso'), 6);
  });

  it('reads lookup-events output: the record inside CloudTrailEvent, not the envelope', () => {
    const summary = scanTrailDocument(
      readFileSync(join(FIXTURES, 'log2timeline__plaso/test_data_jsonl_aws_cloudtrail.jsonl')),
      { includeTemporary: true },
    ).summary();
    assert.equal(summary.records, 6);
    // the envelope's EventTime is local time (+11:00); the record's eventTime is UTC
    for (const k of summary.accessKeys) assert.match(k.lastSeen, /Z$/);
  });

  it('finds long-term keys, assumed roles and console sign-ins in the attack-simulation account', () => {
    const agg = createTrailAggregator();
    for (const f of files.filter((f) => f.startsWith('invictus-ir__aws_dataset/'))) {
      agg.merge(scanTrailDocument(readFileSync(join(FIXTURES, f))).state());
    }
    const summary = agg.summary();
    assert.ok(summary.accessKeys.length > 0);
    for (const k of summary.accessKeys) assert.match(k.accessKeyId, /^AKIA/);
    const bertJan = summary.accessKeys.find(
      (k) => k.principalArn === 'arn:aws:iam::123837392027:user/bert-jan',
    );
    assert.ok(bertJan, 'the user driving the simulation with a long-term key');
    assert.ok(bertJan.sourceIps.top.includes('192.168.10.20'));
    assert.ok(summary.roles.every((r) => r.roleArn.startsWith('arn:aws:iam::')));
  });
});
