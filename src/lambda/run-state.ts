/**
 * What a scheduled run keeps in its S3 bucket (private, encrypted; see infra/template.yaml):
 *
 *   <prefix>runs/<generatedAt>.json   every run's report (the stable JSON envelope)
 *   <prefix>latest.json               the last run (written every run, whatever its notices did)
 *   <prefix>state.json                owner warnings delivered; per team channel, the run its last
 *                                     summary covered (that channel's diff baseline)
 *   <prefix>partial/<runId>/<account>.json   one account's audit in the Step Functions fan-out
 */
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { InputError } from '../errors.ts';
import { type AuditReport, auditReportSchema } from '../model/finding.ts';
import type { WarnedState } from './owner-warnings.ts';

export const STATE_PERMISSIONS = ['s3:GetObject', 's3:PutObject', 's3:ListBucket'] as const;

export interface RunState {
  warned: WarnedState;
  /**
   * Per team channel, the key (`runs/<time>.json`) of the run its last summary covered; null: no
   * summary went out yet. Absent in state written before it existed (then latest.json is the baseline).
   */
  summarised?: Partial<Record<'sns' | 'webhook', string | null>>;
}

export class RunStateBucket {
  constructor(
    readonly s3: S3Client,
    readonly bucket: string,
    readonly prefix: string,
  ) {}

  key(name: string): string {
    return `${this.prefix}${name}`;
  }

  async getJson(name: string): Promise<unknown | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.key(name) }));
      return JSON.parse(await out.Body!.transformToString('utf8'));
    } catch (e) {
      const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
      if (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404) return undefined;
      throw e;
    }
  }

  async putJson(name: string, value: unknown): Promise<string> {
    await this.s3.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(name),
        Body: JSON.stringify(value),
        ContentType: 'application/json',
      }),
    );
    return `s3://${this.bucket}/${this.key(name)}`;
  }

  async listNames(under: string): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: this.key(under), ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) if (o.Key) names.push(o.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return names;
  }

  async latestReport(): Promise<AuditReport | undefined> {
    return this.reportAt('latest.json');
  }

  /** A stored report by name (`latest.json`, `runs/<time>.json`); undefined when there is none. */
  async reportAt(name: string): Promise<AuditReport | undefined> {
    const raw = await this.getJson(name);
    if (raw === undefined) return undefined;
    const parsed = auditReportSchema.safeParse(raw);
    if (!parsed.success)
      throw new InputError('not a credsweep report', `s3://${this.bucket}/${this.key(name)}`);
    return parsed.data;
  }

  async state(): Promise<RunState> {
    const raw = (await this.getJson('state.json')) as Partial<RunState> | undefined;
    const summarised = Object.fromEntries(
      Object.entries(raw?.summarised ?? {}).filter(
        ([channel, name]) =>
          (channel === 'sns' || channel === 'webhook') && (name === null || isRunName(name)),
      ),
    );
    return { warned: raw?.warned ?? {}, ...(raw?.summarised ? { summarised } : {}) };
  }
}

/** A key publishRun writes a run's report under; anything else in state.json is ignored. */
function isRunName(name: unknown): name is string {
  return typeof name === 'string' && /^runs\/[\w:.-]{1,64}\.json$/.test(name);
}
