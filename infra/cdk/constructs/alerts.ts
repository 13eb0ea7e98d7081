import { ArnFormat, Duration, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, FilterRule, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { CfnSchedule, CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WORK_KEYS } from '../../../shared/adapters/dynamodb/client';
import type { ClinicConfig } from '../../../shared/contracts/clinic-config';
import { ENV } from '../../../shared/contracts/env';
import { encryptedQueue } from './encrypted-queue';
import { grantSchedules, type Messaging } from './messaging';
import { ProjectFunction } from './project-function';

/** Sort key prefix of check-in replies (DESIGN section 5: `REPLY#kind#timestamp`). */
const REPLY_SORT_KEY_PREFIX = 'REPLY#';

/** Staff contacts and digest time, as in config `staff`. */
export type StaffConfig = Pick<
  ClinicConfig['staff'],
  'alertEmails' | 'alertSms' | 'escalationEmails' | 'escalationSms' | 'digestTime' | 'recipientCheckTime'
>;

export interface AlertsProps {
  /** The service table, with a stream of new images and the sparse work index (`WORK_INDEX`). */
  readonly table: ITable;
  /** Base URL of the console links in staff messages (config `links.baseUrl`, else the check-in API's URL). */
  readonly linkBaseUrl: string;
  /** Encrypts the staff topics, the stream failure queue and the functions' log groups and failure queues. */
  readonly key: IKey;
  /** The service's scheduler role, schedule DLQ and SES sending; alert schedules use the same role and DLQ. */
  readonly messaging: Messaging;
  /** Config `staff`: who is subscribed to each topic, and when the digest goes. */
  readonly staff: StaffConfig;
  /** Config `clinic.timeZone`: the zone `staff.digestTime` is in. */
  readonly timeZone: string;
  /**
   * Concurrent executions reserved for dispatch-alerts. Reserved so that a flood of patient messages (or
   * anything else in the account) can never starve the alert path, and capped so the function cannot crowd
   * out the rest: one for the stream (one poller per active shard), one for the one-minute sweeper, one for
   * escalation schedules. Throttled invocations are retried by Lambda, and the sweeper picks up anything
   * still due. The account needs 100 unreserved executions besides: a new account limited to 10 must ask
   * for a quota increase first.
   * @default 3
   */
  readonly reservedConcurrency?: number;
  /**
   * Retries of a failing stream batch (bisected each time) before its records are parked in `streamFailures`.
   * The sweeper delivers those alerts anyway; the stream is the fast path.
   * @default 10
   */
  readonly streamRetryAttempts?: number;
  /**
   * Age after which a stream record is parked instead of retried, so a failing batch stops holding up its shard.
   * @default Duration.hours(1)
   */
  readonly streamMaxRecordAge?: Duration;
}

/**
 * Staff alerts (DESIGN section 8): the dispatch-alerts function, sending to each staff recipient on its own,
 * fed by the table stream, a one-minute sweeper schedule and its own escalation schedules, and the daily
 * review digest. Escalation schedules live in their own group, so acknowledging (which deletes them) can
 * touch nothing else; the recurring sweeper and digest schedules live in a group no function may change.
 */
export class Alerts extends Construct {
  readonly dispatchFunction: ProjectFunction;
  /** The dispatch function's ARN, built from its name (the function itself is given it, see `functionName`). */
  readonly dispatchFunctionArn: string;
  /** Stream records whose batch kept failing; their alerts are still delivered by the sweeper. */
  readonly streamFailures: IQueue;
  readonly digestFunction: ProjectFunction;
  /** One-time escalation schedules, created by dispatch-alerts, deleted on acknowledgement. */
  readonly scheduleGroup: CfnScheduleGroup;
  readonly scheduleGroupName: string;
  /** The sweeper and digest schedules: managed by CloudFormation only. */
  readonly recurringScheduleGroup: CfnScheduleGroup;
  readonly recurringScheduleGroupName: string;
  readonly sweeperSchedule: CfnSchedule;
  readonly digestSchedule: CfnSchedule;
  /** The daily check that every staff recipient can be reached (config `staff.recipientCheckTime`). */
  readonly recipientCheckFunction: ProjectFunction;
  readonly recipientCheckSchedule: CfnSchedule;

  constructor(scope: Construct, id: string, props: AlertsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const { messaging } = props;

    this.scheduleGroupName = `${stack.stackName}-alerts`;
    this.scheduleGroup = new CfnScheduleGroup(this, 'ScheduleGroup', { name: this.scheduleGroupName });
    this.recurringScheduleGroupName = `${stack.stackName}-recurring`;
    this.recurringScheduleGroup = new CfnScheduleGroup(this, 'RecurringScheduleGroup', {
      name: this.recurringScheduleGroupName,
    });
    messaging.trustScheduleGroup(this.scheduleGroup);
    messaging.trustScheduleGroup(this.recurringScheduleGroup);

    // The function schedules its own escalations, so it needs its own ARN in its environment: a named
    // function's ARN is known up front, where `fn.functionArn` would make the function depend on itself.
    const functionName = `${stack.stackName}-dispatch-alerts`;
    this.dispatchFunctionArn = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: functionName,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const dispatch = new ProjectFunction(this, 'DispatchAlerts', {
      functionName,
      entry: 'functions/dispatch-alerts.ts',
      description: 'Delivers staff alerts of urgent replies and escalates them until acknowledged',
      key: props.key,
      reservedConcurrency: props.reservedConcurrency ?? 3,
    });
    this.dispatchFunction = dispatch;
    // Creates alerts, moves them along, finds due work on the work index.
    dispatch.bindTable(props.table);
    // Each alert carries a console link (an address, no credential): nothing to sign.
    dispatch.setEnv(ENV.linkBaseUrl, props.linkBaseUrl);
    // Each staff recipient on its own (config staff.*, bundled): email through SES and its TLS-required
    // configuration set (no topic subscription anyone could unsubscribe), SMS to staff phones.
    messaging.bindEmail(dispatch);
    messaging.bindSms(dispatch);
    // Escalation schedules: created or moved in the alert group only, firing this very function. It never
    // deletes one (they delete themselves after firing; an acknowledgement deletes the pending one).
    dispatch.setEnv(ENV.scheduleGroup, this.scheduleGroupName);
    dispatch.setEnv(ENV.schedulerRoleArn, messaging.schedulerRole.roleArn);
    dispatch.setEnv(ENV.alertFunctionArn, this.dispatchFunctionArn);
    dispatch.setEnv(ENV.scheduleDlqArn, messaging.scheduleDlq.queueArn);
    grantSchedules(
      dispatch,
      this.scheduleGroupName,
      ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule'],
      'Escalation schedule names are per alert and escalation, made at run time; the grant is limited to the alert group.',
    );
    messaging.grantPassSchedulerRole(dispatch);
    messaging.allowScheduledInvoke(dispatch.fn);

    // The fast path: a reply stored with a pending alert marker (INSERT of a REPLY# item on the ALERT work
    // partition) invokes the function within a second. Everything else on the stream is filtered out before
    // Lambda is invoked, so patient data of other items never reaches the function.
    this.streamFailures = encryptedQueue(this, 'StreamFailures', props.key);
    Validations.of(this.streamFailures).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason:
        "This queue is the stream event source's on-failure destination, i.e. itself a dead-letter queue.",
    });
    if (!props.table.tableStreamArn) throw new Error('Alerts: the table needs its stream (new images)');
    // A mapping written out rather than DynamoEventSource, whose grants add queue reads and an unconditioned
    // use of the table key: the role gets exactly the stream reads and the send to the failure queue below.
    const streamFailures = this.streamFailures;
    dispatch.fn.addEventSourceMapping('TableStream', {
      eventSourceArn: props.table.tableStreamArn,
      startingPosition: StartingPosition.LATEST,
      filters: [
        FilterCriteria.filter({
          eventName: FilterRule.isEqual('INSERT'),
          dynamodb: {
            NewImage: {
              workKey: { S: FilterRule.isEqual(WORK_KEYS.alert) },
              sk: { S: FilterRule.beginsWith(REPLY_SORT_KEY_PREFIX) },
            },
          },
        }),
      ],
      // Few records a batch: a failing batch is bisected down to the failing reply quickly.
      batchSize: 10,
      bisectBatchOnError: true,
      retryAttempts: props.streamRetryAttempts ?? 10,
      maxRecordAge: props.streamMaxRecordAge ?? Duration.hours(1),
      // The handler throws when a delivery fails, so the whole batch is retried (delivery is idempotent).
      reportBatchItemFailures: false,
      onFailure: { bind: () => ({ destination: streamFailures.queueArn }) },
    });
    dispatch.bindStreamRead(props.table);
    dispatch.grantQueueSend(streamFailures);
    Validations.of(dispatch.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "dynamodb:ListStreams, part of CDK's stream read grant for the event source, has no resource-level permission.",
    });

    this.digestFunction = new ProjectFunction(this, 'ReviewDigest', {
      entry: 'functions/send-review-digest.ts',
      description: 'Emails the daily staff digest of replies triaged review, each with a console link',
      key: props.key,
    });
    // Reads the review replies due on the work index and marks them digested.
    // The work index for what the digest owes; the list index for the sessions of the last days (missed check-ins).
    this.digestFunction.bindTable(props.table);
    this.digestFunction.setEnv(ENV.linkBaseUrl, props.linkBaseUrl);
    // Email only, from the clinic's sender: the digest has no SMS.
    messaging.bindEmail(this.digestFunction);
    messaging.allowScheduledInvoke(this.digestFunction.fn);

    // The backstop (DESIGN section 8): every minute, deliver or escalate whatever is due and not done, e.g.
    // while SNS was failing. A missed minute is covered by the next, so retries stop after a minute.
    this.sweeperSchedule = new CfnSchedule(this, 'SweeperSchedule', {
      name: 'alert-sweeper',
      groupName: this.recurringScheduleGroup.ref,
      description:
        'Delivers and escalates staff alerts that are due and not done yet (the stream is the fast path)',
      scheduleExpression: 'rate(1 minute)',
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: dispatch.fn.functionArn,
        roleArn: messaging.schedulerRole.roleArn,
        input: JSON.stringify({ sweep: true }),
        retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 },
        deadLetterConfig: { arn: messaging.scheduleDlq.queueArn },
      },
    });

    // Daily jobs at a wall-clock time in the clinic's zone, across DST changes; retried for 3 hours.
    const daily = (id: string, name: string, description: string, hhmm: string, fn: ProjectFunction) => {
      const [hour, minute] = hhmm.split(':').map(Number);
      return new CfnSchedule(this, id, {
        name,
        groupName: this.recurringScheduleGroup.ref,
        description,
        scheduleExpression: `cron(${minute} ${hour} * * ? *)`,
        scheduleExpressionTimezone: props.timeZone,
        flexibleTimeWindow: { mode: 'OFF' },
        state: 'ENABLED',
        target: {
          arn: fn.fn.functionArn,
          roleArn: messaging.schedulerRole.roleArn,
          input: JSON.stringify({}),
          retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 3 * 3600 },
          deadLetterConfig: { arn: messaging.scheduleDlq.queueArn },
        },
      });
    };
    this.digestSchedule = daily(
      'DigestSchedule',
      'review-digest',
      'Sends the daily staff digest of replies triaged review (config staff.digestTime)',
      props.staff.digestTime,
      this.digestFunction,
    );
    this.recipientCheckFunction = new ProjectFunction(this, 'RecipientCheck', {
      entry: 'functions/check-staff-recipients.ts',
      description: 'Checks daily that every configured staff recipient can be reached; sends nothing',
      key: props.key,
    });
    // Each recipient's latest outcome, as dispatch-alerts recorded it.
    this.recipientCheckFunction.bindTable(props.table);
    // In the SES sandbox an address is reachable only when it or its domain is a verified identity: the check
    // reads those identities, each named from the config, and no other.
    const staffEmails = [...props.staff.alertEmails, ...props.staff.escalationEmails];
    const identities = [...new Set(staffEmails.flatMap((email) => [email, email.split('@')[1] ?? email]))];
    if (identities.length > 0)
      this.recipientCheckFunction.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['ses:GetEmailIdentity'],
          resources: identities.map((identity) =>
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
          ),
        }),
      );
    // The clinic's opt-out list, by name.
    this.recipientCheckFunction.setEnv(ENV.smsOptOutList, messaging.optOutListName);
    this.recipientCheckFunction.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['sms-voice:DescribeOptedOutNumbers'],
        resources: [
          stack.formatArn({
            service: 'sms-voice',
            resource: 'opt-out-list',
            resourceName: messaging.optOutListName,
          }),
        ],
      }),
    );
    this.recipientCheckFunction.fn.addToRolePolicy(
      new PolicyStatement({
        actions: [
          'ses:GetSuppressedDestination',
          'ses:GetAccount',
          'sms-voice:DescribeAccountAttributes',
          'sms-voice:DescribeVerifiedDestinationNumbers',
        ],
        resources: ['*'],
      }),
    );
    Validations.of(this.recipientCheckFunction.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        "Reads only: the account's SES suppression list and sending state, End User Messaging's account tier and " +
        'verified destinations (the SMS sandbox); none of these actions has a resource to scope to.',
    });
    messaging.allowScheduledInvoke(this.recipientCheckFunction.fn);
    this.recipientCheckSchedule = daily(
      'RecipientCheckSchedule',
      'staff-recipient-check',
      'Checks that every staff recipient can be reached (config staff.recipientCheckTime)',
      props.staff.recipientCheckTime,
      this.recipientCheckFunction,
    );
    // The role must trust these groups and may invoke the targets before a schedule first fires.
    for (const schedule of [this.sweeperSchedule, this.digestSchedule, this.recipientCheckSchedule])
      schedule.node.addDependency(messaging.schedulerRole);
  }

  /**
   * Lets `fn` (the check-in function) stop an alert's escalation when staff acknowledge it: `SCHEDULE_GROUP`
   * and DeleteSchedule on the alert group's schedules, nothing else of the scheduler.
   */
  bindAcknowledging(fn: ProjectFunction): void {
    fn.setEnv(ENV.scheduleGroup, this.scheduleGroupName);
    grantSchedules(
      fn,
      this.scheduleGroupName,
      ['scheduler:DeleteSchedule'],
      'The pending escalation schedule is named per alert at run time; the grant is limited to the alert group.',
    );
  }
}
