import assert from 'node:assert/strict';
import { AwsAccessError } from '../../src/errors.ts';
import { describe, it } from 'node:test';
import { IAMServiceException } from '@aws-sdk/client-iam';
import { roleArnFor } from '../../src/aws/assume-role.ts';
import { classifyAwsError, redactSecrets } from '../../src/aws/classify-error.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY';

describe('classifyAwsError', () => {
  it('takes the code from an SDK service exception', () => {
    const e = new IAMServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:ListUsers',
    });
    assert.deepEqual(classifyAwsError(e), {
      code: 'AccessDenied',
      message: 'User: arn:aws:iam::123456789012:user/a is not authorized to perform: iam:ListUsers',
      transient: false,
    });
  });

  it("takes credsweep's own AwsAccessError's AWS code, not its class name", () => {
    const e = new AwsAccessError(
      "account 111111111111 is not the caller's account",
      'NoRole',
      '111111111111',
    );
    assert.deepEqual(
      [classifyAwsError(e).code, classifyAwsError(e).message],
      ['NoRole', "account 111111111111 is not the caller's account"],
    );
  });

  it('marks throttling and network errors transient', () => {
    assert.equal(
      classifyAwsError(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })).transient,
      true,
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    assert.deepEqual(classifyAwsError(refused), {
      code: 'ECONNREFUSED',
      message: 'connect ECONNREFUSED 127.0.0.1:9',
      transient: true,
    });
  });

  it('never passes a secret on', () => {
    const e = new Error(`bad request: SecretAccessKey=${SECRET}&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEJr`);
    const { message } = classifyAwsError(e);
    assert.doesNotMatch(message, /wJalrXUtnFEMI|IQoJb3JpZ2luX2VjEJr/);
    assert.equal(redactSecrets(`key ${SECRET} end`), 'key [redacted] end');
    assert.equal(classifyAwsError('plain string').code, 'Error');
  });
});

describe('roleArnFor', () => {
  it('builds the role ARN, with a path and a partition', () => {
    assert.equal(
      roleArnFor('111111111111', 'OrganizationAccountAccessRole'),
      'arn:aws:iam::111111111111:role/OrganizationAccountAccessRole',
    );
    assert.equal(
      roleArnFor('111111111111', '/audit/Scanner', 'aws-cn'),
      'arn:aws-cn:iam::111111111111:role/audit/Scanner',
    );
  });
});
