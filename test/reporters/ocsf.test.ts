/**
 * `--format ocsf` against what OCSF requires of a Detection Finding (class_uid 2004). The required
 * attributes below are written from the OCSF schema (github.com/ocsf/ocsf-schema, 1.x):
 *   events/base_event.json      activity_id, category_uid, class_uid, metadata, severity_id, time, type_uid
 *   events/findings/finding.json finding_info (Findings category)
 *   objects/finding_info.json   uid (title recommended)
 *   objects/metadata.json       product, version
 *   objects/product.json        name (vendor_name required in 1.0-1.3)
 *   profiles/cloud.json         cloud (provider) when metadata.profiles lists "cloud"
 * and type_uid = class_uid * 100 + activity_id.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Ajv } from 'ajv';
import { assembleAuditReport } from '../../src/audit/audit-report.ts';
import { ocsfReporter, toOcsfFindings } from '../../src/reporters/ocsf.ts';
import { AS_OF, aFinding } from '../helpers/builders.ts';
import { auditDemo } from '../helpers/cli.ts';

const int = (values?: number[]) => (values ? { type: 'integer', enum: values } : { type: 'integer' });
const text = { type: 'string', minLength: 1 };

const DETECTION_FINDING_REQUIRED = {
  type: 'object',
  required: [
    'activity_id',
    'category_uid',
    'class_uid',
    'metadata',
    'severity_id',
    'time',
    'type_uid',
    'finding_info',
    'cloud',
  ],
  properties: {
    activity_id: int([0, 1, 2, 3, 99]),
    category_uid: int([2]),
    class_uid: int([2004]),
    severity_id: int([0, 1, 2, 3, 4, 5, 6, 99]),
    status_id: int([0, 1, 2, 3, 4, 5, 6, 99]),
    time: { type: 'integer', minimum: 0 },
    type_uid: { type: 'integer' },
    metadata: {
      type: 'object',
      required: ['product', 'version'],
      properties: {
        version: { type: 'string', pattern: '^1\\.\\d+\\.\\d+$' },
        product: {
          type: 'object',
          required: ['name', 'vendor_name'],
          properties: { name: text, vendor_name: text },
        },
        profiles: { type: 'array', items: { type: 'string' } },
      },
    },
    finding_info: {
      type: 'object',
      required: ['uid', 'title'],
      properties: {
        uid: text,
        title: text,
        created_time: { type: 'integer' },
        modified_time: { type: 'integer' },
        types: { type: 'array', items: { type: 'string' } },
      },
    },
    cloud: { type: 'object', required: ['provider'], properties: { provider: text } },
    resources: {
      type: 'array',
      items: { type: 'object', properties: { uid: { type: 'string' }, type: { type: 'string' } } },
    },
  },
};

describe('ocsf reporter', () => {
  const validate = new Ajv({ allErrors: true, strict: false }).compile(DETECTION_FINDING_REQUIRED);

  it('every finding of the demo audit is a Detection Finding with every required attribute', async () => {
    const run = await auditDemo('ocsf');
    assert.equal(run.code, 0, run.stderr);
    const events = JSON.parse(run.stdout) as Array<Record<string, unknown>>;
    assert.equal(events.length, 52);
    for (const event of events) {
      assert.ok(validate(event), JSON.stringify(validate.errors));
      assert.equal(event.type_uid, (event.class_uid as number) * 100 + (event.activity_id as number));
      const profiles = (event.metadata as { profiles: string[] }).profiles;
      assert.ok(profiles.includes('cloud'), 'the cloud profile is declared, and its cloud object is present');
    }
    const uids = events.map((e) => (e.finding_info as { uid: string }).uid);
    assert.equal(new Set(uids).size, uids.length, 'one uid per credential');
  });

  it('maps status to severity, alert and lifecycle status', () => {
    const report = assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, [
      aFinding({}),
      aFinding({ status: 'in_use', credential: 'password' }),
      aFinding({ status: 'exempt', credential: 'access_key_2' }),
      aFinding({
        principalType: 'root',
        principalName: '<root_account>',
        arn: 'arn:aws:iam::111122223333:root',
      }),
      aFinding({ status: 'unverified', credential: 'cert_1' }),
    ]);
    const events = toOcsfFindings(report);
    assert.deepEqual(
      events.map((e) => [e.severity, e.is_alert, e.status]),
      [
        ['High', true, 'New'],
        ['Informational', false, 'Resolved'],
        ['Informational', false, 'Suppressed'],
        ['Critical', true, 'New'],
        ['Low', false, 'New'],
      ],
    );
    assert.equal(events[0]!.time, AS_OF);
    assert.equal(events[0]!.finding_info.created_time, Date.parse('2026-01-01T00:00:00Z'));
    assert.deepEqual(events[3]!.resources, [
      { uid: '111122223333', name: '<root_account>', type: 'AWS::::Account', cloud_partition: 'aws' },
    ]);
    assert.equal(events[0]!.cloud.account.uid, '111122223333');
    for (const event of events) assert.ok(validate(event), JSON.stringify(validate.errors));
  });

  it('renders a JSON array, empty for an empty audit', () => {
    const empty = assembleAuditReport({ generatedAt: AS_OF, asOf: AS_OF, thresholdDays: 90 }, []);
    assert.equal(ocsfReporter.render(empty, { color: false }), '[]\n');
  });
});
