import { Aws, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from 'aws-cdk-lib/aws-backup';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Alias, type Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import {
  DELIVERY_INDEX,
  DELIVERY_INDEX_ATTRIBUTES,
  LIST_INDEX,
  PATIENT_INDEX,
  SESSION_TTL_ATTRIBUTE,
  WORK_INDEX,
} from '../../shared/adapters/dynamodb/client';
import { sesDeliveryRuleName } from './constructs/delivery-events';
import { serviceKey } from './constructs/service-key';
import { StaffUserPool } from './constructs/staff-user-pool';

/**
 * Everything that holds state a redeploy must never lose: the clinical records, the key that encrypts
 * them, their backups, the link-signing key (replacing it would break every link already sent), and the
 * staff accounts with their MFA enrolment.
 * A separate stack with termination protection, so the stateless stack can be destroyed and redeployed
 * freely; nothing here refers to the other stack.
 */
export interface DataStackProps extends StackProps {
  /** The booking bus (config `busName`): its rules may park undelivered events in queues under the data key. */
  readonly busName: string;
}

export class DataStack extends Stack {
  readonly key: Key;
  /** The data key's alias (`alias/<stack>-data`), a plain string other stacks can name it by. */
  readonly keyAlias: string;
  readonly table: Table;
  readonly linkSigningSecret: Secret;
  /** Staff accounts of the console: created by an admin, MFA required, in groups. */
  readonly staff: StaffUserPool;

  constructor(scope: Construct, id: string, props: DataStackProps) {
    super(scope, id, { terminationProtection: true, ...props });

    this.key = serviceKey(this, 'DataKey', {
      description:
        'Encrypts patient data: bookings, messages, check-in replies, alerts, link-signing key, backups',
      // The table and its stream, the link-signing secret, the backup vault, and the queues that can hold a
      // booking event (rejected, undelivered, failed), and the topic of SMS delivery events: contact details
      // are patient data too.
      services: ['dynamodb', 'streams.dynamodb', 'secretsmanager', 'backup', 'sqs', 'sns'],
      grantingServices: ['dynamodb', 'backup'],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.keyAlias = `alias/${this.stackName}-data`;
    new Alias(this, 'DataKeyAlias', { aliasName: this.keyAlias, targetKey: this.key });
    // EventBridge parks undeliverable events in the (data-key encrypted) DLQs of the rules on our bus and of
    // the SES delivery-events rule on the default bus (named after our bus).
    const rules = `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${props.busName}`;
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'aws:SourceArn': [
              `${rules}/*`,
              `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${sesDeliveryRuleName(props.busName)}`,
            ],
          },
        },
      }),
    );
    // End User Messaging publishes SMS delivery events (with the phone number) to the data-key encrypted topic.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );

    // One table for every item (DESIGN section 5). TTL removes staff console sessions only: no other item
    // carries `expiresAtEpoch`, so replies and alerts (clinical records) are never expired.
    // The stream and the index below were added to the deployed table: both are in-place updates of
    // AWS::DynamoDB::Table (no replacement); CloudFormation adds at most one index per update.
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: this.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      timeToLiveAttribute: SESSION_TTL_ATTRIBUTE,
      // New images feed the staff alert function (filtered to urgent replies); encrypted with the table key.
      stream: StreamViewType.NEW_IMAGE,
    });
    // The sparse index of work waiting on time: only items with `workKey` are on it (pending alerts, alerts
    // with an escalation due, review replies waiting for the digest), so the sweeper and the digest query a
    // handful of items instead of scanning the table. ALL: the workers need the whole reply or alert.
    this.table.addGlobalSecondaryIndex({
      indexName: WORK_INDEX,
      partitionKey: { name: 'workKey', type: AttributeType.STRING },
      sortKey: { name: 'workAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // What the staff console lists by time (alerts not closed, closed alerts by month): one query a page.
    this.table.addGlobalSecondaryIndex({
      indexName: LIST_INDEX,
      partitionKey: { name: 'listKey', type: AttributeType.STRING },
      sortKey: { name: 'listAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // A patient's bookings by session start (the console's patient page): one query a page, no scan.
    this.table.addGlobalSecondaryIndex({
      indexName: PATIENT_INDEX,
      partitionKey: { name: 'patientKey', type: AttributeType.STRING },
      sortKey: { name: 'patientAt', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // A provider's delivery event finds its message by the opaque id it hands back: one query, no scan.
    this.table.addGlobalSecondaryIndex({
      indexName: DELIVERY_INDEX,
      partitionKey: { name: 'deliveryId', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: [...DELIVERY_INDEX_ATTRIBUTES],
    });

    // PITR covers 35 days; monthly backups keep a year for mistakes found late.
    const vault = new BackupVault(this, 'BackupVault', {
      encryptionKey: this.key,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const plan = new BackupPlan(this, 'BackupPlan', {
      backupVault: vault,
      backupPlanRules: [
        BackupPlanRule.daily(),
        new BackupPlanRule({
          ruleName: 'Monthly1Year',
          scheduleExpression: Schedule.cron({ day: '1', hour: '5', minute: '0' }),
          deleteAfter: Duration.days(365),
        }),
      ],
    });
    const selection = plan.addSelection('Table', {
      resources: [BackupResource.fromDynamoDbTable(this.table)],
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'The AWS-maintained role policy AWS Backup documents for taking backups; it tracks new backup features.',
    });

    // HMAC key of patient links: 64 random alphanumerics (about 380 bits), read as the raw SecretString.
    this.linkSigningSecret = new Secret(this, 'LinkSigningKey', {
      description: 'HMAC-SHA256 key that signs patient check-in and instruction links',
      encryptionKey: this.key,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const id of ['AwsSolutions-SMG4', 'HIPAA.Security-SecretsManagerRotationEnabled']) {
      Validations.of(this.linkSigningSecret).acknowledge({
        id,
        reason:
          "Rotated every links.keyRotationDays (default 90) by the service stack's rotation schedule and function, " +
          'which this stack must not refer to; a rotation keeps the old key as previous, so links in flight open.',
      });
    }

    this.staff = new StaffUserPool(this, 'Staff');
  }
}
