import { DELIVERY_INDEX, LIST_INDEX, PATIENT_INDEX, WORK_INDEX } from '../shared/adapters/dynamodb/client';

/** The Lambda functions, named by their entry file in `functions/`. */
export const FUNCTION_NAMES = [
  'handle-booking-event',
  'send-message',
  'handle-checkin-http',
  'handle-console-http',
  'dispatch-alerts',
  'send-review-digest',
  'check-staff-recipients',
  'record-delivery-events',
  'receive-patient-texts',
  'rotate-link-key',
  'handle-booking-hooks',
] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** DynamoDB item actions, as IAM names them (without `dynamodb:`). */
export type ItemAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/** Item actions on the partitions whose key starts with `partition` (IAM `dynamodb:LeadingKeys`). */
export interface ItemGrant {
  readonly partition: `${string}#`;
  readonly actions: readonly ItemAction[];
}

/** What one function may do with the table: item actions by partition, and queries of named indexes. */
export interface TableAccess {
  readonly items: readonly ItemGrant[];
  readonly queryIndexes: readonly string[];
}

/**
 * Each function's access to the service table, from what its code calls
 * (DESIGN section 8). The CDK grants exactly this, one statement per
 * partition; `tests/e2e/table-grants.test.ts` drives every function through
 * the local runtime and checks each call is granted here and each grant here
 * is used. Partitions: `BOOKING#` (booking, its messages, replies, missed
 * check-ins), `LINK#`, `ALERT#` (and each recipient's copy), `PATIENT#` (screener history), `STATS#` (weekly
 * reply counts), `STAFF#` (staff recipients' latest outcomes), `SESSION#` (staff sessions), `AUDIT#`,
 * `PHONE#` (patients' texts, by the phone's digest), `HOOK#` (what each booking webhook's deliveries became).
 */
export const TABLE_ACCESS: Record<FunctionName, TableAccess> = {
  // Stores the booking and its plan; a message due at once goes out here, check-in links too; a new email or
  // phone reads the message log for the check-in to send again.
  'handle-booking-event': {
    items: [
      { partition: 'BOOKING#', actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
      { partition: 'LINK#', actions: ['PutItem'] },
    ],
    queryIndexes: [LIST_INDEX],
  },
  // Provider delivery events: the message found by its delivery id, its status recorded; a message that failed
  // for good is sent by the other channel (its log entries, a new link, the day lists for a week check-in) or
  // becomes a front-desk notice beside its booking; an address that bounced is marked on its patient.
  'record-delivery-events': {
    items: [
      { partition: 'BOOKING#', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
      { partition: 'LINK#', actions: ['PutItem'] },
      { partition: 'PATIENT#', actions: ['PutItem'] },
    ],
    queryIndexes: [DELIVERY_INDEX, LIST_INDEX],
  },
  // Patients' texts: the message a text answers (the phone's texts on the list index), its booking and replies,
  // the text and the phone's auto-reply by the phone's digest, a reply (urgent or for review) and a notice
  // beside the booking, an opt-out marked or cleared (by time) on the patient, the open alert a reply joins.
  'receive-patient-texts': {
    items: [
      { partition: 'BOOKING#', actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
      { partition: 'PHONE#', actions: ['PutItem', 'UpdateItem'] },
      { partition: 'PATIENT#', actions: ['PutItem'] },
      { partition: 'ALERT#', actions: ['GetItem'] },
    ],
    queryIndexes: [LIST_INDEX],
  },
  // Booking webhooks: the booking a provider id names, and each booking's version and last event.
  'handle-booking-hooks': {
    items: [{ partition: 'HOOK#', actions: ['GetItem', 'PutItem'] }],
    queryIndexes: [],
  },
  // One due message: the booking, its message log (a skip is a put), a new link; the patient's other
  // sessions (a week check-in another session covers is skipped).
  'send-message': {
    items: [
      { partition: 'BOOKING#', actions: ['GetItem', 'PutItem', 'UpdateItem'] },
      { partition: 'LINK#', actions: ['PutItem'] },
    ],
    queryIndexes: [LIST_INDEX],
  },
  // Patient links: reads links and bookings, stores replies, screener totals and weekly counts, readiness
  // answers (a worrying one is a notice, marked once emailed); never writes a link or an alert.
  'handle-checkin-http': {
    items: [
      { partition: 'LINK#', actions: ['GetItem'] },
      { partition: 'BOOKING#', actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
      { partition: 'ALERT#', actions: ['GetItem'] },
      { partition: 'PATIENT#', actions: ['Query', 'PutItem'] },
      { partition: 'STATS#', actions: ['UpdateItem'] },
    ],
    queryIndexes: [],
  },
  // Staff: sessions, alerts (and who was told of each), replies, reviews, a patient's bookings (by-patient) and screener totals, the audit
  // trail (added to, never changed).
  'handle-console-http': {
    items: [
      { partition: 'SESSION#', actions: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'] },
      { partition: 'ALERT#', actions: ['GetItem', 'Query', 'UpdateItem'] },
      { partition: 'BOOKING#', actions: ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem'] },
      { partition: 'PATIENT#', actions: ['Query'] },
      { partition: 'STATS#', actions: ['Query'] },
      { partition: 'AUDIT#', actions: ['PutItem', 'Query'] },
    ],
    queryIndexes: [LIST_INDEX, PATIENT_INDEX],
  },
  // Creates, delivers and escalates alerts, each recipient's copy an item under the alert (a query lists them);
  // clears the reply's marker on the work index; keeps each staff recipient's latest outcome.
  'dispatch-alerts': {
    items: [
      { partition: 'ALERT#', actions: ['GetItem', 'Query', 'PutItem', 'UpdateItem'] },
      { partition: 'BOOKING#', actions: ['UpdateItem'] },
      { partition: 'STAFF#', actions: ['UpdateItem'] },
    ],
    queryIndexes: [WORK_INDEX],
  },
  // Claims review replies and records missed check-ins; reads sessions, message logs and screener baselines.
  'send-review-digest': {
    items: [
      { partition: 'BOOKING#', actions: ['Query', 'PutItem', 'UpdateItem'] },
      { partition: 'PATIENT#', actions: ['Query'] },
    ],
    queryIndexes: [WORK_INDEX, LIST_INDEX],
  },
  // Reads each staff recipient's latest outcome, nothing else.
  'check-staff-recipients': {
    items: [{ partition: 'STAFF#', actions: ['Query'] }],
    queryIndexes: [],
  },
  // Secrets Manager's rotation of the link-signing key: no table at all.
  'rotate-link-key': { items: [], queryIndexes: [] },
};

/** Writing its own log group. */
const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
/** Sending to an encrypted queue (its on-failure queue at least): a data key of the queue's key, through SQS. */
const QUEUE_SEND = ['sqs:SendMessage', 'kms:Decrypt', 'kms:GenerateDataKey'];
/** The table key, through DynamoDB (what CDK's grantReadWriteData gives). */
const TABLE_KEY = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];
/** Reading one secret, decrypted through Secrets Manager. */
const SECRET_READ = ['secretsmanager:GetSecretValue', 'kms:Decrypt'];
/** Messages to people: email from the clinic's identity, texts through End User Messaging. */
const PATIENT_MESSAGES = ['ses:SendEmail', 'sms-voice:SendTextMessage'];
/** Keeping one-time schedules in its own group, handing them the scheduler role. */
const SCHEDULING = ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'iam:PassRole'];

/**
 * Every action each function's role may take besides the table's item
 * actions, by what it is for; the constructs grant each on its resource
 * only. The infra test fails when a role has any action not derived from
 * `TABLE_ACCESS` and this table.
 */
export const OTHER_ACTIONS: Record<FunctionName, readonly string[]> = {
  'handle-booking-event': [
    ...LOGS,
    ...QUEUE_SEND, // and the rejected-events queue
    ...TABLE_KEY,
    ...SECRET_READ, // link signing, for messages due at once
    ...PATIENT_MESSAGES,
    ...SCHEDULING,
    'scheduler:DeleteSchedule', // a moved or cancelled booking's schedules
  ],
  'send-message': [...LOGS, ...QUEUE_SEND, ...TABLE_KEY, ...SECRET_READ, ...PATIENT_MESSAGES],
  // A readiness answer that raises a front-desk notice emails the desk.
  'handle-checkin-http': [...LOGS, ...QUEUE_SEND, ...TABLE_KEY, ...SECRET_READ, 'ses:SendEmail'],
  'handle-console-http': [
    ...LOGS,
    ...QUEUE_SEND,
    ...TABLE_KEY,
    ...SECRET_READ, // the session cookie key
    'scheduler:DeleteSchedule', // an acknowledged alert's pending escalation
  ],
  'dispatch-alerts': [
    ...LOGS,
    ...QUEUE_SEND, // and the stream's failure queue
    ...TABLE_KEY,
    'dynamodb:ListStreams',
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    ...PATIENT_MESSAGES, // the same channels for staff: SES email, texts, no topic
    ...SCHEDULING, // escalations
  ],
  'send-review-digest': [...LOGS, ...QUEUE_SEND, ...TABLE_KEY, 'ses:SendEmail'],
  // Records what providers report, sends a failed message by the other channel, emails the front desk; keeps
  // unreadable events in the rejected-events queue.
  'record-delivery-events': [...LOGS, ...QUEUE_SEND, ...TABLE_KEY, ...SECRET_READ, ...PATIENT_MESSAGES],
  // Answers a patient's text by SMS, emails the front desk of an opt-out; keeps unreadable texts in the
  // rejected-events queue.
  'receive-patient-texts': [...LOGS, ...QUEUE_SEND, ...TABLE_KEY, ...PATIENT_MESSAGES],
  // Asks SES and End User Messaging about each staff recipient; sends nothing.
  'check-staff-recipients': [
    ...LOGS,
    ...QUEUE_SEND,
    ...TABLE_KEY,
    'ses:GetSuppressedDestination',
    'ses:GetAccount',
    'ses:GetEmailIdentity',
    'sms-voice:DescribeOptedOutNumbers',
    'sms-voice:DescribeAccountAttributes',
    'sms-voice:DescribeVerifiedDestinationNumbers',
  ],
  // Reads each provider's secret, puts booking events on the bus (the hook source only), keeps unmappable
  // deliveries in the rejected-events queue.
  'handle-booking-hooks': [...LOGS, ...QUEUE_SEND, ...TABLE_KEY, ...SECRET_READ, 'events:PutEvents'],
  'rotate-link-key': [
    ...LOGS,
    ...QUEUE_SEND,
    // The link-signing secret's versions, and its key through Secrets Manager.
    'secretsmanager:DescribeSecret',
    'secretsmanager:GetSecretValue',
    'secretsmanager:PutSecretValue',
    'secretsmanager:UpdateSecretVersionStage',
    'kms:Decrypt',
    'kms:GenerateDataKey',
  ],
};

/** Every action `fn`'s role is allowed: the table's item actions and the rest. */
export function allowedActions(fn: FunctionName): Set<string> {
  const access = TABLE_ACCESS[fn];
  return new Set([
    ...access.items.flatMap((grant) => grant.actions.map((action) => `dynamodb:${action}`)),
    ...(access.queryIndexes.length > 0 ? ['dynamodb:Query'] : []),
    ...OTHER_ACTIONS[fn],
  ]);
}
