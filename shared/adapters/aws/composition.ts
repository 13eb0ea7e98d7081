import { randomBytes, randomUUID } from 'node:crypto';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { PinpointSMSVoiceV2Client } from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SQSClient } from '@aws-sdk/client-sqs';
import clinicConfigInput from '../../../config/clinic';
import { HOOK_EVENT_SOURCE } from '../../contracts/booking-events';
import { type ClinicConfig, parseClinicConfig } from '../../contracts/clinic-config';
import {
  type BookingEventsEnv,
  bookingEventsEnvSchema,
  bookingHooksEnvSchema,
  checkinHttpEnvSchema,
  consoleHttpEnvSchema,
  deliveryEventsEnvSchema,
  dispatchAlertsEnvSchema,
  ENV,
  edgeOriginSecretFromEnv,
  parseEnv,
  patientTextsEnvSchema,
  recipientCheckEnvSchema,
  reviewDigestEnvSchema,
  sendMessageEnvSchema,
} from '../../contracts/env';
import type { AlertDeps } from '../../domain/alerts/alerts';
import type { DigestDeps } from '../../domain/alerts/send-review-digest';
import type { StaffLinkDeps } from '../../domain/alerts/staff-links';
import type { RecipientCheckDeps } from '../../domain/alerts/staff-recipient-check';
import type { BookingEventDeps } from '../../domain/booking/process-booking-event';
import type { CheckinDeps } from '../../domain/checkins/checkin';
import type { BookingHookDeps } from '../../domain/hooks/booking-hooks';
import type { MessagingDeps } from '../../domain/messages/deliver-message';
import { withDueMessageSender } from '../../domain/messages/deliver-message';
import type { DeliveryEventDeps } from '../../domain/messages/delivery-events';
import type { PatientTextDeps } from '../../domain/messages/inbound-sms';
import type { ReadinessDeps } from '../../domain/messages/readiness';
import type { RotationDeps } from '../../domain/messages/rotate-link-key';
import { asSigningKeys } from '../../domain/messages/tokens';
import type { ConsoleAppDeps } from '../../web/console/console-app';
import { deriveCookieKey } from '../../web/console/cookies';
import { DynamoAlertStore } from '../dynamodb/alert-store';
import { DynamoAuditLog } from '../dynamodb/audit-log';
import { DynamoBookingActivity } from '../dynamodb/booking-activity';
import { DynamoBookingStore } from '../dynamodb/booking-store';
import { createDocumentClient } from '../dynamodb/client';
import { DynamoContactStatusStore } from '../dynamodb/contact-status-store';
import { digestStores } from '../dynamodb/digest-queue';
import { dynamoExportSource } from '../dynamodb/export-source';
import { DynamoHookBookingStore, DynamoPatientIdKey } from '../dynamodb/hook-booking-store';
import { DynamoInboundTextStore } from '../dynamodb/inbound-text-store';
import { DynamoLinkStore } from '../dynamodb/link-store';
import { DynamoMessageLog } from '../dynamodb/message-log';
import { DynamoMissedCheckinStore } from '../dynamodb/missed-checkin-store';
import { DynamoNoticeStore } from '../dynamodb/notice-store';
import { DynamoReadinessStore } from '../dynamodb/readiness-store';
import { DynamoReplyCounts } from '../dynamodb/reply-counts';
import { DynamoReplyStore } from '../dynamodb/reply-store';
import { DynamoScreenerHistory } from '../dynamodb/screener-history';
import { DynamoStaffSendStore } from '../dynamodb/staff-send-store';
import { DynamoStaffSessionStore } from '../dynamodb/staff-session-store';
import { OidcIdentityProvider } from '../identity/oidc-identity-provider';
import { SqsDeadLetterSink } from './dead-letters';
import { EumSmsSender } from './eum-sms-sender';
import { EventBridgePublisher } from './event-publisher';
import { SecretsManagerHookSecrets } from './hook-secrets';
import { SesMailer } from './mailer';
import { log, metrics } from './observability';
import { SecretsManagerOriginProof } from './origin-proof';
import { EventBridgeScheduler, removeSchedule } from './scheduler';
import { SecretsManagerVersions } from './secret-versions';
import { SecretsManagerSigningKey } from './signing-key';
import { ChannelStaffNotifier } from './staff-notifier';
import { ProviderStaffReachability } from './staff-reachability';

/**
 * The AWS composition root: real clients, config from the bundled clinic file and the function's env.
 * The bundled config passed `validateClinicConfig` (every template rendered) at synth, so a cold start
 * only parses it: rendering every template again would cost ~80 ms of every cold start.
 */
let clinicConfig: ClinicConfig | undefined;

/**
 * The clinic config as synth parsed and validated it, put in the bundle by the CDK's bundling
 * (`infra/bundled-config.ts`); without it (tests, `tsx`) the bundled file is parsed here. Parsing with zod
 * at a cold start cost about 25 ms of the check-in function's first call.
 */
declare const __CLINIC_CONFIG_JSON__: string | undefined;
function bundledClinicConfig(): ClinicConfig {
  return typeof __CLINIC_CONFIG_JSON__ === 'string'
    ? (JSON.parse(Buffer.from(__CLINIC_CONFIG_JSON__, 'base64').toString('utf8')) as ClinicConfig)
    : parseClinicConfig(clinicConfigInput);
}

const systemClock = { now: () => new Date().toISOString() };

/** One Secrets Manager client per container: the link keys and the origin proof share it. */
let secretsClient: SecretsManagerClient | undefined;
const secrets = () => {
  secretsClient ??= new SecretsManagerClient({});
  return secretsClient;
};

/** The origin-proof check of the HTTP functions when the optional edge is on (config `protection.edge`). */
export function awsOriginProof(env: NodeJS.ProcessEnv = process.env): SecretsManagerOriginProof | undefined {
  const secretId = edgeOriginSecretFromEnv(env);
  return secretId ? new SecretsManagerOriginProof(secrets(), secretId) : undefined;
}

/** Dependencies of the check-in HTTP function (patient and staff links). */
export function awsCheckinDeps(env = parseEnv(checkinHttpEnvSchema)): CheckinDeps & StaffLinkDeps {
  clinicConfig ??= bundledClinicConfig();
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  return {
    config: clinicConfig,
    clock: systemClock,
    bookings: new DynamoBookingStore(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    replies: new DynamoReplyStore(db, tableName),
    alerts: new DynamoAlertStore(db, tableName),
    screeners: new DynamoScreenerHistory(db, tableName),
    replyCounts: new DynamoReplyCounts(db, tableName),
    signingKey: new SecretsManagerSigningKey(secrets(), env[ENV.linkSigningSecretArn]),
    readiness: new DynamoReadinessStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    mailer: sesMailer(clinicConfig, env[ENV.sesConfigurationSet]),
    consoleBaseUrl: env[ENV.linkBaseUrl],
    newId: randomUUID,
    metrics,
    log,
  };
}

/** Dependencies of the staff console function: Cognito as the OpenID provider, sessions in the table. */
export function awsConsoleDeps(env = parseEnv(consoleHttpEnvSchema)): ConsoleAppDeps {
  clinicConfig ??= bundledClinicConfig();
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  const scheduler = new SchedulerClient({});
  const baseUrl = env[ENV.consoleBaseUrl].replace(/\/+$/, '');
  const secret = new SecretsManagerSigningKey(secrets(), env[ENV.consoleSessionSecretArn]);
  let cookieKey: Promise<Uint8Array> | undefined;
  const logoutUrl = env[ENV.oidcLogoutUrl];
  const replyStore = new DynamoReplyStore(db, tableName);
  return {
    config: clinicConfig,
    clock: systemClock,
    alerts: new DynamoAlertStore(db, tableName),
    replies: replyStore,
    reviews: replyStore,
    exportSource: dynamoExportSource(db, tableName, clinicConfig.clinic.timeZone),
    missed: new DynamoMissedCheckinStore(db, tableName),
    patients: new DynamoScreenerHistory(db, tableName),
    replyCounts: new DynamoReplyCounts(db, tableName),
    activity: new DynamoBookingActivity(db, tableName),
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: clinicConfig.clinic.timeZone }),
    audit: new DynamoAuditLog(db, tableName),
    sends: new DynamoStaffSendStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    sessions: new DynamoStaffSessionStore(db, tableName),
    escalations: { remove: (name) => removeSchedule(scheduler, env[ENV.scheduleGroup], name) },
    identity: new OidcIdentityProvider({
      issuer: env[ENV.oidcIssuer],
      clientId: env[ENV.oidcClientId],
      redirectUri: `${baseUrl}/console/callback`,
      ...(logoutUrl ? { logoutUrl } : {}),
    }),
    cookieKey: {
      get: () => {
        // The secret adapter retries a failed fetch; so does this, by forgetting a failed derivation.
        cookieKey ??= secret
          .get()
          // The session secret is one key; a rotated one would sign with its current key.
          .then((keys) => deriveCookieKey(asSigningKeys(keys).current.key))
          .catch((error: unknown) => {
            cookieKey = undefined;
            throw error;
          });
        return cookieKey;
      },
    },
    baseUrl,
    formTargets: logoutUrl ? [new URL(logoutUrl).origin] : [],
    log,
  };
}

/** Dependencies of the alert function (stream, sweeper, escalation schedules). */
export function awsAlertDeps(env = parseEnv(dispatchAlertsEnvSchema)): AlertDeps {
  clinicConfig ??= bundledClinicConfig();
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  return {
    config: clinicConfig,
    clock: systemClock,
    alerts: new DynamoAlertStore(db, tableName),
    sends: new DynamoStaffSendStore(db, tableName),
    staff: new ChannelStaffNotifier(
      sesMailer(clinicConfig, env[ENV.sesConfigurationSet]),
      eumSms(clinicConfig, env[ENV.smsConfigurationSet]),
    ),
    scheduler: new EventBridgeScheduler(new SchedulerClient({}), {
      groupName: env[ENV.scheduleGroup],
      targetArn: env[ENV.alertFunctionArn],
      roleArn: env[ENV.schedulerRoleArn],
      deadLetterArn: env[ENV.scheduleDlqArn],
    }),
    linkBaseUrl: env[ENV.linkBaseUrl],
    metrics,
    log,
  };
}

/** Dependencies of the daily staff recipient check: what the alert path recorded, and SES's and SNS's lists. */
export function awsRecipientCheckDeps(env = parseEnv(recipientCheckEnvSchema)): RecipientCheckDeps {
  clinicConfig ??= bundledClinicConfig();
  return {
    config: clinicConfig,
    recipients: new DynamoStaffSendStore(createDocumentClient(), env[ENV.tableName]),
    reachability: new ProviderStaffReachability(
      new SESv2Client({}),
      new PinpointSMSVoiceV2Client({}),
      env[ENV.smsOptOutList],
    ),
    metrics,
    log,
  };
}

/** Dependencies of the review digest function. */
export function awsDigestDeps(env = parseEnv(reviewDigestEnvSchema)): DigestDeps {
  clinicConfig ??= bundledClinicConfig();
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  return {
    config: clinicConfig,
    clock: systemClock,
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: clinicConfig.clinic.timeZone }),
    messageLog: new DynamoMessageLog(db, tableName),
    replies: new DynamoReplyStore(db, tableName),
    ...digestStores(db, tableName),
    newId: randomUUID,
    mailer: sesMailer(clinicConfig, env[ENV.sesConfigurationSet]),
    linkBaseUrl: env[ENV.linkBaseUrl],
    metrics,
    log,
  };
}

/** SES from the clinic's sender address, through the configuration set when there is one. */
function sesMailer(config: ClinicConfig, configurationSet: string | undefined): SesMailer {
  return new SesMailer(new SESv2Client({}), {
    from: config.sender.email,
    ...(config.sender.replyTo ? { replyTo: config.sender.replyTo } : {}),
    ...(configurationSet ? { configurationSet } : {}),
  });
}

/** SMS through End User Messaging: the clinic's number or pool, the configuration set, its cap and time to live. */
function eumSms(config: ClinicConfig, configurationSet: string): EumSmsSender {
  return new EumSmsSender(new PinpointSMSVoiceV2Client({}), {
    ...(config.sms.originationIdentity ? { originationIdentity: config.sms.originationIdentity } : {}),
    configurationSet,
    maxPrice: config.sms.maxPrice,
    timeToLiveSeconds: config.sms.timeToLiveMinutes * 60,
  });
}

/** Dependencies of the send-message function: messages, and readiness deadlines (their front-desk notices). */
export function awsMessagingDeps(env = parseEnv(sendMessageEnvSchema)): MessagingDeps & ReadinessDeps {
  clinicConfig ??= bundledClinicConfig();
  const config = clinicConfig;
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  return {
    config,
    clock: systemClock,
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    messageLog: new DynamoMessageLog(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    signingKey: new SecretsManagerSigningKey(secrets(), env[ENV.linkSigningSecretArn]),
    linkBaseUrl: env[ENV.linkBaseUrl],
    mailer: sesMailer(config, env[ENV.sesConfigurationSet]),
    sms: eumSms(config, env[ENV.smsConfigurationSet]),
    readiness: new DynamoReadinessStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    consoleBaseUrl: env[ENV.linkBaseUrl],
    metrics,
    log,
  };
}

/** Dependencies of the booking-events function. */
export function awsBookingEventDeps(
  env: BookingEventsEnv = parseEnv(bookingEventsEnvSchema),
): BookingEventDeps {
  return withDueMessageSender({
    ...awsMessagingDeps(env),
    scheduler: new EventBridgeScheduler(new SchedulerClient({}), {
      groupName: env[ENV.scheduleGroup],
      targetArn: env[ENV.sendFunctionArn],
      roleArn: env[ENV.schedulerRoleArn],
      deadLetterArn: env[ENV.scheduleDlqArn],
    }),
    deadLetters: new SqsDeadLetterSink(new SQSClient({}), env[ENV.rejectedEventsQueueUrl]),
  });
}

/**
 * Dependencies of the delivery-events function: the sending deps (fallback, front-desk notices), the
 * message log's delivery side, the patients' contact marks, the kept-events queue.
 */
export function awsDeliveryEventDeps(env = parseEnv(deliveryEventsEnvSchema)): DeliveryEventDeps {
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  return {
    ...awsMessagingDeps(env),
    deliveries: new DynamoMessageLog(db, tableName),
    contacts: new DynamoContactStatusStore(db, tableName),
    deadLetters: new SqsDeadLetterSink(new SQSClient({}), env[ENV.rejectedEventsQueueUrl]),
  };
}

/** Dependencies of the patient-texts function: replies and alerts, contact marks, notices, the auto-reply. */
export function awsInboundSmsDeps(env = parseEnv(patientTextsEnvSchema)): PatientTextDeps {
  clinicConfig ??= bundledClinicConfig();
  const config = clinicConfig;
  const db = createDocumentClient();
  const tableName = env[ENV.tableName];
  return {
    config,
    clock: systemClock,
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    sentTexts: new DynamoMessageLog(db, tableName),
    texts: new DynamoInboundTextStore(db, tableName),
    replies: new DynamoReplyStore(db, tableName),
    alerts: new DynamoAlertStore(db, tableName),
    contacts: new DynamoContactStatusStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    readiness: new DynamoReadinessStore(db, tableName),
    mailer: sesMailer(config, env[ENV.sesConfigurationSet]),
    sms: eumSms(config, env[ENV.smsConfigurationSet]),
    consoleBaseUrl: env[ENV.linkBaseUrl],
    deadLetters: new SqsDeadLetterSink(new SQSClient({}), env[ENV.rejectedEventsQueueUrl]),
    newId: randomUUID,
    metrics,
    log,
  };
}

/** Dependencies of the link-signing key's rotation function: the secret comes in each event. */
export function awsKeyRotationDeps(): RotationDeps {
  return {
    secrets: new SecretsManagerVersions(secrets()),
    // 48 random bytes as 64 URL-safe characters, the form the secret keeps keys in.
    freshKey: () => randomBytes(48).toString('base64url'),
    log,
  };
}

/** Dependencies of the booking-hooks function: each booking's version, the bus, the kept-deliveries queue, secrets. */
export function awsBookingHookDeps(env = parseEnv(bookingHooksEnvSchema)): BookingHookDeps {
  clinicConfig ??= bundledClinicConfig();
  const publisher = new EventBridgePublisher(new EventBridgeClient({}), env[ENV.eventBusName]);
  const db = createDocumentClient();
  return {
    config: clinicConfig,
    clock: systemClock,
    source: HOOK_EVENT_SOURCE,
    versions: new DynamoHookBookingStore(db, env[ENV.tableName]),
    patientIdKey: new DynamoPatientIdKey(db, env[ENV.tableName]),
    publish: (events) => publisher.publish(events),
    deadLetters: new SqsDeadLetterSink(new SQSClient({}), env[ENV.rejectedEventsQueueUrl]),
    secrets: new SecretsManagerHookSecrets(secrets(), {
      calcom: env[ENV.calcomSecretArn],
      fhirTokens: env[ENV.fhirTokensSecretArn],
    }),
    metrics,
    log,
  };
}
