import { Aws, Lazy, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { ConfigurationSet, ConfigurationSetTlsPolicy, SuppressionReasons } from 'aws-cdk-lib/aws-ses';
import { CfnOptOutList, CfnConfigurationSet as CfnSmsConfigurationSet } from 'aws-cdk-lib/aws-smsvoice';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../../shared/contracts/env';
import { encryptedQueue } from './encrypted-queue';
import { ProjectFunction } from './project-function';

export interface MessagingProps {
  /** The service table (bookings and message log). */
  readonly table: ITable;
  /** HMAC key for patient links; kept with the data because links already sent depend on it. */
  readonly linkSigningSecret: ISecret;
  /** The verified SES identity messages are sent from (config `sender.email`). */
  readonly senderEmail: string;
  /** Base URL of patient links, no trailing slash (config `links.baseUrl`, else the check-in API's URL). */
  readonly linkBaseUrl: string;
  /** Encrypts the schedule DLQ and the send function's log group and failure queue. */
  readonly key: IKey;
  /** Config `sms.originationIdentity`: the number or pool texts go from (its id or ARN); any of the account's without it. */
  readonly smsOriginationIdentity?: string;
  /**
   * Name of the EventBridge Scheduler group that holds the one-time message schedules.
   * @default `<stack name>-messages`
   */
  readonly scheduleGroupName?: string;
}

/**
 * Patient messages out: the send-message function, the schedule group and the role the scheduler uses
 * to fire it, the schedule DLQ, and the SES configuration set. `bindSending`, `bindEmail` and
 * `bindScheduling` give another function exactly the environment and permissions to send or to schedule.
 * The scheduler role and DLQ serve every schedule of the service: other groups and targets are added with
 * `trustScheduleGroup` and `allowScheduledInvoke`.
 */
export class Messaging extends Construct {
  readonly sendFunction: ProjectFunction;
  readonly scheduleGroup: CfnScheduleGroup;
  readonly scheduleGroupName: string;
  readonly schedulerRole: Role;
  /** Schedules the scheduler could not deliver to their target (any group that uses `schedulerRole`). */
  readonly scheduleDlq: IQueue;
  readonly configurationSet: ConfigurationSet;
  /** End User Messaging's configuration set every text goes through (DESIGN section 11). */
  readonly smsConfigurationSet: CfnSmsConfigurationSet;
  readonly smsConfigurationSetName: string;
  /** The opt-out list the clinic's numbers should use (set on the number or pool, which CloudFormation does not own). */
  readonly optOutList: CfnOptOutList;
  readonly optOutListName: string;
  private readonly props: MessagingProps;
  /** Schedule groups whose schedules may use the scheduler role (see `trustScheduleGroup`). */
  private readonly trustedGroupArns: string[] = [];

  constructor(scope: Construct, id: string, props: MessagingProps) {
    super(scope, id);
    this.props = props;
    this.scheduleGroupName = props.scheduleGroupName ?? `${Stack.of(this).stackName}-messages`;
    this.scheduleGroup = new CfnScheduleGroup(this, 'ScheduleGroup', { name: this.scheduleGroupName });

    // Requires TLS to the recipient's mail server and stops sending to addresses that bounced or complained.
    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', {
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });

    const stackName = Stack.of(this).stackName;
    this.smsConfigurationSetName = `${stackName}-sms`;
    this.smsConfigurationSet = new CfnSmsConfigurationSet(this, 'SmsConfigurationSet', {
      configurationSetName: this.smsConfigurationSetName,
    });
    this.optOutListName = `${stackName}-opt-outs`;
    this.optOutList = new CfnOptOutList(this, 'OptOutList', { optOutListName: this.optOutListName });

    this.scheduleDlq = encryptedQueue(this, 'ScheduleDlq', props.key);
    Validations.of(this.scheduleDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the schedules of this service.',
    });

    this.sendFunction = new ProjectFunction(this, 'SendMessage', {
      entry: 'functions/send-message.ts',
      description: 'Fires one scheduled message: reloads the booking, renders and sends it if still due',
      key: props.key,
    });
    // The day lists: a week check-in looks for the patient's other sessions nearby.
    this.sendFunction.bindTable(props.table);
    this.bindSending(this.sendFunction);

    this.schedulerRole = new Role(this, 'SchedulerRole', {
      description: 'Assumed by EventBridge Scheduler to fire the schedules of this service',
      // Only schedules of this account's groups may use the role (confused-deputy guard): the message group
      // and the groups added with `trustScheduleGroup`.
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': Aws.ACCOUNT_ID,
            'aws:SourceArn': Lazy.list({ produce: () => this.trustedGroupArns }),
          },
        },
      }),
    });
    this.trustScheduleGroup(this.scheduleGroup);
    // A due message schedule invokes the send function, unqualified; `allowScheduledInvoke` adds other targets.
    this.allowScheduledInvoke(this.sendFunction.fn);
    // A schedule that cannot be delivered is parked in the schedule DLQ.
    this.schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.scheduleDlq.queueArn] }),
    );
    // The DLQ is encrypted with this key: sending to it needs a data key.
    this.schedulerRole.addToPolicy(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${Aws.REGION}.amazonaws.com` } },
      }),
    );
    Validations.of(this.schedulerRole).acknowledge({
      id: 'HIPAA.Security-IAMNoInlinePolicy',
      reason:
        "The inline policy is the scheduler role's whole least-privilege grant, owned by this construct.",
    });
  }

  /** Lets `fn` hand the scheduler role to EventBridge Scheduler (CreateSchedule/UpdateSchedule need it), and no other role. */
  grantPassSchedulerRole(fn: ProjectFunction): void {
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
  }

  /** Lets schedules in `group` use the scheduler role, i.e. invoke the functions it may invoke. */
  trustScheduleGroup(group: CfnScheduleGroup): void {
    this.trustedGroupArns.push(group.attrArn);
  }

  /** Lets the scheduler role invoke `fn` (unqualified): `fn` becomes a possible schedule target. */
  allowScheduledInvoke(fn: IFunction): void {
    this.schedulerRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [fn.functionArn] }),
    );
  }

  /**
   * Lets `fn` send patient messages: link signing key, link base URL, SES configuration set,
   * `ses:SendEmail` from the clinic's identity only, and End User Messaging for SMS.
   */
  bindSending(fn: ProjectFunction): void {
    fn.bindSecretRead(ENV.linkSigningSecretArn, this.props.linkSigningSecret);
    fn.setEnv(ENV.linkBaseUrl, this.props.linkBaseUrl);
    this.bindEmail(fn);
    this.bindSms(fn);
  }

  /**
   * Lets `fn` send texts through End User Messaging: `SendTextMessage` through the stack's configuration set and
   * from the configured number or pool only (any of the account's numbers and pools when none is configured).
   */
  bindSms(fn: ProjectFunction): void {
    fn.setEnv(ENV.smsConfigurationSet, this.smsConfigurationSetName);
    const origination = smsOriginationResources(this.props.smsOriginationIdentity);
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sms-voice:SendTextMessage'],
        resources: [smsVoiceArn(`configuration-set/${this.smsConfigurationSetName}`), ...origination],
      }),
    );
    if (!this.props.smsOriginationIdentity)
      Validations.of(fn.role).acknowledge(
        ...origination.map((resource) => ({
          id: `AwsSolutions-IAM5[Resource::${resource
            .replace(Aws.PARTITION, '<AWS::Partition>')
            .replace(Aws.REGION, '<AWS::Region>')
            .replace(Aws.ACCOUNT_ID, '<AWS::AccountId>')}]`,
          reason:
            "No sms.originationIdentity is configured, so End User Messaging picks one of the account's numbers or " +
            'pools; set it to scope this grant to one.',
        })),
      );
  }

  /**
   * Lets `fn` send email only: the SES configuration set and `ses:SendEmail` from the clinic's identity,
   * through that configuration set. No SMS, no links (see `bindSending`).
   */
  bindEmail(fn: ProjectFunction): void {
    const stack = Stack.of(this);
    fn.setEnv(ENV.sesConfigurationSet, this.configurationSet.configurationSetName);
    const domain = this.props.senderEmail.split('@')[1] ?? this.props.senderEmail;
    // Email only from the clinic's sender (verified as an address or as its domain), only via our configuration set.
    fn.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: this.props.senderEmail }),
          stack.formatArn({ service: 'ses', resource: 'identity', resourceName: domain }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: this.configurationSet.configurationSetName,
          }),
        ],
      }),
    );
  }

  /**
   * Lets `fn` keep one-time message schedules: create/update/delete in this group only, and pass the
   * scheduler role (only to the scheduler). Sets the group, role, target and DLQ the schedules use.
   */
  bindScheduling(fn: ProjectFunction): void {
    fn.setEnv(ENV.scheduleGroup, this.scheduleGroupName);
    fn.setEnv(ENV.schedulerRoleArn, this.schedulerRole.roleArn);
    fn.setEnv(ENV.sendFunctionArn, this.sendFunction.fn.functionArn);
    fn.setEnv(ENV.scheduleDlqArn, this.scheduleDlq.queueArn);
    // Reconciliation creates, moves and removes the schedules of this group, and of no other.
    grantSchedules(
      fn,
      this.scheduleGroupName,
      ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule'],
      'Schedule names are per booking and message, made at run time; the grant is limited to our group.',
    );
    this.grantPassSchedulerRole(fn);
  }
}

/** ARN pattern of every schedule in the group `groupName` of this account and region. */
export function schedulesIn(groupName: string): string {
  return `arn:${Aws.PARTITION}:scheduler:${Aws.REGION}:${Aws.ACCOUNT_ID}:schedule/${groupName}/*`;
}

/**
 * Grants `actions` on the schedules of one group, and acknowledges the wildcard: schedule names are made at
 * run time, so the group is the narrowest scope IAM offers. `reason` says why names are not known up front.
 */
export function grantSchedules(
  fn: ProjectFunction,
  groupName: string,
  actions: string[],
  reason: string,
): void {
  fn.fn.addToRolePolicy(new PolicyStatement({ actions, resources: [schedulesIn(groupName)] }));
  Validations.of(fn.role).acknowledge({
    id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/${groupName}/*]`,
    reason,
  });
}

/** `arn:<partition>:sms-voice:<region>:<account>:<resource>`, with the stack's own tokens. */
function smsVoiceArn(resource: string): string {
  return `arn:${Aws.PARTITION}:sms-voice:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

/** What a text may go from: the configured number or pool, by id or ARN, else any of the account's. */
export function smsOriginationResources(identity: string | undefined): string[] {
  if (identity === undefined) return [smsVoiceArn('phone-number/*'), smsVoiceArn('pool/*')];
  if (identity.startsWith('arn:')) return [identity];
  return [smsVoiceArn(identity.startsWith('pool-') ? `pool/${identity}` : `phone-number/${identity}`)];
}
