/**
 * An AWS call's failure that no command turns into its own error still ends the run with one line and
 * exit 3, never an internal error with a stack trace: `trail --athena` (Athena, which moto serves only
 * in part) against a local HTTP server answering as Athena does when access is denied, and as a
 * proxy's error page.
 */
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { nameFailedCalls } from '../../src/aws/failed-call.ts';
import type { CliContext } from '../../src/cli/context.ts';
import { reportError } from '../../src/cli/program.ts';
import { ExitCode } from '../../src/errors.ts';
import { runCredsweep } from '../helpers/cli.ts';
import { type CannedHttp, startCannedHttp } from '../helpers/canned-http.ts';

let server: CannedHttp;
before(async () => {
  server = await startCannedHttp();
});
after(() => server.close());

const trail = () =>
  runCredsweep(
    [
      'trail',
      '--athena',
      'cloudtrail_logs',
      '--athena-output',
      's3://results-bucket/q/',
      '--endpoint-url',
      server.endpoint,
    ],
    {
      env: {
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        AWS_REGION: 'us-east-1',
        AWS_MAX_ATTEMPTS: '1',
      },
    },
  );

describe('an AWS call that fails where the command does not catch it', () => {
  it("AWS's own error: exit 3 and one line naming the call", async () => {
    server.answer = {
      status: 400,
      contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify({
        __type: 'AccessDeniedException',
        Message: 'not authorized to perform athena:StartQueryExecution',
      }),
    };
    const run = await trail();
    assert.equal(run.code, 3, run.stderr);
    assert.equal(
      run.stderr,
      'credsweep: StartQueryExecution failed: AccessDeniedException: not authorized to perform athena:StartQueryExecution\n',
    );
  });

  it('a web page instead: exit 3 and one line', async () => {
    server.answer = {
      status: 502,
      contentType: 'text/html',
      body: '<html><title>Bad gateway</title></html>',
    };
    const run = await trail();
    assert.equal(run.code, 3, run.stderr);
    assert.equal(
      run.stderr,
      "credsweep: StartQueryExecution failed: UnexpectedResponse: the endpoint's answer is not an AWS response (HTTP 502, text/html)\n",
    );
  });

  it("a code that is not a name (a newline, a secret-shaped text) is not printed: one line, 'Error'", async () => {
    server.answer = {
      status: 400,
      contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify({
        __type: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\ncredsweep: all fine',
        Message: 'refused',
      }),
    };
    const run = await trail();
    assert.equal(run.code, 3, run.stderr);
    assert.equal(run.stderr, 'credsweep: StartQueryExecution failed: Error: refused\n');
  });

  it("JavaScript's own error inside a call (a credentials provider that throws) is a bug, not exit 3", async () => {
    const iam = nameFailedCalls(
      new IAMClient({
        endpoint: server.endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'key')");
        },
      }),
    );
    const error = await iam.send(new ListUsersCommand({})).then(
      () => assert.fail('the call succeeded'),
      (e: unknown) => e,
    );
    const stderr = new PassThrough();
    let printed = '';
    stderr.on('data', (d) => {
      printed += d;
    });
    const ctx = { stderr } as unknown as CliContext;
    assert.equal(reportError(error, ctx), ExitCode.internal);
    assert.match(printed, /^credsweep: internal error: Cannot read properties of undefined/);
  });
});
