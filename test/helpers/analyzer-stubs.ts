/**
 * IAM Access Analyzer for the restrict-permissions tests: moto 5 has no Access Analyzer, so an
 * AccessAnalyzerClient is answered by aws-sdk-client-mock from a table the test edits — the ACTIVE
 * UnusedPermission findings of one unused-access analyzer, per principal. Nothing else is mocked.
 *
 *   ListAnalyzers   the analyzers in `analyzers` of the asked type
 *   ListFindingsV2  one finding per principal of `unusedPermissions` (honours the resource and
 *                   resourceOwnerAccount filters; another analyzer's ARN lists none)
 *   GetFindingV2    its UnusedPermission details: a namespace with no actions = the whole service
 */
import {
  AccessAnalyzerClient,
  type AnalyzerSummary,
  GetFindingV2Command,
  ListAnalyzersCommand,
  ListFindingsV2Command,
  type ListFindingsV2CommandInput,
} from '@aws-sdk/client-accessanalyzer';
import { mockClient } from 'aws-sdk-client-mock';
import { MOTO_DEFAULT_ACCOUNT as ACCOUNT } from './moto.ts';

export const ANALYZER_ARN = `arn:aws:access-analyzer:us-east-1:${ACCOUNT}:analyzer/credsweep-unused`;
export const OTHER_ANALYZER_ARN = `arn:aws:access-analyzer:us-east-1:${ACCOUNT}:analyzer/someone-elses`;

export interface AnalyzerStubs {
  client: AccessAnalyzerClient;
  /** What ListAnalyzers answers (default: ANALYZER_ARN, an account analyzer tracking 90 days). */
  analyzers: AnalyzerSummary[];
  /** Principal ARN → namespace → its unused actions (`DeleteObject`; [] = the whole service unused). */
  unusedPermissions: Map<string, Record<string, string[]>>;
  /** Every ListFindingsV2 input, in order. */
  listed: ListFindingsV2CommandInput[];
  /** Set: ListAnalyzers fails with it (e.g. AccessDeniedException). */
  listAnalyzersError?: Error;
  restore(): void;
}

export function anAnalyzer(arn: string, trackingDays = 90): AnalyzerSummary {
  return {
    arn,
    name: arn.split('/').pop()!,
    type: 'ACCOUNT_UNUSED_ACCESS',
    status: 'ACTIVE',
    createdAt: new Date(0),
    configuration: { unusedAccess: { unusedAccessAge: trackingDays } },
  };
}

/** `everyClient`: mock every AccessAnalyzerClient (the CLI makes its own), not only `client`. */
export function analyzerStubs(options: { everyClient?: boolean } = {}): AnalyzerStubs {
  const client = new AccessAnalyzerClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
  });
  const analyzers = [anAnalyzer(ANALYZER_ARN)];
  const unusedPermissions = new Map<string, Record<string, string[]>>();
  const listed: ListFindingsV2CommandInput[] = [];
  const mock = mockClient(options.everyClient ? AccessAnalyzerClient : client);
  mock.on(ListAnalyzersCommand).callsFake(async (input: { type?: string }) => {
    if (stubs.listAnalyzersError) throw stubs.listAnalyzersError;
    return { analyzers: analyzers.filter((a) => input.type === undefined || a.type === input.type) };
  });
  const idOf = (arn: string) => `finding-${arn.split('/').pop()}`;
  mock.on(ListFindingsV2Command).callsFake(async (input: ListFindingsV2CommandInput) => {
    listed.push(input);
    if (input.analyzerArn !== ANALYZER_ARN) return { findings: [] };
    const resources = input.filter?.resource?.eq;
    const owners = input.filter?.resourceOwnerAccount?.eq;
    const findings = [...unusedPermissions.keys()]
      .filter((arn) => !resources || resources.includes(arn))
      .filter((arn) => !owners || owners.includes(arn.split(':')[4]!))
      .map((arn) => ({
        id: idOf(arn),
        findingType: 'UnusedPermission' as const,
        status: 'ACTIVE' as const,
        resource: arn,
        resourceType: arn.includes(':role/') ? 'AWS::IAM::Role' : 'AWS::IAM::User',
        resourceOwnerAccount: arn.split(':')[4]!,
        analyzedAt: new Date(),
        createdAt: new Date(),
        updatedAt: new Date(),
      }));
    return { findings };
  });
  mock.on(GetFindingV2Command).callsFake(async (input: { analyzerArn: string; id: string }) => {
    const arn = [...unusedPermissions.keys()].find((a) => idOf(a) === input.id);
    if (input.analyzerArn !== ANALYZER_ARN || !arn) {
      throw Object.assign(new Error('finding not found'), { name: 'ResourceNotFoundException' });
    }
    return {
      id: input.id,
      status: 'ACTIVE',
      findingType: 'UnusedPermission',
      resource: arn,
      resourceType: arn.includes(':role/') ? 'AWS::IAM::Role' : 'AWS::IAM::User',
      resourceOwnerAccount: arn.split(':')[4]!,
      findingDetails: Object.entries(unusedPermissions.get(arn)!).map(([serviceNamespace, actions]) => ({
        unusedPermissionDetails: { serviceNamespace, actions: actions.map((action) => ({ action })) },
      })),
    };
  });
  const stubs: AnalyzerStubs = {
    client,
    analyzers,
    unusedPermissions,
    listed,
    restore() {
      mock.restore();
      client.destroy();
    },
  };
  return stubs;
}
