import { Aws, type RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRootPrincipal,
  AnyPrincipal,
  Effect,
  PolicyDocument,
  PolicyStatement,
  ServicePrincipal,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/** Managing a key, never using it: no Encrypt, Decrypt, GenerateDataKey, ReEncrypt or CreateGrant. */
const ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:DeleteAlias',
  'kms:UpdateAlias',
  'kms:Describe*',
  'kms:List*',
  'kms:Get*',
  'kms:Put*',
  'kms:Update*',
  'kms:Enable*',
  'kms:Disable*',
  'kms:RevokeGrant',
  'kms:RetireGrant',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

const USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

export interface ServiceKeyProps {
  readonly description: string;
  /**
   * The AWS services that use the key for this account's principals (`kms:ViaService`), e.g. `dynamodb`.
   * Identity policies still decide which principal may; the key policy decides through what.
   */
  readonly services: readonly string[];
  /**
   * The services among them that create grants for the resources they keep (DynamoDB, AWS Backup).
   * @default none
   */
  readonly grantingServices?: readonly string[];
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A customer-managed key with an explicit policy (DESIGN section 8): the account administers it (its IAM
 * admins, as for any key) but may use it only through the listed services, grants are only for AWS
 * resources, and service principals that need it directly (CloudWatch Logs, EventBridge) are added by the
 * caller with conditions of their own. Rotated yearly.
 */
export function serviceKey(scope: Construct, id: string, props: ServiceKeyProps): Key {
  const account = new AccountRootPrincipal();
  const via = (service: string) => `${service}.${Aws.REGION}.amazonaws.com`;
  const viaServices = props.services.map(via);
  const granting = (props.grantingServices ?? []).map(via);
  return new Key(scope, id, {
    description: props.description,
    enableKeyRotation: true,
    ...(props.removalPolicy ? { removalPolicy: props.removalPolicy } : {}),
    policy: new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'Administer',
          principals: [account],
          actions: ADMIN_ACTIONS,
          resources: ['*'],
        }),
        new PolicyStatement({
          sid: 'UseThroughServices',
          principals: [account],
          actions: USE_ACTIONS,
          resources: ['*'],
          conditions: {
            StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': viaServices },
          },
        }),
        ...(granting.length > 0
          ? [
              new PolicyStatement({
                sid: 'GrantsForServiceResources',
                principals: [account],
                actions: ['kms:CreateGrant', 'kms:ListGrants'],
                resources: ['*'],
                conditions: {
                  StringEquals: { 'kms:CallerAccount': Aws.ACCOUNT_ID, 'kms:ViaService': granting },
                  Bool: { 'kms:GrantIsForAWSResource': 'true' },
                },
              }),
            ]
          : []),
        new PolicyStatement({
          sid: 'NoOtherGrants',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['kms:CreateGrant'],
          resources: ['*'],
          conditions: {
            BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      ],
    }),
  });
}

/**
 * Lets CloudWatch Logs use `key` for the log groups named by `logGroups` (names or `name-*` patterns) in this
 * account and region, and no others.
 */
export function letLogsUse(key: Key, logGroups: readonly string[]): void {
  const arns = logGroups.map(
    (name) => `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:${name}`,
  );
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': arns.length === 1 ? arns[0] : arns } },
    }),
  );
}
