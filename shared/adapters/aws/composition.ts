import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import clinicConfigInput from '../../../config/clinic';
import type { ClinicConfig } from '../../contracts/clinic-config';
import {
  type BookingEventsEnv,
  bookingEventsEnvSchema,
  ENV,
  parseEnv,
  sendMessageEnvSchema,
} from '../../contracts/env';
import { loadClinicConfig } from '../../domain/config-validation';
import type { MessagingDeps } from '../../domain/deliver-message';
import type { BookingEventDeps } from '../../domain/process-booking-event';
import { DynamoBookingStore } from '../dynamodb/booking-store';
import { createDocumentClient } from '../dynamodb/client';
import { DynamoLinkStore } from '../dynamodb/link-store';
import { DynamoMessageLog } from '../dynamodb/message-log';
import { SqsDeadLetterSink } from './dead-letters';
import { SesMailer } from './mailer';
import { log, metrics } from './observability';
import { EventBridgeMessageScheduler } from './scheduler';
import { SecretsManagerSigningKey } from './signing-key';
import { SnsSmsSender } from './sms-sender';

/** The AWS composition root: real clients, config from the bundled clinic file and the function's env. */
let clinicConfig: ClinicConfig | undefined;

const systemClock = { now: () => new Date().toISOString() };

/** Dependencies of the send-message function. */
export function awsMessagingDeps(env = parseEnv(sendMessageEnvSchema)): MessagingDeps {
  clinicConfig ??= loadClinicConfig(clinicConfigInput);
  const config = clinicConfig;
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  return {
    config,
    clock: systemClock,
    bookings: new DynamoBookingStore(db, tableName),
    messageLog: new DynamoMessageLog(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    signingKey: new SecretsManagerSigningKey(new SecretsManagerClient({}), env[ENV.linkSigningSecretArn]),
    linkBaseUrl: env[ENV.linkBaseUrl],
    mailer: new SesMailer(new SESv2Client({}), {
      from: config.sender.email,
      ...(config.sender.replyTo ? { replyTo: config.sender.replyTo } : {}),
      ...(env[ENV.sesConfigurationSet] ? { configurationSet: env[ENV.sesConfigurationSet] } : {}),
    }),
    sms: new SnsSmsSender(new SNSClient({}), {
      ...(config.sender.smsOriginationNumber
        ? { originationNumber: config.sender.smsOriginationNumber }
        : {}),
    }),
    metrics,
    log,
  };
}

/** Dependencies of the booking-events function. */
export function awsBookingEventDeps(
  env: BookingEventsEnv = parseEnv(bookingEventsEnvSchema),
): BookingEventDeps {
  return {
    ...awsMessagingDeps(env),
    scheduler: new EventBridgeMessageScheduler(new SchedulerClient({}), {
      groupName: env[ENV.scheduleGroup],
      targetArn: env[ENV.sendFunctionArn],
      roleArn: env[ENV.schedulerRoleArn],
      deadLetterArn: env[ENV.scheduleDlqArn],
    }),
    deadLetters: new SqsDeadLetterSink(new SQSClient({}), env[ENV.rejectedEventsQueueUrl]),
  };
}
