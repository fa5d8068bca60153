/**
 * Access Advisor responses shaped exactly like the IAM API reference's examples (the `@example`
 * blocks of @aws-sdk/client-iam's GenerateServiceLastAccessedDetailsCommand and
 * GetServiceLastAccessedDetailsCommand, which reproduce the API reference), as the SDK deserialises
 * them (dates as Date). The action-level entry follows the documented TrackedActionLastAccessed shape.
 * moto has no Access Advisor (docs/aws-behaviour.md §7.3), hence these.
 */
import type {
  GenerateServiceLastAccessedDetailsCommandOutput,
  GetServiceLastAccessedDetailsCommandOutput,
} from '@aws-sdk/client-iam';

type Out<T> = Omit<T, '$metadata'>;

export const GENERATE_EXAMPLE: Out<GenerateServiceLastAccessedDetailsCommandOutput> = {
  JobId: 'examplef-1305-c245-eba4-71fe298bcda7',
};

export const GET_EXAMPLE: Out<GetServiceLastAccessedDetailsCommandOutput> = {
  IsTruncated: false,
  JobCompletionDate: new Date('2018-10-24T19:47:35.241Z'),
  JobCreationDate: new Date('2018-10-24T19:47:31.466Z'),
  JobStatus: 'COMPLETED',
  ServicesLastAccessed: [
    {
      LastAuthenticated: new Date('2018-10-24T19:11:00Z'),
      LastAuthenticatedEntity: 'arn:aws:iam::123456789012:user/AWSExampleUser01',
      ServiceName: 'AWS Identity and Access Management',
      ServiceNamespace: 'iam',
      TotalAuthenticatedEntities: 2,
    },
    {
      ServiceName: 'Amazon Simple Storage Service',
      ServiceNamespace: 's3',
      TotalAuthenticatedEntities: 0,
    },
  ],
};

export const IN_PROGRESS: Out<GetServiceLastAccessedDetailsCommandOutput> = {
  JobStatus: 'IN_PROGRESS',
  JobCreationDate: new Date('2018-10-24T19:47:31.466Z'),
  JobCompletionDate: undefined,
  ServicesLastAccessed: [],
};

/** An ACTION_LEVEL job: IAM and S3 with tracked actions, EC2 never used. */
export const ACTION_LEVEL_EXAMPLE: Out<GetServiceLastAccessedDetailsCommandOutput> = {
  IsTruncated: false,
  JobType: 'ACTION_LEVEL',
  JobCompletionDate: new Date('2018-10-24T19:47:35.241Z'),
  JobCreationDate: new Date('2018-10-24T19:47:31.466Z'),
  JobStatus: 'COMPLETED',
  ServicesLastAccessed: [
    {
      LastAuthenticated: new Date('2018-10-24T19:11:00Z'),
      LastAuthenticatedEntity: 'arn:aws:iam::123456789012:user/AWSExampleUser01',
      LastAuthenticatedRegion: 'us-east-1',
      ServiceName: 'Amazon Simple Storage Service',
      ServiceNamespace: 's3',
      TotalAuthenticatedEntities: 1,
      TrackedActionsLastAccessed: [
        {
          ActionName: 'GetObject',
          LastAccessedEntity: 'arn:aws:iam::123456789012:user/AWSExampleUser01',
          LastAccessedTime: new Date('2018-10-24T19:11:00Z'),
          LastAccessedRegion: 'us-east-1',
        },
        { ActionName: 'DeleteBucket' },
      ],
    },
    {
      ServiceName: 'Amazon EC2',
      ServiceNamespace: 'ec2',
      TotalAuthenticatedEntities: 0,
      TrackedActionsLastAccessed: [],
    },
  ],
};
