/**
 * A seeded generator of CloudTrail log files shaped like the real ones in
 * ../shared/realdata/cloudtrail (invictus-ir dataset): compact `{"Records":[…]}` files, gzip, in the
 * S3 layout `AWSLogs/<acct>/CloudTrail/<region>/YYYY/MM/DD/<acct>_CloudTrail_<region>_<ts>_<id>.json.gz`.
 * Record mix: ~65 % Describe/Get/List, a few % AssumeRole and ConsoleLogin, ~200 access keys, ~100
 * roles, IAM users signing with AKIA keys and console (ASIA) sessions, role sessions, AWS services;
 * median record ~1.2 KB. Same seed, same bytes.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { seededRandom } from './seeded-random.ts';

const gzipAsync = promisify(gzip);

export interface GeneratedTrail {
  dir: string;
  files: string[];
  uncompressedBytes: number;
  compressedBytes: number;
  records: number;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
const HEX = '0123456789abcdef';

export async function generateCloudTrail(
  root: string,
  options: { seed?: number; targetBytes?: number; recordsPerFile?: number } = {},
): Promise<GeneratedTrail> {
  const seed = options.seed ?? 20261123;
  const targetBytes = options.targetBytes ?? 1.05e9;
  const recordsPerFile = options.recordsPerFile ?? 2000;
  const dir = join(root, `cloudtrail-s${seed}-b${Math.round(targetBytes / 1e6)}-r${recordsPerFile}`);
  const manifestPath = `${dir}.manifest.json`;
  if (existsSync(manifestPath)) return JSON.parse(await readFile(manifestPath, 'utf8')) as GeneratedTrail;
  await rm(dir, { recursive: true, force: true });

  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chars = (alphabet: string, n: number) => {
    let s = '';
    for (let i = 0; i < n; i++) s += alphabet[Math.floor(rand() * alphabet.length)];
    return s;
  };
  const uuid = () =>
    `${chars(HEX, 8)}-${chars(HEX, 4)}-4${chars(HEX, 3)}-${pick(['8', '9', 'a', 'b'])}${chars(HEX, 3)}-${chars(HEX, 12)}`;
  const ip = () =>
    `${10 + Math.floor(rand() * 200)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}.${Math.floor(rand() * 256)}`;

  const accounts = ['218007301253', '123837392027', '440018294577'];
  const regions = ['us-east-1', 'us-east-1', 'us-east-1', 'eu-west-1', 'us-west-2', 'ap-southeast-2'];
  const users = Array.from({ length: 160 }, (_, i) => {
    const account = pick(accounts);
    const name = `user-${i}-${chars(ALNUM, 4).toLowerCase()}`;
    const keyCount = i % 4 === 0 ? 2 : 1;
    // most keys are used from one or two addresses; a few (shared or leaked) from many
    const ipCount = i % 40 === 0 ? 60 : 1 + Math.floor(rand() * 3);
    return {
      account,
      name,
      principalId: `AIDA${chars(ALNUM, 17)}`,
      arn: `arn:aws:iam::${account}:user/${name}`,
      keys: Array.from({ length: keyCount }, () => `AKIA${chars(ALNUM, 16)}`),
      ips: Array.from({ length: ipCount }, ip),
    };
  });
  const roles = Array.from({ length: 100 }, (_, i) => {
    const account = pick(accounts);
    const name = `${pick(['deploy', 'readonly', 'lambda-exec', 'ci', 'admin', 'etl'])}-${i}`;
    return { account, name, arn: `arn:aws:iam::${account}:role/${name}`, roleId: `AROA${chars(ALNUM, 17)}` };
  });
  const services = [
    [
      'ec2.amazonaws.com',
      [
        'DescribeInstances',
        'DescribeVolumes',
        'DescribeSecurityGroups',
        'DescribeSubnets',
        'RunInstances',
        'CreateTags',
        'StopInstances',
      ],
    ],
    [
      's3.amazonaws.com',
      ['GetBucketAcl', 'ListBuckets', 'GetBucketPolicy', 'PutBucketPolicy', 'GetBucketLocation'],
    ],
    [
      'iam.amazonaws.com',
      ['GetUser', 'ListRoles', 'GetRole', 'ListAttachedRolePolicies', 'CreateAccessKey', 'GetPolicyVersion'],
    ],
    ['kms.amazonaws.com', ['Decrypt', 'Encrypt', 'GenerateDataKey', 'DescribeKey', 'ListAliases']],
    ['ssm.amazonaws.com', ['GetParameter', 'DescribeInstanceInformation', 'ListCommands', 'SendCommand']],
    ['secretsmanager.amazonaws.com', ['GetSecretValue', 'ListSecrets', 'DescribeSecret']],
    ['rds.amazonaws.com', ['DescribeDBInstances', 'DescribeDBClusters', 'ListTagsForResource']],
    ['lambda.amazonaws.com', ['ListFunctions20150331', 'GetFunction20150331v2', 'Invoke']],
  ] as const;
  const agents = [
    'aws-cli/2.13.5 Python/3.11.4 Linux/5.15.0-1040-aws exe/x86_64.ubuntu.22 prompt/off command/ec2.describe-instances',
    'APN/1.0 HashiCorp/1.0 Terraform/1.5.7 (+https://www.terraform.io) terraform-provider-aws/5.17.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.21.0 os/linux lang/go#1.20.8 md/GOOS#linux md/GOARCH#amd64 api/ec2#1.118.0',
    'Boto3/1.28.40 md/Botocore#1.31.40 ua/2.0 os/linux#5.10.186-179.751.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.5 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.31.40',
    'console.amazonaws.com',
    'AWS Internal',
  ];

  const start = Date.UTC(2026, 8, 1);
  let uncompressedBytes = 0;
  let compressedBytes = 0;
  let records = 0;
  const files: string[] = [];
  let at = start;
  const pending: Promise<void>[] = [];

  const tls = (host: string) => ({
    tlsVersion: 'TLSv1.3',
    cipherSuite: 'TLS_AES_128_GCM_SHA256',
    clientProvidedHostHeader: host,
  });

  function record(account: string, region: string, time: number): Record<string, unknown> {
    const r = rand();
    const eventTime = new Date(time).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const base = { eventVersion: '1.08' };
    let userIdentity: Record<string, unknown>;
    let sourceIPAddress: string;
    let userAgent = pick(agents);
    if (r < 0.03) {
      // AssumeRole, by a user (key), a role session or an AWS service
      const role = pick(roles);
      const byService = rand() < 0.4;
      const user = pick(users);
      userIdentity = byService
        ? {
            type: 'AWSService',
            invokedBy: pick(['ec2.amazonaws.com', 'lambda.amazonaws.com', 'ecs-tasks.amazonaws.com']),
          }
        : {
            type: 'IAMUser',
            principalId: user.principalId,
            arn: user.arn,
            accountId: user.account,
            accessKeyId: pick(user.keys),
            userName: user.name,
          };
      sourceIPAddress = byService ? (userIdentity.invokedBy as string) : pick(user.ips);
      const failed = rand() < 0.05;
      return {
        ...base,
        userIdentity,
        eventTime,
        eventSource: 'sts.amazonaws.com',
        eventName: 'AssumeRole',
        awsRegion: region,
        sourceIPAddress,
        userAgent,
        ...(failed
          ? {
              errorCode: 'AccessDenied',
              errorMessage: `User: ${user.arn} is not authorized to perform: sts:AssumeRole on resource: ${role.arn}`,
            }
          : {}),
        requestParameters: {
          roleArn: role.arn,
          roleSessionName: `session-${chars(HEX, 8)}`,
          durationSeconds: 3600,
        },
        responseElements: failed
          ? null
          : {
              credentials: {
                accessKeyId: `ASIA${chars(ALNUM, 16)}`,
                sessionToken: chars(ALNUM + HEX, 180),
                expiration: 'Oct 1, 2026, 4:07:39 PM',
              },
              assumedRoleUser: {
                assumedRoleId: `${role.roleId}:session`,
                arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/session`,
              },
            },
        requestID: uuid(),
        eventID: uuid(),
        readOnly: true,
        resources: [{ accountId: role.account, type: 'AWS::IAM::Role', ARN: role.arn }],
        eventType: 'AwsApiCall',
        managementEvent: true,
        recipientAccountId: account,
        eventCategory: 'Management',
        tlsDetails: tls('sts.amazonaws.com'),
      };
    }
    if (r < 0.04) {
      const user = pick(users);
      const ok = rand() < 0.85;
      return {
        ...base,
        userIdentity: {
          type: 'IAMUser',
          principalId: user.principalId,
          arn: user.arn,
          accountId: user.account,
          userName: user.name,
        },
        eventTime,
        eventSource: 'signin.amazonaws.com',
        eventName: 'ConsoleLogin',
        awsRegion: 'us-east-1',
        sourceIPAddress: pick(user.ips),
        userAgent:
          'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Safari/537.36',
        ...(ok ? {} : { errorMessage: 'Failed authentication' }),
        requestParameters: null,
        responseElements: { ConsoleLogin: ok ? 'Success' : 'Failure' },
        additionalEventData: {
          LoginTo: 'https://console.aws.amazon.com/console/home',
          MobileVersion: 'No',
          MFAUsed: 'Yes',
        },
        eventID: uuid(),
        readOnly: false,
        eventType: 'AwsConsoleSignIn',
        managementEvent: true,
        recipientAccountId: account,
        eventCategory: 'Management',
      };
    }
    const [eventSource, names] = pick(services);
    const readOnlyCall = rand() < 0.68;
    const eventName = readOnlyCall
      ? pick(names.filter((n) => /^(Describe|Get|List)/.test(n)))
      : pick(names.filter((n) => !/^(Describe|Get|List)/.test(n)).concat(['Decrypt']));
    const who = rand();
    if (who < 0.45) {
      const user = pick(users);
      userIdentity = {
        type: 'IAMUser',
        principalId: user.principalId,
        arn: user.arn,
        accountId: user.account,
        accessKeyId: pick(user.keys),
        userName: user.name,
      };
      sourceIPAddress = pick(user.ips);
    } else if (who < 0.55) {
      const user = pick(users);
      userIdentity = {
        type: 'IAMUser',
        principalId: user.principalId,
        arn: user.arn,
        accountId: user.account,
        accessKeyId: `ASIA${chars(ALNUM, 16)}`,
        userName: user.name,
        sessionContext: {
          sessionIssuer: {},
          webIdFederationData: {},
          attributes: { creationDate: eventTime, mfaAuthenticated: 'true' },
        },
      };
      sourceIPAddress = pick(user.ips);
      userAgent = 'AWS Internal';
    } else if (who < 0.9) {
      const role = pick(roles);
      userIdentity = {
        type: 'AssumedRole',
        principalId: `${role.roleId}:session-${chars(HEX, 6)}`,
        arn: `arn:aws:sts::${role.account}:assumed-role/${role.name}/session`,
        accountId: role.account,
        accessKeyId: `ASIA${chars(ALNUM, 16)}`,
        sessionContext: {
          sessionIssuer: {
            type: 'Role',
            principalId: role.roleId,
            arn: role.arn,
            accountId: role.account,
            userName: role.name,
          },
          webIdFederationData: {},
          attributes: { creationDate: eventTime, mfaAuthenticated: 'false' },
        },
      };
      sourceIPAddress = ip();
    } else {
      userIdentity = { type: 'AWSService', invokedBy: eventSource };
      sourceIPAddress = eventSource;
      userAgent = eventSource;
    }
    const denied = rand() < 0.05;
    const requestParameters = readOnlyCall
      ? rand() < 0.5
        ? null
        : {
            filterSet: {
              items: [
                {
                  name: 'tag:Environment',
                  valueSet: { items: [{ value: pick(['prod', 'staging', 'dev']) }] },
                },
              ],
            },
            maxResults: 1000,
          }
      : {
          resourceArn: `arn:aws:${eventSource.split('.')[0]}:${region}:${account}:resource/${chars(HEX, 17)}`,
          tagSpecificationSet: {
            items: [
              { resourceType: 'instance', tags: [{ key: 'owner', value: chars(ALNUM, 12).toLowerCase() }] },
            ],
          },
        };
    // a few large responses give the long tail of record sizes (real p99 ~2.3 KB)
    const big = rand() < 0.06;
    const responseElements =
      readOnlyCall || denied
        ? null
        : big
          ? {
              items: Array.from({ length: 6 }, () => ({
                id: chars(HEX, 17),
                state: 'running',
                tags: [{ key: 'Name', value: chars(ALNUM, 24) }],
              })),
            }
          : { requestId: uuid(), _return: true };
    return {
      ...base,
      userIdentity,
      eventTime,
      eventSource,
      eventName,
      awsRegion: region,
      sourceIPAddress,
      userAgent,
      ...(denied
        ? {
            errorCode: 'Client.UnauthorizedOperation',
            errorMessage: 'You are not authorized to perform this operation.',
          }
        : {}),
      requestParameters,
      responseElements,
      requestID: uuid(),
      eventID: uuid(),
      readOnly: readOnlyCall,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: account,
      eventCategory: 'Management',
      tlsDetails: tls(`${eventSource.split('.')[0]}.${region}.amazonaws.com`),
    };
  }

  while (uncompressedBytes < targetBytes) {
    const account = pick(accounts);
    const region = pick(regions);
    const parts: string[] = [];
    for (let i = 0; i < recordsPerFile; i++) {
      at += Math.floor(rand() * 3000);
      parts.push(JSON.stringify(record(account, region, at)));
    }
    records += recordsPerFile;
    const text = `{"Records":[${parts.join(',')}]}`;
    uncompressedBytes += Buffer.byteLength(text);
    const day = new Date(at);
    const y = day.getUTCFullYear();
    const m = String(day.getUTCMonth() + 1).padStart(2, '0');
    const d = String(day.getUTCDate()).padStart(2, '0');
    const stamp = `${y}${m}${d}T${String(day.getUTCHours()).padStart(2, '0')}${String(day.getUTCMinutes()).padStart(2, '0')}Z`;
    const rel = join(
      'AWSLogs',
      account,
      'CloudTrail',
      region,
      String(y),
      m,
      d,
      `${account}_CloudTrail_${region}_${stamp}_${chars(ALNUM, 16)}.json.gz`,
    );
    files.push(rel);
    const target = join(dir, rel);
    const job = (async () => {
      const gz = await gzipAsync(text);
      compressedBytes += gz.length;
      await mkdir(join(target, '..'), { recursive: true });
      await writeFile(target, gz);
    })();
    pending.push(job);
    if (pending.length >= 4) await pending.shift();
  }
  await Promise.all(pending);
  const manifest: GeneratedTrail = { dir, files, uncompressedBytes, compressedBytes, records };
  await writeFile(manifestPath, JSON.stringify(manifest));
  return manifest;
}
