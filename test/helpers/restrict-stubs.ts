/**
 * What restrict-permissions needs that moto 5.2.1 lacks, answered with aws-sdk-client-mock on one
 * moto-bound IAMClient, every other call going through to moto (sinon's callThrough):
 *
 * - Access Advisor (GenerateServiceLastAccessedDetails / GetServiceLastAccessedDetails: moto has
 *   none, docs/aws-behaviour.md §7.3): each principal's services from a table the test edits;
 * - user permissions boundaries (moto has no Put/DeleteUserPermissionsBoundary, and its GetUser
 *   answers an empty PermissionsBoundary): kept in a map, added to moto's GetUser answer and to
 *   ListEntitiesForPolicy's users.
 *
 * Roles' boundaries are moto's own (Put/DeleteRolePermissionsBoundary, GetRole).
 */
import {
  DeleteUserPermissionsBoundaryCommand,
  GenerateServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsCommand,
  GetUserCommand,
  IAMClient,
  type IAMClientResolvedConfig,
  ListEntitiesForPolicyCommand,
  PutUserPermissionsBoundaryCommand,
  type ServiceInputTypes,
  type ServiceLastAccessed,
  type ServiceOutputTypes,
} from '@aws-sdk/client-iam';
import type { RetryStrategyV2 } from '@smithy/types';
import { mockClient } from 'aws-sdk-client-mock';
import type { MotoServer } from './moto.ts';

export interface RestrictStubs {
  /** The client to hand to credsweep (moto, with the stubs). */
  iam: IAMClient;
  /** Principal ARN → what Access Advisor reports for it. */
  services: Map<string, ServiceLastAccessed[]>;
  /** User name → its boundary policy ARN (what moto cannot keep). */
  userBoundaries: Map<string, string>;
  /** How many Access Advisor jobs were started. */
  jobs(): number;
  /** The mock on `iam` (a test may add a fault), and a client straight to moto. */
  mock: ReturnType<typeof mockClient>;
  direct: IAMClient;
  restore(): void;
}

/** A service Access Advisor reports, last used `daysAgo` days before `now` (null: never). */
export function aService(namespace: string, daysAgo: number | null, now: number): ServiceLastAccessed {
  return {
    ServiceName: namespace.toUpperCase(),
    ServiceNamespace: namespace,
    ...(daysAgo === null
      ? {}
      : { LastAuthenticated: new Date(now - daysAgo * 86_400_000), LastAuthenticatedRegion: 'us-east-1' }),
    TotalAuthenticatedEntities: daysAgo === null ? 0 : 1,
  };
}

/** `through`: the client credsweep is handed talks to this endpoint instead (e.g. a fault proxy). */
type IamStub = ReturnType<typeof mockClient<ServiceInputTypes, ServiceOutputTypes, IAMClientResolvedConfig>>;

/**
 * Access Advisor on an IAM stub (moto has neither GenerateServiceLastAccessedDetails nor
 * GetServiceLastAccessedDetails): a principal's job is `job:<arn>`, completed at once, answering
 * `services.get(arn)`; `onJob` is told of each job started. `mock` is a client's stub or
 * `mockClient(IAMClient)` (every client the CLI makes).
 */
export function stubAccessAdvisor(
  mock: IamStub,
  services: ReadonlyMap<string, ServiceLastAccessed[]>,
  onJob: () => void = () => {},
): void {
  mock.on(GenerateServiceLastAccessedDetailsCommand).callsFake(async (input: { Arn: string }) => {
    onJob();
    return { JobId: `job:${input.Arn}` };
  });
  mock.on(GetServiceLastAccessedDetailsCommand).callsFake(async (input: { JobId: string }) => ({
    JobStatus: 'COMPLETED',
    JobType: 'SERVICE_LEVEL',
    JobCreationDate: new Date(),
    JobCompletionDate: new Date(),
    ServicesLastAccessed: services.get(input.JobId.slice('job:'.length)) ?? [],
    IsTruncated: false,
  }));
}

export function restrictStubs(
  moto: MotoServer,
  through?: { endpoint: string; maxAttempts?: number; retryStrategy?: RetryStrategyV2 },
): RestrictStubs {
  const iam = new IAMClient({ ...moto.clientConfig(), ...through });
  const direct = new IAMClient(moto.clientConfig());
  const services = new Map<string, ServiceLastAccessed[]>();
  const userBoundaries = new Map<string, string>();
  let jobs = 0;
  const mock = mockClient(iam);
  mock.send.callThrough();
  stubAccessAdvisor(mock, services, () => {
    jobs += 1;
  });
  mock.on(PutUserPermissionsBoundaryCommand).callsFake(async (input) => {
    await direct.send(new GetUserCommand({ UserName: input.UserName }));
    userBoundaries.set(input.UserName, input.PermissionsBoundary);
    return {};
  });
  mock.on(DeleteUserPermissionsBoundaryCommand).callsFake(async (input) => {
    await direct.send(new GetUserCommand({ UserName: input.UserName }));
    userBoundaries.delete(input.UserName);
    return {};
  });
  mock.on(GetUserCommand).callsFake(async (input) => {
    const out = await direct.send(new GetUserCommand(input));
    const arn = out.User?.UserName ? userBoundaries.get(out.User.UserName) : undefined;
    if (!out.User || !arn) return out;
    const { PermissionsBoundary: _none, ...user } = out.User;
    return {
      ...out,
      User: {
        ...user,
        PermissionsBoundary: {
          PermissionsBoundaryType: 'PermissionsBoundaryPolicy',
          PermissionsBoundaryArn: arn,
        },
      },
    };
  });
  mock.on(ListEntitiesForPolicyCommand).callsFake(async (input) => {
    const out = await direct.send(new ListEntitiesForPolicyCommand(input));
    const users = [...userBoundaries.entries()]
      .filter(([, arn]) => arn === input.PolicyArn)
      .map(([UserName]) => ({ UserName, UserId: `AIDA${UserName.toUpperCase()}` }));
    return { ...out, PolicyUsers: [...(out.PolicyUsers ?? []), ...users] };
  });
  return {
    iam,
    services,
    userBoundaries,
    jobs: () => jobs,
    mock,
    direct,
    restore() {
      mock.restore();
      iam.destroy();
      direct.destroy();
    },
  };
}
