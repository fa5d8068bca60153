/**
 * What a failed call says when the answer was not AWS's: the real SDK clients against a local HTTP
 * server standing in for a proxy's error page, a wrong --endpoint-url or an emulator without the
 * operation (moto_server answers one it lacks with an HTML page and HTTP 500). AWS-shaped errors,
 * XML and JSON, keep AWS's own code and message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { IAMClient, ListServiceSpecificCredentialsCommand } from '@aws-sdk/client-iam';
import { ListAccountsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { classifyAwsError } from '../../src/aws/classify-error.ts';
import { failedOperation, nameFailedCalls } from '../../src/aws/failed-call.ts';
import { type CannedHttp, startCannedHttp } from '../helpers/canned-http.ts';

let server: CannedHttp;
before(async () => {
  server = await startCannedHttp();
});
after(() => server.close());

const config = () => ({
  endpoint: server.endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  maxAttempts: 1,
  requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
});

async function failureOf(send: () => Promise<unknown>): Promise<unknown> {
  try {
    await send();
  } catch (e) {
    return e;
  }
  assert.fail('the call succeeded');
}

const iamCall = () =>
  failureOf(() =>
    nameFailedCalls(new IAMClient(config())).send(
      new ListServiceSpecificCredentialsCommand({ AllUsers: true }),
    ),
  );

// moto_server 5's page for an operation it does not implement (Werkzeug's 500), byte for byte.
const WERKZEUG_500 =
  '<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server Error</h1>\n<p>The server encountered an internal error and was unable to complete your request. Either the server is overloaded or there is an error in the application.</p>\n';

describe('a failed call', () => {
  it('an HTML page, not well-formed: the call, the status and the media type, not the XML parser', async () => {
    server.answer = { status: 500, contentType: 'text/html; charset=utf-8', body: WERKZEUG_500 };
    const e = await iamCall();
    assert.equal(failedOperation(e), 'ListServiceSpecificCredentials');
    assert.deepEqual(classifyAwsError(e), {
      code: 'UnexpectedResponse',
      message:
        "ListServiceSpecificCredentials: the endpoint's answer is not an AWS response (HTTP 500, text/html)",
      transient: false,
    });
  });

  it('a well-formed HTML page (the SDK reads it as an error named "Unknown"): the same', async () => {
    server.answer = {
      status: 502,
      contentType: 'text/html',
      body: '<html><head><title>Bad gateway</title></head><body>proxy</body></html>',
    };
    const { code, message } = classifyAwsError(await iamCall());
    assert.equal(code, 'UnexpectedResponse');
    assert.equal(
      message,
      "ListServiceSpecificCredentials: the endpoint's answer is not an AWS response (HTTP 502, text/html)",
    );
  });

  it('a media type that is not one is left out of the message', async () => {
    server.answer = { status: 500, contentType: 'text/html,<script>; x', body: WERKZEUG_500 };
    const { message } = classifyAwsError(await iamCall());
    assert.equal(
      message,
      "ListServiceSpecificCredentials: the endpoint's answer is not an AWS response (HTTP 500)",
    );
  });

  it("AWS's own XML error keeps its code and message", async () => {
    server.answer = {
      status: 403,
      contentType: 'text/xml',
      body: '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:ListServiceSpecificCredentials</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    };
    assert.deepEqual(classifyAwsError(await iamCall()), {
      code: 'AccessDenied',
      message:
        'User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:ListServiceSpecificCredentials',
      transient: false,
    });
  });

  it("an XML error labelled text/html (as moto labels them) is still AWS's: its code and message", async () => {
    server.answer = {
      status: 403,
      contentType: 'text/html; charset=utf-8',
      body: '<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>not authorized</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    };
    const { code, message } = classifyAwsError(await iamCall());
    assert.deepEqual({ code, message }, { code: 'AccessDenied', message: 'not authorized' });
  });

  it('an error without a body: the call and the HTTP status, not "Unknown"', async () => {
    server.answer = { status: 503, contentType: 'text/xml', body: '' };
    assert.equal(classifyAwsError(await iamCall()).message, 'ListServiceSpecificCredentials: HTTP 503');
  });

  it('a caller that names the call itself (callNamed) gets the message without it', async () => {
    server.answer = { status: 500, contentType: 'text/html', body: WERKZEUG_500 };
    assert.equal(
      classifyAwsError(await iamCall(), { callNamed: true }).message,
      "the endpoint's answer is not an AWS response (HTTP 500, text/html)",
    );
  });

  it("AWS's own JSON error keeps its code and message", async () => {
    server.answer = {
      status: 400,
      contentType: 'application/x-amz-json-1.1',
      body: JSON.stringify({
        __type: 'AWSOrganizationsNotInUseException',
        Message: 'Your account is not a member of an organization.',
      }),
    };
    const e = await failureOf(() =>
      nameFailedCalls(new OrganizationsClient(config())).send(new ListAccountsCommand({})),
    );
    assert.equal(failedOperation(e), 'ListAccounts');
    assert.deepEqual(classifyAwsError(e), {
      code: 'AWSOrganizationsNotInUseException',
      message: 'Your account is not a member of an organization.',
      transient: false,
    });
  });
});
