import { Aws, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { type CfnTopic, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../../shared/contracts/env';
import { type AliasedKey, encryptedQueue } from './encrypted-queue';
import type { Messaging } from './messaging';
import { ProjectFunction } from './project-function';

export interface PatientTextsProps {
  readonly table: ITable;
  readonly messaging: Messaging;
  /** Encrypts the function's log group (logs carry no patient data). */
  readonly key: IKey;
  /** Encrypts what carries a text or a phone: the inbound topic, the unreadable-texts and on-failure queues. */
  readonly dataKey: AliasedKey;
  /** The console's base URL, which front-desk notices point into. */
  readonly linkBaseUrl: string;
}

/**
 * Patients' texts to the clinic's number (DESIGN section 11): the number's two-way channel publishes each to
 * an encrypted SNS topic, which invokes one function. The number itself is registered outside
 * CloudFormation, so its two-way channel and HELP keyword are set with the commands in the README.
 */
export class PatientTexts extends Construct {
  readonly handler: ProjectFunction;
  readonly inboundTopic: Topic;
  /** Texts the function could not read, each kept with its reason. */
  readonly unreadableTexts: IQueue;
  /** Texts SNS could not hand to the function at all (throttling, a deleted function): kept, never dropped. */
  readonly undeliveredTexts: IQueue;

  constructor(scope: Construct, id: string, props: PatientTextsProps) {
    super(scope, id);
    this.handler = new ProjectFunction(this, 'ReceivePatientTexts', {
      entry: 'functions/receive-patient-texts.ts',
      description: "Patients' texts to the clinic's number: opt-outs, urgent phrases, review, the auto-reply",
      key: props.key,
      failureQueueKey: props.dataKey,
    });
    this.handler.bindTable(props.table);
    this.unreadableTexts = encryptedQueue(this, 'UnreadableTexts', props.dataKey);
    Validations.of(this.unreadableTexts).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'Texts the function could not read are parked here for a person to read; nothing consumes it.',
    });
    this.handler.bindQueueSend(ENV.rejectedEventsQueueUrl, this.unreadableTexts);
    // The auto-reply goes by SMS; an opt-out's front-desk notice by email, pointing into the console.
    props.messaging.bindEmail(this.handler);
    props.messaging.bindSms(this.handler);
    this.handler.setEnv(ENV.linkBaseUrl, props.linkBaseUrl);

    this.inboundTopic = new Topic(this, 'InboundTexts', {
      displayName: "Patients' texts to the clinic's number",
      masterKey: props.dataKey.key,
      enforceSSL: true,
    });
    // A key of the data stack is named by its alias: no cross-stack reference.
    (this.inboundTopic.node.defaultChild as CfnTopic).kmsMasterKeyId = props.dataKey.alias;
    this.inboundTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('sms-voice.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.inboundTopic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.undeliveredTexts = encryptedQueue(this, 'UndeliveredTexts', props.dataKey);
    Validations.of(this.undeliveredTexts).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the inbound texts subscription.',
    });
    this.inboundTopic.addSubscription(
      new LambdaSubscription(this.handler.fn, { deadLetterQueue: this.undeliveredTexts }),
    );
  }
}
