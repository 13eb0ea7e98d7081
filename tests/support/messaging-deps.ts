import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import clinicConfigInput from '../../config/clinic';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoContactStatusStore } from '../../shared/adapters/dynamodb/contact-status-store';
import { DynamoInboundTextStore } from '../../shared/adapters/dynamodb/inbound-text-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../../shared/adapters/dynamodb/readiness-store';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { type ClinicConfig, parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { MessagingDeps } from '../../shared/domain/messages/deliver-message';
import type { PatientTextDeps } from '../../shared/domain/messages/inbound-sms';
import type { ReadinessDeps } from '../../shared/domain/messages/readiness';
import type { Clock, DeadLetterSink, Mailer, SmsSender } from '../../shared/domain/ports';

/** The default clinic config with a front desk to tell (DESIGN section 11). */
export const CONFIG_WITH_FRONT_DESK = parseClinicConfig({
  ...clinicConfigInput,
  staff: { ...clinicConfigInput.staff, frontDeskEmails: ['desk@example-clinic.org'] },
});

/** The sending deps on dynalite (stores real, providers the caller's fakes), quiet metrics and logs. */
export function dynamoMessagingDeps(input: {
  db: DynamoDBDocumentClient;
  tableName: string;
  config: ClinicConfig;
  clock: Clock;
  mailer: Mailer;
  sms: SmsSender;
}): MessagingDeps & ReadinessDeps {
  const { db, tableName, config } = input;
  return {
    config,
    clock: input.clock,
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    messageLog: new DynamoMessageLog(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    signingKey: { get: async () => new Uint8Array(32).fill(3) },
    linkBaseUrl: 'https://care.example.org',
    mailer: input.mailer,
    sms: input.sms,
    readiness: new DynamoReadinessStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    consoleBaseUrl: 'https://care.example.org',
    metrics: { count: () => {}, flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
}

/** The patient-texts function's deps on dynalite, over the sending deps. */
export function dynamoPatientTextDeps(
  messaging: MessagingDeps & ReadinessDeps,
  input: { db: DynamoDBDocumentClient; tableName: string; newId: () => string; deadLetters: DeadLetterSink },
): PatientTextDeps {
  const { db, tableName } = input;
  return {
    ...messaging,
    sentTexts: new DynamoMessageLog(db, tableName),
    texts: new DynamoInboundTextStore(db, tableName),
    replies: new DynamoReplyStore(db, tableName),
    alerts: new DynamoAlertStore(db, tableName),
    contacts: new DynamoContactStatusStore(db, tableName),
    newId: input.newId,
    deadLetters: input.deadLetters,
  };
}
