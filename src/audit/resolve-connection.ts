/**
 * Where AWS calls go and as whom, from flags and the environment (flags win): the one place that
 * reads AWS_ENDPOINT_URL, AWS_REGION and their kin. Plain data in and out; no SDK is loaded.
 *
 *   connectionFromFlags({ profile?, region?, endpointUrl? }, env) → AwsConnection
 *   s3ConnectionFrom({ profile?, region?, endpointUrl? }, env)     → S3Connection (CloudTrail in S3)
 */
import type { AwsConnection } from '../aws/clients.ts';
import { UsageError } from '../errors.ts';
import { redactUrlUserinfo } from '../redact.ts';
import type { S3Connection } from '../sources/cloudtrail/s3-location.ts';

export interface ConnectionFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
}

export function connectionFromFlags(flags: ConnectionFlags, env: NodeJS.ProcessEnv): AwsConnection {
  const endpointUrl = flags.endpointUrl ?? (env.AWS_ENDPOINT_URL || undefined);
  if (endpointUrl !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpointUrl);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
      const where = flags.endpointUrl !== undefined ? '--endpoint-url' : 'AWS_ENDPOINT_URL';
      // (never its user:password@: the URL may carry a proxy's or an emulator's password)
      throw new UsageError(`${where}: '${redactUrlUserinfo(endpointUrl)}' is not an http(s) URL`);
    }
  }
  const region = flags.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined);
  return {
    ...(flags.profile ? { profile: flags.profile } : {}),
    ...(region ? { region } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
  };
}

/** Where s3:// trail paths are read from: the flags, else the SDK's usual environment. */
export function s3ConnectionFrom(flags: ConnectionFlags, env: NodeJS.ProcessEnv): S3Connection {
  const endpointUrl = flags.endpointUrl ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  return {
    region: flags.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(flags.profile ? { profile: flags.profile } : {}),
  };
}
