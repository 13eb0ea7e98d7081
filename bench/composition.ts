import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, EventBridgeEvent } from 'aws-lambda';
import clinicConfigInput from '../config/clinic';
import { createDispatchAlertsHandler } from '../functions/dispatch-alerts';
import { createBookingEventHandler } from '../functions/handle-booking-event';
import { createCheckinHttpHandler } from '../functions/handle-checkin-http';
import { createPatientTextsHandler } from '../functions/receive-patient-texts';
import { createDeliveryEventsHandler } from '../functions/record-delivery-events';
import { createSendMessageHandler } from '../functions/send-message';
import { createReviewDigestHandler } from '../functions/send-review-digest';
import {
  LocalDeadLetters,
  LocalOutbox,
  LocalScheduler,
  localSesEvent,
  localSmsEvent,
  localStaffNotifier,
  VirtualClock,
  withInProcessAlertDispatch,
} from '../infra/local/adapters';
import { createServiceTable, dynaliteClientConfig, startDynalite } from '../infra/local/dynalite';
import { DynamoAlertStore } from '../shared/adapters/dynamodb/alert-store';
import { DynamoBookingStore } from '../shared/adapters/dynamodb/booking-store';
import { createDocumentClient } from '../shared/adapters/dynamodb/client';
import { DynamoContactStatusStore } from '../shared/adapters/dynamodb/contact-status-store';
import { digestStores } from '../shared/adapters/dynamodb/digest-queue';
import { DynamoInboundTextStore } from '../shared/adapters/dynamodb/inbound-text-store';
import { DynamoLinkStore } from '../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../shared/adapters/dynamodb/message-log';
import { DynamoNoticeStore } from '../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../shared/adapters/dynamodb/readiness-store';
import { DynamoReplyCounts } from '../shared/adapters/dynamodb/reply-counts';
import { DynamoReplyStore } from '../shared/adapters/dynamodb/reply-store';
import { DynamoScreenerHistory } from '../shared/adapters/dynamodb/screener-history';
import { DynamoStaffSendStore } from '../shared/adapters/dynamodb/staff-send-store';
import type { ClinicConfig } from '../shared/contracts/clinic-config';
import { routeKeyOf } from '../shared/contracts/route-budgets';
import { type AlertDeps, dispatchReplyAlert } from '../shared/domain/alerts/alerts';
import { loadClinicConfig } from '../shared/domain/messages/config-validation';
import { withDueMessageSender } from '../shared/domain/messages/deliver-message';
import { gsm7Units } from '../shared/domain/messages/gsm7';
import type { Log, Mailer, Metrics, Scheduler, SmsSender, StaffNotifier } from '../shared/domain/ports';
import { shiftIso } from '../shared/domain/time';

/** What one composition counted, by driving the real handlers and adapters. */
export interface Counters {
  /** DynamoDB requests by command name (GetCommand, PutCommand, ...). */
  dynamoByCommand: Record<string, number>;
  dynamoReads: number;
  dynamoWrites: number;
  scans: number;
  /** Request units as dynalite computes them (ReturnConsumedCapacity), table only. */
  readUnits: number;
  writeUnits: number;
  /** Requests that failed (e.g. a condition); billed as one unit each. */
  dynamoErrors: number;
  /** EventBridge Scheduler API calls (CreateSchedule, UpdateSchedule on conflict, DeleteSchedule). */
  schedulerApiCalls: number;
  /** Schedules that fired (billed invocations). */
  scheduleFirings: number;
  invocations: Record<InvocationKind, number>;
  emails: number;
  smsMessages: number;
  smsSegments: number;
  /** End User Messaging SMS events published to the SMS events topic (each an SNS publish). */
  smsEvents: number;
  /** Patients' texts to the clinic's number: each an inbound message part and an SNS publish. */
  inboundSms: number;
  /** Staff alert copies, one per recipient: SES for email, SMS for phones. */
  staffEmails: number;
  staffSms: number;
  /** Bytes of JSON log lines the handlers wrote. */
  logBytes: number;
  /** Per invocation: local wall time and the AWS calls it made. */
  invocationLog: {
    kind: InvocationKind;
    ms: number;
    dynamo: number;
    scheduler: number;
    ses: number;
    sns: number;
  }[];
}

export type InvocationKind =
  | 'bookingEvents'
  | 'sendMessage'
  | 'checkinHttp'
  | 'dispatchAlerts'
  | 'sweeper'
  | 'reviewDigest'
  | 'deliveryEvents'
  | 'patientTexts';

export function emptyCounters(): Counters {
  return {
    dynamoByCommand: {},
    dynamoReads: 0,
    dynamoWrites: 0,
    scans: 0,
    readUnits: 0,
    writeUnits: 0,
    dynamoErrors: 0,
    schedulerApiCalls: 0,
    scheduleFirings: 0,
    invocations: {
      bookingEvents: 0,
      sendMessage: 0,
      checkinHttp: 0,
      dispatchAlerts: 0,
      sweeper: 0,
      reviewDigest: 0,
      deliveryEvents: 0,
      patientTexts: 0,
    },
    inboundSms: 0,
    smsEvents: 0,
    emails: 0,
    smsMessages: 0,
    smsSegments: 0,
    staffEmails: 0,
    staffSms: 0,
    logBytes: 0,
    invocationLog: [],
  };
}

const READS = new Set(['GetCommand', 'QueryCommand', 'BatchGetCommand', 'GetItemCommand']);
const WRITES = new Set([
  'PutCommand',
  'UpdateCommand',
  'DeleteCommand',
  'BatchWriteCommand',
  'PutItemCommand',
  'UpdateItemCommand',
  'DeleteItemCommand',
]);

type DocumentClient = ReturnType<typeof createDocumentClient>;
type Send = (command: { constructor: { name: string }; input: Record<string, unknown> }) => Promise<unknown>;

/**
 * Wraps a DocumentClient's `send` so every request is counted by kind and
 * asks dynalite for its consumed capacity. Get/Query are reads,
 * Put/Update/Delete writes; any Scan is counted separately (it must stay 0).
 */
export function countDynamo(db: DocumentClient, counters: Counters, capacity = true): DocumentClient {
  const original = (db.send as unknown as Send).bind(db);
  const counted: Send = async (command) => {
    const name = command.constructor.name;
    counters.dynamoByCommand[name] = (counters.dynamoByCommand[name] ?? 0) + 1;
    const isRead = READS.has(name);
    if (isRead) counters.dynamoReads++;
    else if (WRITES.has(name)) counters.dynamoWrites++;
    if (name.startsWith('Scan')) counters.scans++;
    if (capacity) command.input.ReturnConsumedCapacity = 'TOTAL';
    try {
      const output = (await original(command)) as { ConsumedCapacity?: { CapacityUnits?: number } };
      // DynamoDB bills at least one unit a request (half for an eventually consistent read), even when a
      // query finds nothing; dynalite answers 0 for an empty query.
      const minimum = isRead ? (command.input.ConsistentRead ? 1 : 0.5) : 1;
      const units = Math.max(output.ConsumedCapacity?.CapacityUnits ?? 0, minimum);
      if (isRead) counters.readUnits += units;
      else counters.writeUnits += units;
      return output;
    } catch (error) {
      counters.dynamoErrors++;
      if (isRead) counters.readUnits += 0.5;
      else counters.writeUnits += 1;
      throw error;
    }
  };
  (db as unknown as { send: Send }).send = counted;
  return db;
}

/** GSM-7 segments (160 single, 153 concatenated) or UCS-2 (70 / 67). */
export function smsSegments(text: string): number {
  const units = gsm7Units(text);
  if (units !== undefined) return units <= 160 ? 1 : Math.ceil(units / 153);
  const length = [...text].length;
  return length <= 70 ? 1 : Math.ceil(length / 67);
}

export interface BenchRuntime {
  /** The clinic config the handlers run with (the bundled default). */
  config: ClinicConfig;
  counters: Counters;
  clock: VirtualClock;
  outbox: LocalOutbox;
  scheduler: LocalScheduler;
  deadLetters: LocalDeadLetters;
  /** The handlers, each wrapped to count and time its invocations. */
  putEvent(source: string, detailType: string, detail: unknown): Promise<unknown>;
  checkinHttp(
    method: string,
    path: string,
    body?: string,
    contentType?: string,
  ): Promise<APIGatewayProxyStructuredResultV2>;
  /** Fires every message and escalation schedule due up to `to`, in time order (no sweeper, no digest). */
  advanceTo(to: string): Promise<number>;
  sweep(): Promise<unknown>;
  digest(): Promise<unknown>;
  /**
   * Plays, through the delivery-events function, what the providers report of every patient message not yet
   * reported: SES's Delivery for an email; End User Messaging's TEXT_SUCCESSFUL and TEXT_DELIVERED for a text
   * (some countries send both), each an SNS publish and an invocation.
   */
  reportDeliveries(): Promise<number>;
  /** A patient's text to the clinic's number, through the patient-texts function as the two-way topic hands it over. */
  textIn(from: string, body: string): Promise<unknown>;
  /** Starts an HTTP server on 127.0.0.1 serving `/c/{token}` like the local runtime. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

export interface BenchRuntimeOptions {
  clockStart: string;
  /** Called the moment a staff message is handed to the staff-topic adapter. */
  onStaffSend?: (topic: string, message: { subject: string; text: string }) => void;
  /** Base of links in messages. @default http://127.0.0.1 (the server's URL once `listen` ran) */
  linkBaseUrl?: string;
  /** Ask dynalite for consumed capacity on every request. @default true */
  capacity?: boolean;
}

/**
 * The local runtime's composition (infra/local/runtime.ts) rebuilt here so the
 * benchmark can wrap what the runtime keeps private: the DocumentClient's
 * `send`, the Scheduler, the mailer, the SMS sender and the staff notifier.
 * The handlers, stores and local adapters are the project's own.
 */
export async function startBenchRuntime(options: BenchRuntimeOptions): Promise<BenchRuntime> {
  const counters = emptyCounters();
  const config = loadClinicConfig(clinicConfigInput);
  const dynamo = await startDynalite();
  const tableName = 'clinic-followup';
  await createServiceTable(dynamo.endpoint, tableName);
  const db = countDynamo(
    createDocumentClient(dynaliteClientConfig(dynamo.endpoint)),
    counters,
    options.capacity ?? true,
  );
  const clock = new VirtualClock(options.clockStart);
  const scheduler = new LocalScheduler();
  const outbox = new LocalOutbox(clock);
  const deadLetters = new LocalDeadLetters();
  const signingKey = randomBytes(32);
  const links = { base: options.linkBaseUrl ?? 'http://127.0.0.1' };

  const countScheduler = <P>(inner: Scheduler<P>): Scheduler<P> => ({
    upsert: async (schedule) => {
      // CreateSchedule, and UpdateSchedule after a ConflictException when the name exists.
      const exists = scheduler.pending().some((s) => s.name === schedule.name);
      counters.schedulerApiCalls += exists ? 2 : 1;
      await inner.upsert(schedule);
    },
    remove: async (name) => {
      counters.schedulerApiCalls++;
      await inner.remove(name);
    },
  });
  const mailer: Mailer = {
    send: async (email) => {
      counters.emails++;
      return outbox.mailer.send(email);
    },
  };
  const sms: SmsSender = {
    send: async (message) => {
      counters.smsMessages++;
      counters.smsSegments += smsSegments(message.text);
      return outbox.smsSender.send(message);
    },
  };
  const localStaff = localStaffNotifier(outbox, clock);
  const staff: StaffNotifier = {
    send: async (recipient, message) => {
      if (recipient.channel === 'email') counters.staffEmails++;
      else counters.staffSms++;
      options.onStaffSend?.(message.topic, message);
      return localStaff.send(recipient, message);
    },
  };
  const log: Log = {
    info: (message, fields) => countLog(counters, 'INFO', message, fields),
    warn: (message, fields) => countLog(counters, 'WARN', message, fields),
    error: (message, fields) => countLog(counters, 'ERROR', message, fields),
  };
  const metrics: Metrics = { count: () => {}, flush: () => {} };

  const deps = withDueMessageSender({
    config,
    clock,
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    messageLog: new DynamoMessageLog(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    signingKey: { get: async () => signingKey },
    get linkBaseUrl() {
      return links.base;
    },
    mailer,
    sms,
    readiness: new DynamoReadinessStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    get consoleBaseUrl() {
      return links.base;
    },
    scheduler: countScheduler(scheduler.messages),
    deadLetters,
    metrics,
    log,
  });
  const alertStore = new DynamoAlertStore(db, tableName);
  const alertDeps: AlertDeps = {
    ...deps,
    get linkBaseUrl() {
      return links.base;
    },
    alerts: alertStore,
    sends: new DynamoStaffSendStore(db, tableName),
    staff,
    scheduler: countScheduler(scheduler.alerts),
  };
  const replyStore = new DynamoReplyStore(db, tableName);
  // As in the local runtime: the table's stream is played by an in-process dispatch right after the write.
  // On AWS that dispatch is its own Lambda invocation (the stream's event source mapping).
  const replies = withInProcessAlertDispatch(
    replyStore,
    (reply) => {
      counters.invocations.dispatchAlerts++;
      return dispatchReplyAlert(alertDeps, reply);
    },
    () => log.warn('in-process alert dispatch failed'),
  );
  const bookingEvents = createBookingEventHandler(deps);
  const sendMessage = createSendMessageHandler(deps);
  const recordDeliveries = createDeliveryEventsHandler({
    ...deps,
    deliveries: new DynamoMessageLog(db, tableName),
    contacts: new DynamoContactStatusStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    get consoleBaseUrl() {
      return links.base;
    },
  });
  const receiveTexts = createPatientTextsHandler({
    ...deps,
    sentTexts: new DynamoMessageLog(db, tableName),
    texts: new DynamoInboundTextStore(db, tableName),
    replies,
    alerts: alertStore,
    contacts: new DynamoContactStatusStore(db, tableName),
    newId: randomUUID,
  });
  const reported = new Set<string>();
  const dispatchAlerts = createDispatchAlertsHandler(alertDeps);
  const reviewDigest = createReviewDigestHandler({
    ...deps,
    replies: replyStore,
    ...digestStores(db, tableName),
    newId: randomUUID,
  });
  const checkin = createCheckinHttpHandler({
    ...deps,
    replies,
    alerts: alertStore,
    screeners: new DynamoScreenerHistory(db, tableName),
    replyCounts: new DynamoReplyCounts(db, tableName),
    newId: randomUUID,
  });

  /** Runs one invocation, counting it and the AWS calls it made (sequential use only for the per-call log). */
  async function invoke<T>(kind: InvocationKind, run: () => Promise<T>): Promise<T> {
    const before = snapshot(counters);
    const started = performance.now();
    counters.invocations[kind]++;
    try {
      return await run();
    } finally {
      const after = snapshot(counters);
      counters.invocationLog.push({
        kind,
        ms: performance.now() - started,
        dynamo: after.dynamo - before.dynamo,
        scheduler: after.scheduler - before.scheduler,
        ses: after.ses - before.ses,
        sns: after.sns - before.sns,
      });
    }
  }

  const checkinHttp = (method: string, path: string, body?: string, contentType?: string) =>
    invoke('checkinHttp', () =>
      checkin({
        rawPath: path,
        routeKey: routeKeyOf(method, path),
        headers: contentType ? { 'content-type': contentType } : {},
        pathParameters: { token: path.split('/')[2] ?? '' },
        requestContext: { http: { method } },
        ...(body === undefined ? {} : { body }),
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2),
    );

  let server: Server | undefined;

  return {
    config,
    counters,
    clock,
    outbox,
    scheduler,
    deadLetters,
    putEvent: (source, detailType, detail) =>
      invoke('bookingEvents', () =>
        bookingEvents({
          id: randomUUID(),
          source,
          'detail-type': detailType,
          detail,
          time: clock.now(),
        } as EventBridgeEvent<string, unknown>),
      ),
    checkinHttp,
    advanceTo: async (to) => {
      let fired = 0;
      for (;;) {
        const due = scheduler.takeNextDue(to);
        if (!due) break;
        clock.moveTo(due.fireAt);
        counters.scheduleFirings++;
        fired++;
        try {
          if (due.target === 'send-message') await invoke('sendMessage', () => sendMessage(due.payload));
          else await invoke('dispatchAlerts', () => dispatchAlerts(due.payload));
        } catch {
          if (due.attempts < 2) scheduler.retry(due, shiftIso(clock.now(), { minutes: 1 }));
        }
      }
      clock.moveTo(to);
      return fired;
    },
    sweep: () => invoke('sweeper', () => dispatchAlerts({ sweep: true })),
    digest: () => invoke('reviewDigest', () => reviewDigest()),
    reportDeliveries: async () => {
      let played = 0;
      for (const entry of [...outbox.entries]) {
        if (entry.channel === 'staff' || !entry.deliveryId || reported.has(entry.deliveryId)) continue;
        reported.add(entry.deliveryId);
        const sent = { to: entry.to, deliveryId: entry.deliveryId, at: entry.at };
        const payloads =
          entry.channel === 'email'
            ? [localSesEvent('delivery', sent, clock.now())]
            : [
                localSmsEvent('delivered', sent, clock.now()),
                localSmsEvent('delivered', sent, clock.now(), 'TEXT_SUCCESSFUL'),
              ];
        for (const payload of payloads) {
          if (entry.channel === 'sms') counters.smsEvents++;
          await invoke('deliveryEvents', () => recordDeliveries(payload));
          played++;
        }
      }
      return played;
    },
    textIn: (from, body) => {
      counters.inboundSms++;
      return invoke('patientTexts', () =>
        receiveTexts({
          Records: [
            {
              Sns: {
                Message: JSON.stringify({
                  originationNumber: from,
                  destinationNumber: '+18005550100',
                  messageBody: body,
                  inboundMessageId: randomUUID(),
                }),
                Timestamp: clock.now(),
              },
            },
          ],
        }),
      );
    },
    listen: async () => {
      server = createServer((req, res) => {
        servePatientLink(req)
          .then((result) => {
            res.writeHead(result.statusCode ?? 200, {
              'content-type': String(result.headers?.['Content-Type'] ?? 'application/json'),
            });
            res.end(result.body ?? '');
          })
          .catch(() => {
            res.writeHead(500, { 'content-type': 'application/json' });
            res.end('{"error":"internal error"}');
          });
      });
      const listening = server;
      await new Promise<void>((resolve, reject) => {
        listening.once('error', reject);
        listening.listen(0, '127.0.0.1', () => resolve());
      });
      links.base = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
      return links.base;
    },
    close: async () => {
      const open = server;
      if (open) await new Promise<void>((resolve) => open.close(() => resolve()));
      db.destroy();
      await dynamo.close();
    },
  };

  /** The same hand-over to the HTTP API handler as the local runtime's server does. */
  async function servePatientLink(req: IncomingMessage): Promise<APIGatewayProxyStructuredResultV2> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const path = new URL(req.url ?? '/', 'http://local').pathname;
    if (!/^\/(c|i|a|r)\/[^/]+$/.test(path)) return { statusCode: 404, body: '{"error":"no route"}' };
    const contentType = req.headers['content-type'];
    return checkinHttp(req.method ?? 'GET', path, Buffer.concat(chunks).toString('utf8'), contentType);
  }
}

function snapshot(counters: Counters) {
  return {
    dynamo: counters.dynamoReads + counters.dynamoWrites + counters.scans,
    scheduler: counters.schedulerApiCalls,
    ses: counters.emails + counters.staffEmails,
    sns: counters.smsMessages + counters.staffSms,
  };
}

function countLog(counters: Counters, level: string, message: string, fields?: Record<string, unknown>) {
  // What Powertools' logger would write: level, message, timestamp, service, request id and the fields.
  counters.logBytes +=
    Buffer.byteLength(JSON.stringify({ level, message, ...fields })) +
    '"timestamp":"2026-01-01T00:00:00.000Z","service":"clinic-followup","xray_trace_id":"","function_request_id":"00000000-0000-0000-0000-000000000000",'
      .length;
}
