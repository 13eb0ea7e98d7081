import { Aws, Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { type CfnTopic, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SMS_OUTCOME_EVENTS } from '../../../shared/adapters/aws/delivery-events';
import { ENV } from '../../../shared/contracts/env';
import { type AliasedKey, encryptedQueue } from './encrypted-queue';
import type { Messaging } from './messaging';
import { ProjectFunction } from './project-function';

export interface DeliveryEventsProps {
  readonly table: ITable;
  readonly messaging: Messaging;
  /** Encrypts the function's log group (logs carry no patient data). */
  readonly key: IKey;
  /** Encrypts what carries an address: the SMS events topic, the rule's DLQ, the function's on-failure queue. */
  readonly dataKey: AliasedKey;
  /** The booking bus's name: the SES rule is named after it, which is what the data key lets EventBridge use. */
  readonly busName: string;
}

/** The SES delivery-events rule on the default bus, named after the booking bus (the data key admits it by name). */
export function sesDeliveryRuleName(busName: string): string {
  return `${busName}-ses-delivery-events`;
}

/** The SES events that say what became of a message (sends, opens and clicks are not outcomes). */
const SES_OUTCOMES = [
  EmailSendingEvent.DELIVERY,
  EmailSendingEvent.BOUNCE,
  EmailSendingEvent.COMPLAINT,
  EmailSendingEvent.REJECT,
  EmailSendingEvent.DELIVERY_DELAY,
  EmailSendingEvent.RENDERING_FAILURE,
];

/**
 * What providers say became of each patient message (DESIGN section 11), recorded by one function: SES
 * publishes the configuration set's outcomes to the account's default event bus, where a rule picks this
 * stack's configuration set; End User Messaging publishes the SMS configuration set's events to an encrypted
 * SNS topic the function is subscribed to.
 */
export class DeliveryEvents extends Construct {
  readonly handler: ProjectFunction;
  readonly smsEvents: Topic;
  /** SES events EventBridge could not hand to the function. */
  readonly deliveryDlq: IQueue;
  /** Provider events the function could not read, each kept with its reason. */
  readonly unreadableEvents: IQueue;

  constructor(scope: Construct, id: string, props: DeliveryEventsProps) {
    super(scope, id);
    const { messaging } = props;
    this.handler = new ProjectFunction(this, 'RecordDeliveryEvents', {
      entry: 'functions/record-delivery-events.ts',
      description:
        'Records what SES and End User Messaging report of each patient message; falls back, tells the desk',
      key: props.key,
      failureQueueKey: props.dataKey,
    });
    this.handler.bindTable(props.table);
    this.unreadableEvents = encryptedQueue(this, 'UnreadableEvents', props.dataKey);
    Validations.of(this.unreadableEvents).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'Unreadable provider events are parked here for a person to read; nothing consumes this queue.',
    });
    this.handler.bindQueueSend(ENV.rejectedEventsQueueUrl, this.unreadableEvents);
    // A message that failed for good goes by the other channel; the front desk is emailed.
    messaging.bindSending(this.handler);

    const defaultBus = EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    messaging.configurationSet.addEventDestination('ToEventBridge', {
      destination: EventDestination.eventBus(defaultBus),
      events: SES_OUTCOMES,
    });
    this.deliveryDlq = encryptedQueue(this, 'SesEventsDlq', props.dataKey);
    Validations.of(this.deliveryDlq).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the SES delivery-events rule target.',
    });
    new Rule(this, 'SesEventsRule', {
      // Named after the bus: the data key lets EventBridge encrypt into this rule's DLQ by that name.
      ruleName: sesDeliveryRuleName(props.busName),
      description: "SES outcomes of this stack's configuration set, to the delivery-events function",
      eventPattern: {
        source: ['aws.ses'],
        detail: {
          mail: { tags: { 'ses:configuration-set': [messaging.configurationSet.configurationSetName] } },
        },
      },
      targets: [
        new LambdaFunction(this.handler.fn, {
          deadLetterQueue: this.deliveryDlq,
          maxEventAge: Duration.hours(24),
          retryAttempts: 20,
        }),
      ],
    });

    this.smsEvents = new Topic(this, 'SmsEvents', {
      displayName: 'End User Messaging SMS events of this stack',
      masterKey: props.dataKey.key,
      enforceSSL: true,
    });
    // A key of the data stack is named by its alias: no cross-stack reference.
    (this.smsEvents.node.defaultChild as CfnTopic).kmsMasterKeyId = props.dataKey.alias;
    const { policyDependable } = this.smsEvents.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.smsEvents.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.smsEvents.addSubscription(new LambdaSubscription(this.handler.fn));
    messaging.smsConfigurationSet.eventDestinations = [
      {
        eventDestinationName: 'delivery-events',
        enabled: true,
        // Outcomes only: queued and pending steps would each cost an SNS publish and an invocation.
        matchingEventTypes: [...SMS_OUTCOME_EVENTS],
        snsDestination: { topicArn: this.smsEvents.topicArn },
      },
    ];
    // End User Messaging checks it may publish before it keeps the destination.
    messaging.smsConfigurationSet.node.addDependency(this.smsEvents);
    if (policyDependable) messaging.smsConfigurationSet.node.addDependency(policyDependable);
  }
}
