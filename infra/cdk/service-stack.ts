import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { ClinicConfig } from '../../shared/contracts/clinic-config';
import { CheckinApi } from './constructs/checkin-api';
import { Ingestion } from './constructs/ingestion';
import { Messaging } from './constructs/messaging';
import { alarmArnPattern, Operations } from './constructs/operations';

export interface ServiceStackProps extends StackProps {
  /** The validated clinic config. */
  readonly config: ClinicConfig;
  /**
   * Base URL of patient links (config `links.baseUrl`, a short link domain in front of the check-in API).
   * @default - the check-in API's own URL
   */
  readonly linkBaseUrl?: string;
  readonly table: ITable;
  readonly linkSigningSecret: ISecret;
}

/**
 * The stateless part: functions, bus, schedules, the check-in API, queues of failures, alarms. Safe to
 * destroy and redeploy (without a short link domain, a new API URL breaks the links already sent).
 */
export class ServiceStack extends Stack {
  /** Encrypts queues, log groups and the alarm topic. */
  readonly operationsKey: Key;
  readonly ingestion: Ingestion;
  readonly messaging: Messaging;
  readonly checkin: CheckinApi;
  readonly operations: Operations;
  /** What patient links start with: the configured short link domain, or the check-in API's URL. */
  readonly linkBaseUrl: string;

  constructor(scope: Construct, id: string, props: ServiceStackProps) {
    super(scope, id, props);
    const key = operationsKey(this, props.config.busName, this.stackName);
    this.operationsKey = key;

    // The API refers to the check-in function only; the sending functions refer to the API's URL (no cycle).
    this.checkin = new CheckinApi(this, 'Checkin', {
      table: props.table,
      linkSigningSecret: props.linkSigningSecret,
      key,
    });
    this.linkBaseUrl = props.linkBaseUrl?.replace(/\/+$/, '') ?? this.checkin.url;
    new CfnOutput(this, 'CheckinApiUrl', {
      description: 'Check-in API endpoint; point the short link domain (links.baseUrl) here if there is one',
      value: this.checkin.url,
    });

    this.messaging = new Messaging(this, 'Messaging', {
      table: props.table,
      linkSigningSecret: props.linkSigningSecret,
      senderEmail: props.config.sender.email,
      linkBaseUrl: this.linkBaseUrl,
      key,
    });
    this.ingestion = new Ingestion(this, 'Ingestion', {
      busName: props.config.busName,
      key,
    });
    const bookingEvents = this.ingestion.handler;
    bookingEvents.bindTable(props.table);
    // Due-now messages (e.g. preparation instructions) are sent while the event is processed.
    this.messaging.bindSending(bookingEvents);
    this.messaging.bindScheduling(bookingEvents);

    this.operations = new Operations(this, 'Operations', {
      key,
      alarmEmail: props.config.operations?.alarmEmail,
      alarmNamePrefix: this.stackName,
    });
    const ops = this.operations;
    ops.alarmOnQueue(this.ingestion.deliveryDlq, {
      name: 'booking-events-undelivered',
      description:
        'EventBridge could not deliver booking events to the booking-events function after 6 hours of retries; ' +
        'those bookings get no messages. First: read a message in the DeliveryDlq queue (attributes ERROR_CODE ' +
        'and ERROR_MESSAGE), fix the cause (throttling, deleted function, permissions), then re-put each event ' +
        'on the bus - processing is idempotent.',
    });
    ops.alarmOnQueue(bookingEvents.failureQueue, {
      name: 'booking-events-failed',
      description:
        'The booking-events function failed on an event 3 times (e.g. DynamoDB, Scheduler or SES/SNS errors, ' +
        'or a bug); the booking may be stored without its schedules. First: find the requestId of the failure ' +
        'record in the function logs, fix the cause, then re-put the event (requestPayload) on the bus.',
    });
    ops.alarmOnQueue(this.ingestion.rejectedEvents, {
      name: 'booking-events-rejected',
      description:
        'The booking system sent events that break the booking event contract; they were not processed. ' +
        'First: read the reason in a RejectedEvents message (it names the field) and have the booking ' +
        'system fix its publisher, then re-send the booking with a higher version.',
    });
    ops.alarmOnErrors(bookingEvents.fn, {
      name: 'booking-events-errors',
      description:
        'The booking-events function threw an error; Lambda retries it twice. First: read the function logs. ' +
        'If the retries fail too, booking-events-failed follows.',
    });
    ops.alarmOnQueue(this.messaging.scheduleDlq, {
      name: 'schedules-undelivered',
      description:
        'EventBridge Scheduler could not invoke the send-message function for a due message; the patient did ' +
        'not get it. First: read the ScheduleDlq message attributes for the error (role permission, deleted ' +
        'function, throttling), fix it, then invoke send-message with the message body if it is still useful.',
    });
    ops.alarmOnQueue(this.messaging.sendFunction.failureQueue, {
      name: 'send-message-failed',
      description:
        'The send-message function failed 3 times on a due message (e.g. SES sandbox or paused sending, SMS ' +
        'spend limit reached, DynamoDB errors); the patient did not get it. First: read the function logs for ' +
        'the requestId, check SES account status and the SMS spend limit, then re-invoke with requestPayload: ' +
        'it re-checks the booking and never sends a message twice.',
    });
    ops.alarmOnErrors(this.messaging.sendFunction.fn, {
      name: 'send-message-errors',
      description:
        'The send-message function threw an error; Lambda retries it twice. First: read the function logs. ' +
        'If the retries fail too, send-message-failed follows.',
    });
    ops.alarmOnErrors(this.checkin.handler.fn, {
      name: 'checkin-errors',
      description:
        'The check-in function failed on a patient link request (uncaught error, timeout or out of memory); ' +
        'nothing retries it. That patient got a bare gateway error (500) instead of the form, instructions or ' +
        'answer: no crisis resources after an urgent answer, and the reply may not be saved (if it was, its ' +
        'staff alert still goes out). First: read the function logs for the error and fix it (a recent ' +
        'deploy, the link-signing secret or its key, DynamoDB); while it lasts, ask the clinic to phone ' +
        'patients whose check-in was due.',
    });
    ops.alarmOnHttpApiServerErrors(this.checkin.api, {
      name: 'checkin-api-5xx',
      description:
        'The check-in API answered 5xx at least once in 5 minutes: patients may be unable to submit check-ins ' +
        'or open instructions. A 503 from the function means a reply could not be stored: the patient was told ' +
        'so and an urgent answer still showed crisis resources (988, 911) and the clinic phone, but no staff ' +
        'alert exists for it. A 500, 502 or 504 means the function itself failed or timed out (checkin-errors ' +
        'alarms too): a bare error page, no crisis resources. First: query the API access logs for status ' +
        '>= 500 (routeKey, integrationStatus, requestId), then the function logs; check DynamoDB, Secrets ' +
        'Manager and KMS; ask the clinic to phone patients whose check-in was due. Throttled requests get 429 ' +
        'and do not count here.',
    });
  }
}

/**
 * The key of this stack's queues, log groups and alarm topic, kept apart from the data key so that the
 * service principals below never get a say over patient data at rest.
 */
function operationsKey(stack: Stack, busName: string, alarmNamePrefix: string): Key {
  const key = new Key(stack, 'OperationsKey', {
    description: 'Encrypts the follow-up service queues, log groups and alarm topic',
    enableKeyRotation: true,
  });
  // CloudWatch Logs encrypts this account's log groups in this region.
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal(`logs.${Aws.REGION}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:*`,
        },
      },
    }),
  );
  // EventBridge writes undeliverable events to the (encrypted) DLQ of a rule on our bus.
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/${busName}/*`,
        },
      },
    }),
  );
  // Our CloudWatch alarms publish to the (encrypted) operations topic.
  key.addToResourcePolicy(
    new PolicyStatement({
      principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': alarmArnPattern(alarmNamePrefix) },
      },
    }),
  );
  return key;
}
