import * as z from './zod';

/**
 * Environment variable names shared by the CDK stack (which sets them) and the
 * functions (which parse them), so the two cannot drift.
 */
export const ENV = {
  tableName: 'TABLE_NAME',
  scheduleGroup: 'SCHEDULE_GROUP',
  schedulerRoleArn: 'SCHEDULER_ROLE_ARN',
  sendFunctionArn: 'SEND_FUNCTION_ARN',
  scheduleDlqArn: 'SCHEDULE_DLQ_ARN',
  rejectedEventsQueueUrl: 'REJECTED_EVENTS_QUEUE_URL',
  linkSigningSecretArn: 'LINK_SIGNING_SECRET_ARN',
  linkBaseUrl: 'LINK_BASE_URL',
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  smsConfigurationSet: 'SMS_CONFIGURATION_SET',
  smsOptOutList: 'SMS_OPT_OUT_LIST',
  alertFunctionArn: 'ALERT_FUNCTION_ARN',
  consoleSessionSecretArn: 'CONSOLE_SESSION_SECRET_ARN',
  consoleBaseUrl: 'CONSOLE_BASE_URL',
  oidcIssuer: 'OIDC_ISSUER',
  oidcClientId: 'OIDC_CLIENT_ID',
  oidcLogoutUrl: 'OIDC_LOGOUT_URL',
  edgeOriginSecret: 'EDGE_ORIGIN_SECRET',
  eventBusName: 'EVENT_BUS_NAME',
  calcomSecretArn: 'CALCOM_SECRET_ARN',
  fhirTokensSecretArn: 'FHIR_TOKENS_SECRET_ARN',
} as const;

const required = z.string().check(z.minLength(1));

/** Config of the send-message function (table, links, SES and End User Messaging), parsed once at cold start. */
export const sendMessageEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.linkSigningSecretArn]: required,
  [ENV.linkBaseUrl]: z.url(),
  [ENV.sesConfigurationSet]: z.optional(required),
  [ENV.smsConfigurationSet]: required,
});

/**
 * Config of the check-in HTTP function: the table and the link-signing key; SES and the console's base URL for
 * the front-desk notice a readiness answer may raise.
 */
export const checkinHttpEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.linkSigningSecretArn]: required,
  [ENV.linkBaseUrl]: z.url(),
  [ENV.sesConfigurationSet]: z.optional(required),
});

/**
 * Config of the staff console function: the table, the session-encryption
 * secret, the OpenID provider (Cognito) and the console's own URL.
 */
export const consoleHttpEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.scheduleGroup]: required,
  [ENV.consoleSessionSecretArn]: required,
  [ENV.consoleBaseUrl]: z.url(),
  [ENV.oidcIssuer]: z.url(),
  [ENV.oidcClientId]: required,
  [ENV.oidcLogoutUrl]: z.optional(z.url()),
});

/** Config of the review digest function: the table, the console's base URL and SES. */
export const reviewDigestEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.linkBaseUrl]: z.url(),
  [ENV.sesConfigurationSet]: z.optional(required),
});

/**
 * Config of the alert function: SES's TLS-required configuration set (staff email goes through it, never
 * without), escalation schedules that fire itself, the console's base URL.
 */
export const dispatchAlertsEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.linkBaseUrl]: z.url(),
  [ENV.sesConfigurationSet]: required,
  [ENV.smsConfigurationSet]: required,
  [ENV.scheduleGroup]: required,
  [ENV.schedulerRoleArn]: required,
  [ENV.alertFunctionArn]: required,
  [ENV.scheduleDlqArn]: required,
});

/** Config of the daily staff recipient check: the table (each recipient's latest outcome) and the SMS opt-out list. */
export const recipientCheckEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.smsOptOutList]: required,
});

/**
 * Config of the delivery-events function: what send-message has (a message that failed for good goes by the
 * other channel; front-desk notices point into the console on the link domain), and the queue unreadable
 * provider events are kept in.
 */
export const deliveryEventsEnvSchema = z.extend(sendMessageEnvSchema, {
  [ENV.rejectedEventsQueueUrl]: required,
});

/**
 * Config of the patient-texts function: the table, SES for front-desk notices, End User Messaging for the
 * auto-reply, the console's base URL (notices point into it) and the queue unreadable texts are kept in.
 */
export const patientTextsEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.linkBaseUrl]: z.url(),
  [ENV.sesConfigurationSet]: z.optional(required),
  [ENV.smsConfigurationSet]: required,
  [ENV.rejectedEventsQueueUrl]: required,
});

/**
 * Config of the booking-events function: everything send-message has (it sends
 * due-now messages inline) plus the scheduler and the rejected-events queue.
 */
export const bookingEventsEnvSchema = z.extend(sendMessageEnvSchema, {
  [ENV.scheduleGroup]: required,
  [ENV.schedulerRoleArn]: required,
  [ENV.sendFunctionArn]: required,
  [ENV.scheduleDlqArn]: required,
  [ENV.rejectedEventsQueueUrl]: required,
});

/**
 * Config of the booking-hooks function: the table (each booking's version), the bus it puts events on, the
 * queue unmappable deliveries are kept in, and each provider's secret.
 */
export const bookingHooksEnvSchema = z.object({
  [ENV.tableName]: required,
  [ENV.eventBusName]: required,
  [ENV.rejectedEventsQueueUrl]: required,
  [ENV.calcomSecretArn]: required,
  [ENV.fhirTokensSecretArn]: required,
});

export type BookingEventsEnv = z.infer<typeof bookingEventsEnvSchema>;
export type SendMessageEnv = z.infer<typeof sendMessageEnvSchema>;
export type CheckinHttpEnv = z.infer<typeof checkinHttpEnvSchema>;
export type DispatchAlertsEnv = z.infer<typeof dispatchAlertsEnvSchema>;
export type ConsoleHttpEnv = z.infer<typeof consoleHttpEnvSchema>;

/** Parses `process.env` with a schema; the error names every missing or bad variable. */
export function parseEnv<T extends z.ZodMiniType>(
  schema: T,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<T> {
  const result = schema.safeParse(env);
  if (!result.success) {
    const fields = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid function environment: ${fields.join('; ')}`);
  }
  return result.data;
}

/**
 * The name of the origin-proof secret whose value requests must carry when the optional edge is on (config
 * `protection.edge`); unset without the edge, and then every request is taken.
 */
export function edgeOriginSecretFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const value = env[ENV.edgeOriginSecret];
  return value === undefined || value === '' ? undefined : value;
}
