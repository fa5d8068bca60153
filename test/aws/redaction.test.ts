/**
 * One redaction for every AWS error text (issue 16, item 4). The end-to-end case needs an S3 endpoint
 * that echoes the request's `x-amz-security-token` in its GetObject error, which moto never does, so
 * a small local HTTP server plays that endpoint (no SDK mock: the real SDK talks to it).
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { AwsAccessError } from '../../src/errors.ts';
import { redactSecrets } from '../../src/redact.ts';
import { describeObjectError } from '../../src/sources/cloudtrail/read-object.ts';
import { runCredsweep } from '../helpers/cli.ts';

const TOKEN = 'IQoJb3JpZ2luX2VjEHoaCXVzLWVhc3QtMSJHMEUCIQD0tokenTOKENtoken0123456789abcdefXYZ';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

describe('redactSecrets', () => {
  const cases: [string, string][] = [
    [`x-amz-security-token: ${TOKEN}`, 'x-amz-security-token: [redacted]'],
    [
      `X-Amz-Security-Token=${encodeURIComponent(TOKEN)}&X-Amz-Date=1`,
      'X-Amz-Security-Token=[redacted]&X-Amz-Date=1',
    ],
    [`{"SessionToken":"${TOKEN}"}`, '{"SessionToken":"[redacted]"}'],
    [`aws_secret_access_key = ${SECRET}`, 'aws_secret_access_key = [redacted]'],
    [
      `<Message>echo x-amz-security-token:${TOKEN}</Message>`,
      '<Message>echo x-amz-security-token:[redacted]</Message>',
    ],
    [`signed with ${SECRET} here`, 'signed with [redacted] here'],
    [
      'User: arn:aws:iam::123456789012:user/a is not authorized',
      'User: arn:aws:iam::123456789012:user/a is not authorized',
    ],
    // a URL's user info, parsable or not, up to the authority's last @ (a password may hold one)
    ['http://u:topsecret@[::1', 'http://[redacted]@[::1'],
    // the next JSON field's @ is not this URL's; a comma may be part of a password
    [
      '{"endpoint":"http://localhost:5000","owner":"alice@example.com"}',
      '{"endpoint":"http://localhost:5000","owner":"alice@example.com"}',
    ],
    ['http://u:pa,ss@host/', 'http://[redacted]@host/'],
    [
      'connect to https://u:p@ss@proxy:8080/x@y failed',
      'connect to https://[redacted]@proxy:8080/x@y failed',
    ],
    ['http://host/path@x and mailto:a@b', 'http://host/path@x and mailto:a@b'],
  ];
  for (const [text, expected] of cases) {
    it(JSON.stringify(text.slice(0, 40)), () => assert.equal(redactSecrets(text), expected));
  }
});

describe('an endpoint URL with a password', () => {
  for (const [name, args, env] of [
    ['AWS_ENDPOINT_URL', ['audit'], { AWS_ENDPOINT_URL: 'http://u:topsecret@[::1' }],
    ['--endpoint-url', ['audit', '--endpoint-url', 'http://u:topsecret@[::1'], {}],
    ['--endpoint-url of plan', ['plan', '--endpoint-url', 'http://u:topsecret@[::1'], {}],
  ] as const) {
    it(`${name}: the usage error quotes it without its user info`, async () => {
      const run = await runCredsweep([...args], { env });
      assert.equal(run.code, 2, run.stderr);
      assert.ok(!`${run.stdout}${run.stderr}`.includes('topsecret'), run.stderr);
      assert.match(run.stderr, /^credsweep: .*'http:\/\/\[redacted\]@\[::1' is not an http\(s\) URL\n$/);
    });
  }
});

describe('every AWS error text passes it', () => {
  it('describeObjectError (trail s3:// GetObject) redacts an echoed session token', () => {
    const e = new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: `Access Denied for request with x-amz-security-token: ${TOKEN}`,
    });
    const text = describeObjectError(e)!;
    assert.ok(!text.includes(TOKEN), text);
    assert.match(text, /^S3: AccessDenied: Access Denied .*\[redacted\]/);
  });

  it('AwsAccessError redacts its message, whoever raised it (Athena, Access Advisor, STS…)', () => {
    const e = new AwsAccessError(`Athena query q failed: request had SessionToken=${TOKEN}`, 'QueryFailed');
    assert.ok(!e.message.includes(TOKEN));
  });
});

describe('trail s3:// against an endpoint that echoes x-amz-security-token', () => {
  let server: Server;
  let endpoint: string;
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'credsweep-redaction-'));
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const echoed = String(req.headers['x-amz-security-token'] ?? '');
      res.setHeader('content-type', 'application/xml');
      if (url.searchParams.get('list-type') === '2') {
        res.end(
          `<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>trail</Name><Prefix></Prefix><KeyCount>1</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated><Contents><Key>AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/01/111122223333_CloudTrail_us-east-1_20261101T0000Z_abc.json.gz</Key><Size>10</Size></Contents></ListBucketResult>`,
        );
        return;
      }
      res.statusCode = 403;
      res.end(
        `<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied; you sent x-amz-security-token: ${echoed}</Message><RequestId>r</RequestId></Error>`,
      );
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('neither the output, the error lines nor files.bad hold the session token', async () => {
    const output = join(dir, 'trail.json');
    const run = await runCredsweep(
      ['trail', 's3://trail/', '--endpoint-url', endpoint, '--format', 'json', '--output', output],
      {
        env: {
          AWS_ACCESS_KEY_ID: 'ASIAEXAMPLEEXAMPLE12',
          AWS_SECRET_ACCESS_KEY: SECRET,
          AWS_SESSION_TOKEN: TOKEN,
          AWS_REGION: 'us-east-1',
        },
      },
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /AccessDenied/, run.stderr);
    const written = await readFile(output, 'utf8');
    for (const text of [run.stdout, run.stderr, written]) {
      assert.ok(!text.includes(TOKEN.slice(0, 24)), `token leaked:\n${text}`);
    }
    assert.match(JSON.parse(written).files.bad[0].error, /x-amz-security-token: \[redacted\]/);
  });
});
