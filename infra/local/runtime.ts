import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, EventBridgeEvent } from 'aws-lambda';
import { DateTime } from 'luxon';
import clinicConfigInput from '../../config/clinic';
import { createRecipientCheckHandler } from '../../functions/check-staff-recipients';
import { createDispatchAlertsHandler } from '../../functions/dispatch-alerts';
import { createBookingEventHandler } from '../../functions/handle-booking-event';
import { createBookingHooksHandler } from '../../functions/handle-booking-hooks';
import { createCheckinHttpHandler } from '../../functions/handle-checkin-http';
import { createConsoleHttpHandler } from '../../functions/handle-console-http';
import { createPatientTextsHandler } from '../../functions/receive-patient-texts';
import { createDeliveryEventsHandler } from '../../functions/record-delivery-events';
import { createRotateLinkKeyHandler } from '../../functions/rotate-link-key';
import { createSendMessageHandler } from '../../functions/send-message';
import { createReviewDigestHandler } from '../../functions/send-review-digest';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { DynamoBookingActivity } from '../../shared/adapters/dynamodb/booking-activity';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { createDocumentClient } from '../../shared/adapters/dynamodb/client';
import { DynamoContactStatusStore } from '../../shared/adapters/dynamodb/contact-status-store';
import { digestStores } from '../../shared/adapters/dynamodb/digest-queue';
import { dynamoExportSource } from '../../shared/adapters/dynamodb/export-source';
import {
  DynamoHookBookingStore,
  DynamoPatientIdKey,
} from '../../shared/adapters/dynamodb/hook-booking-store';
import { DynamoInboundTextStore } from '../../shared/adapters/dynamodb/inbound-text-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoMissedCheckinStore } from '../../shared/adapters/dynamodb/missed-checkin-store';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../../shared/adapters/dynamodb/readiness-store';
import { DynamoReplyCounts } from '../../shared/adapters/dynamodb/reply-counts';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { DynamoScreenerHistory } from '../../shared/adapters/dynamodb/screener-history';
import { DynamoStaffSendStore } from '../../shared/adapters/dynamodb/staff-send-store';
import { DynamoStaffSessionStore } from '../../shared/adapters/dynamodb/staff-session-store';
import { OidcIdentityProvider } from '../../shared/adapters/identity/oidc-identity-provider';
import { HOOK_EVENT_SOURCE, MAX_EVENT_BYTES } from '../../shared/contracts/booking-events';
import type { ClinicConfig } from '../../shared/contracts/clinic-config';
import { ROUTE_BUDGETS, RouteThrottle, routeKeyOf } from '../../shared/contracts/route-budgets';
import { type AlertDeps, dispatchReplyAlert } from '../../shared/domain/alerts/alerts';
import { nextDigestAt } from '../../shared/domain/alerts/send-review-digest';
import type { EventOutcome } from '../../shared/domain/booking/process-booking-event';
import { contactDigest } from '../../shared/domain/contacts';
import { parseExportWindow } from '../../shared/domain/exports/export-window';
import { toJsonOrUndefined } from '../../shared/domain/json';
import { loadClinicConfig } from '../../shared/domain/messages/config-validation';
import { withDueMessageSender } from '../../shared/domain/messages/deliver-message';
import { helpKeywordText, intentOf, unknownSenderKey } from '../../shared/domain/messages/inbound-sms';
import { parseLinkSecret, signingKeysOf } from '../../shared/domain/messages/link-secret';
import type { ReadinessCheckPayload, SchedulePayload } from '../../shared/domain/ports';
import { nextLocalTimeAfter, shiftIso } from '../../shared/domain/time';
import { auditedBulkExport } from '../../shared/web/fhir/bulk-export';
import type { FunctionName } from '../function-permissions';
import {
  type AddressFault,
  clockTarget,
  type FaultChannel,
  LOCAL_EMAIL_EVENTS,
  LOCAL_SMS_EVENTS,
  LocalDeadLetters,
  LocalOutbox,
  LocalScheduler,
  LocalSecretVersions,
  latestSentTo,
  localSesEvent,
  localSmsEvent,
  localStaffNotifier,
  localStaffReachability,
  VirtualClock,
  withInProcessAlertDispatch,
} from './adapters';
import { createServiceTable, dynaliteClientConfig, startDynalite } from './dynalite';
import { renderHomePage } from './home-page';
import { LOCAL_CLIENT_ID, localIdentityProvider } from './oidc-provider';
import { recordTableCalls, type TableCall } from './table-calls';

export interface LocalRuntimeOptions {
  /** TCP port on 127.0.0.1; 0 picks a free one. @default 3000 */
  port?: number;
  /** Start of the virtual clock (ISO). @default the real time */
  clockStart?: string;
  /** Seed a demo booking so the flow shows at once. @default true */
  demo?: boolean;
  /** The clinic config. @default config/clinic.ts */
  config?: ClinicConfig;
  /** The password of the local staff accounts. @default LOCAL_STAFF_PASSWORD, else "local-staff" */
  staffPassword?: string;
  /** Per-route request budgets as on AWS (DESIGN section 8). @default on, unless LOCAL_THROTTLE=0 */
  throttle?: boolean;
  /** Told of every DynamoDB call each function's composition makes (tests of the IAM grants). */
  onTableCall?: (call: TableCall) => void;
}

export interface LocalRuntime {
  url: string;
  close(): Promise<void>;
}

/** Lambda retries a failed async invocation twice, about a minute apart, then uses the on-failure destination. */
const ASYNC_ATTEMPTS = 3;
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * The local composition root: the same handlers and DynamoDB adapter as on
 * AWS, against dynalite on loopback, with local stand-ins for the bus,
 * Scheduler, SES, SNS and the DLQs, and a virtual clock.
 */
export async function startLocalRuntime(options: LocalRuntimeOptions = {}): Promise<LocalRuntime> {
  const config = options.config ?? loadClinicConfig(clinicConfigInput);
  const dynamo = await startDynalite();
  const tableName = 'clinic-followup';
  await createServiceTable(dynamo.endpoint, tableName);
  // One client per function, as each Lambda has its own: a test can then hold each one's calls against
  // that function's IAM grants. `local` serves the /local/* endpoints, which no function has.
  const clients: DynamoDBDocumentClient[] = [];
  const dbOf = (fn: FunctionName | 'local') => {
    const client = createDocumentClient(dynaliteClientConfig(dynamo.endpoint));
    if (options.onTableCall) recordTableCalls(client, fn, options.onTableCall);
    clients.push(client);
    return client;
  };

  const clock = new VirtualClock(options.clockStart);
  const scheduler = new LocalScheduler();
  const outbox = new LocalOutbox(clock);
  const deadLetters = new LocalDeadLetters();
  // The link-signing secret: a random key per start; POST /local/keys/rotate runs the rotation function.
  const linkSecret = new LocalSecretVersions(
    JSON.stringify({ current: { id: 1, key: randomBytes(48).toString('base64url') } }),
  );
  const rotateLinkKey = createRotateLinkKeyHandler({
    secrets: linkSecret,
    freshKey: () => randomBytes(48).toString('base64url'),
    log: jsonLog,
  });
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  /** What send-message needs, with the stores on `db`; booking-events adds scheduling and the rejected-events sink. */
  const messagingDeps = (db: DynamoDBDocumentClient) =>
    withDueMessageSender({
      config,
      clock,
      bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
      messageLog: new DynamoMessageLog(db, tableName),
      links: new DynamoLinkStore(db, tableName),
      signingKey: { get: async () => signingKeysOf(parseLinkSecret(linkSecret.current())) },
      linkBaseUrl: url,
      mailer: outbox.mailer,
      sms: outbox.smsSender,
      scheduler: scheduler.messages,
      deadLetters,
      readiness: new DynamoReadinessStore(db, tableName),
      notices: new DynamoNoticeStore(db, tableName),
      consoleBaseUrl: url,
      metrics: { count: () => {}, flush: () => {} },
      log: jsonLog,
    });
  const deps = messagingDeps(dbOf('handle-booking-event'));
  const alertsDb = dbOf('dispatch-alerts');
  const alertDeps: AlertDeps = {
    ...deps,
    alerts: new DynamoAlertStore(alertsDb, tableName),
    sends: new DynamoStaffSendStore(alertsDb, tableName),
    staff: localStaffNotifier(outbox, clock),
    scheduler: scheduler.alerts,
  };
  const checkinDb = dbOf('handle-checkin-http');
  // The stream's work, done in-process: dispatch-alerts' stores, not the check-in function's.
  const replies = withInProcessAlertDispatch(
    new DynamoReplyStore(checkinDb, tableName),
    (reply) => dispatchReplyAlert(alertDeps, reply),
    () => jsonLog.warn('in-process alert dispatch failed', {}),
  );
  const bookingEvents = createBookingEventHandler(deps);
  const sendMessage = createSendMessageHandler(messagingDeps(dbOf('send-message')));
  const dispatchAlerts = createDispatchAlertsHandler(alertDeps);
  const digestDb = dbOf('send-review-digest');
  const reviewDigest = createReviewDigestHandler({
    ...messagingDeps(digestDb),
    replies: new DynamoReplyStore(digestDb, tableName),
    ...digestStores(digestDb, tableName),
    newId: randomUUID,
  });
  let digestAt = Date.parse(nextDigestAt(config, clock.now()));
  // The daily staff recipient check: local faults stand in for SES's and SNS's lists; findings go to the log.
  const recipientCheck = createRecipientCheckHandler({
    config,
    recipients: new DynamoStaffSendStore(dbOf('check-staff-recipients'), tableName),
    reachability: localStaffReachability(outbox),
    metrics: { count: () => {}, flush: () => {} },
    log: jsonLog,
  });
  const nextRecipientCheckAt = () =>
    Date.parse(nextLocalTimeAfter(config.staff.recipientCheckTime, config.clinic.timeZone, clock.now()));
  let recipientCheckAt = nextRecipientCheckAt();
  // Provider delivery events, played by POST /local/email/events and /local/sms/events in AWS's shapes.
  const deliveryDb = dbOf('record-delivery-events');
  const recordDeliveries = createDeliveryEventsHandler({
    ...messagingDeps(deliveryDb),
    deliveries: new DynamoMessageLog(deliveryDb, tableName),
    contacts: new DynamoContactStatusStore(deliveryDb, tableName),
    notices: new DynamoNoticeStore(deliveryDb, tableName),
    consoleBaseUrl: url,
  });
  // A bouncing address or an unreachable phone takes the message; the provider's event follows, as on AWS.
  outbox.onReported = (channel, to, fault) => {
    const type = fault === 'bounce' ? 'bounce' : 'unreachable';
    setImmediate(() => {
      playDelivery(channel, { to, type }).catch(() =>
        jsonLog.warn('local delivery event failed', { channel }),
      );
    });
  };
  /** Plays one provider report on the latest message to `to`; its outbox entry shows the status that stands. */
  async function playDelivery(channel: 'email' | 'sms', body: unknown): Promise<Reply> {
    const { to, type } = (body ?? {}) as Record<string, unknown>;
    const types: readonly string[] = channel === 'email' ? LOCAL_EMAIL_EVENTS : LOCAL_SMS_EVENTS;
    if (typeof to !== 'string' || to.trim() === '')
      return json(400, { error: 'to: must be an address or phone' });
    if (typeof type !== 'string' || !types.includes(type)) {
      return json(400, { error: `type: must be one of ${types.join(', ')}` });
    }
    const sent = latestSentTo(outbox, channel, to);
    if (!sent) return json(404, { error: `to: no ${channel === 'email' ? 'email' : 'SMS'} was sent there` });
    const payload =
      channel === 'email'
        ? localSesEvent(type as (typeof LOCAL_EMAIL_EVENTS)[number], sent, clock.now())
        : localSmsEvent(type as (typeof LOCAL_SMS_EVENTS)[number], sent, clock.now());
    const [outcome] = await recordDeliveries(payload);
    if (outcome && 'status' in outcome) sent.delivery = outcome.status;
    return json(200, { ...outcome, deliveryId: sent.deliveryId, delivery: sent.delivery });
  }
  // Patients' texts to the clinic's number, played by POST /local/sms/inbound as the two-way SNS topic hands them over.
  const textsDb = dbOf('receive-patient-texts');
  const receiveTexts = createPatientTextsHandler({
    ...messagingDeps(textsDb),
    sentTexts: new DynamoMessageLog(textsDb, tableName),
    texts: new DynamoInboundTextStore(textsDb, tableName),
    replies: withInProcessAlertDispatch(
      new DynamoReplyStore(textsDb, tableName),
      (reply) => dispatchReplyAlert(alertDeps, reply),
      () => jsonLog.warn('in-process alert dispatch failed', {}),
    ),
    alerts: new DynamoAlertStore(textsDb, tableName),
    contacts: new DynamoContactStatusStore(textsDb, tableName),
    notices: new DynamoNoticeStore(textsDb, tableName),
    consoleBaseUrl: url,
    deadLetters,
    newId: randomUUID,
  });
  /** A patient's text: End User Messaging's part first (its opt-out list, the HELP keyword), then ours. */
  async function playInboundText(body: unknown): Promise<Reply> {
    const { from, body: text } = (body ?? {}) as Record<string, unknown>;
    if (typeof from !== 'string' || !/^\+[1-9]\d{6,14}$/.test(from.trim()))
      return json(400, { error: 'from: must be an E.164 phone number' });
    if (typeof text !== 'string') return json(400, { error: 'body: must be the text' });
    const phone = from.trim();
    const intent = intentOf(text, config.sms.numberType);
    if (intent.type === 'opt-out') outbox.addressFaults.set(`sms:${phone}`, 'opted-out');
    if (intent.type === 'opt-in' && outbox.addressFaults.get(`sms:${phone}`) === 'opted-out')
      outbox.addressFaults.delete(`sms:${phone}`);
    if (intent.type === 'help') {
      outbox.entries.push({
        channel: 'sms',
        to: phone,
        kind: 'help-keyword',
        text: helpKeywordText(config),
        at: clock.now(),
        delivery: 'sent',
      });
    }
    const message = {
      originationNumber: phone,
      destinationNumber: LOCAL_CLINIC_NUMBER,
      messageKeyword: 'KEYWORD_LOCAL',
      messageBody: text,
      inboundMessageId: randomUUID(),
    };
    // A number not on file keeps its texts under its own key: /local/replies and /local/alerts list them too.
    knownBookings.add(unknownSenderKey(contactDigest('sms', phone)));
    const [outcome] = await receiveTexts({
      Records: [{ Sns: { Message: JSON.stringify(message), Timestamp: clock.now() } }],
    });
    return json(200, { outcome });
  }
  const identityProvider = await localIdentityProvider(
    url,
    options.staffPassword ?? process.env.LOCAL_STAFF_PASSWORD ?? DEFAULT_STAFF_PASSWORD,
  );
  const consoleKey = randomBytes(32);
  const consoleDb = dbOf('handle-console-http');
  const consoleReplies = new DynamoReplyStore(consoleDb, tableName);
  const consoleHttp = createConsoleHttpHandler({
    config,
    clock,
    alerts: new DynamoAlertStore(consoleDb, tableName),
    replies: consoleReplies,
    reviews: consoleReplies,
    exportSource: dynamoExportSource(consoleDb, tableName, config.clinic.timeZone),
    missed: new DynamoMissedCheckinStore(consoleDb, tableName),
    patients: new DynamoScreenerHistory(consoleDb, tableName),
    replyCounts: new DynamoReplyCounts(consoleDb, tableName),
    activity: new DynamoBookingActivity(consoleDb, tableName),
    bookings: new DynamoBookingStore(consoleDb, tableName, { clinicTimeZone: config.clinic.timeZone }),
    audit: new DynamoAuditLog(consoleDb, tableName),
    sends: new DynamoStaffSendStore(consoleDb, tableName),
    notices: new DynamoNoticeStore(consoleDb, tableName),
    sessions: new DynamoStaffSessionStore(consoleDb, tableName),
    escalations: scheduler.alerts,
    identity: new OidcIdentityProvider({
      issuer: identityProvider.issuer,
      clientId: LOCAL_CLIENT_ID,
      redirectUri: `${url}/console/callback`,
      allowLoopbackHttp: true,
    }),
    cookieKey: { get: async () => consoleKey },
    baseUrl: url,
    log: jsonLog,
  });
  const checkinHttp = createCheckinHttpHandler({
    ...messagingDeps(checkinDb),
    replies,
    alerts: new DynamoAlertStore(checkinDb, tableName),
    screeners: new DynamoScreenerHistory(checkinDb, tableName),
    replyCounts: new DynamoReplyCounts(checkinDb, tableName),
    newId: randomUUID,
  });
  // What the /local/* endpoints read, outside any function.
  const localDb = dbOf('local');
  const replyStore = new DynamoReplyStore(localDb, tableName);
  const noticeStore = new DynamoNoticeStore(localDb, tableName);
  const alertStore = new DynamoAlertStore(localDb, tableName);
  /** Bookings seen through /local/events, so /local/replies can query each one (no scan). */
  const knownBookings = new Set<string>();

  async function putEvent(entry: unknown): Promise<EventOutcome> {
    // An entry too deeply nested to serialise again is no event either: validation rejects it with its field.
    const text = toJsonOrUndefined(entry);
    if (text !== undefined && Buffer.byteLength(text) > MAX_EVENT_BYTES) {
      const error = 'entry: larger than 256 KB';
      await deadLetters.keep({ source: 'booking-events', reason: error, at: clock.now() });
      return { status: 'rejected', error, errors: [{ field: 'entry', message: 'larger than 256 KB' }] };
    }
    const { Source, DetailType, Detail } = (entry ?? {}) as Record<string, unknown>;
    const bookingId = bookingIdOf(Detail);
    if (bookingId) knownBookings.add(bookingId);
    const event = {
      id: randomUUID(),
      source: Source,
      'detail-type': DetailType,
      detail: Detail,
      time: clock.now(),
    } as EventBridgeEvent<string, unknown>;
    return bookingEvents(event);
  }

  // Booking webhooks: the same function as on AWS; its PutEvents is the local bus, which runs booking-events.
  const hooksDb = dbOf('handle-booking-hooks');
  const hooksHttp = createBookingHooksHandler({
    config,
    clock,
    source: HOOK_EVENT_SOURCE,
    versions: new DynamoHookBookingStore(hooksDb, tableName),
    patientIdKey: new DynamoPatientIdKey(hooksDb, tableName),
    publish: async (events) => {
      for (const event of events) {
        await putEvent({ Source: event.source, DetailType: event.detailType, Detail: event.detail });
      }
    },
    deadLetters,
    secrets: {
      calcom: async () => config.hooks.local.calcomSecret,
      fhirTokens: async () => ({ local: config.hooks.local.fhirToken }),
    },
    metrics: { count: () => {}, flush: () => {} },
    log: jsonLog,
  });

  const pendingSchedules = () =>
    scheduler
      .pending()
      .map((s) =>
        s.target === 'send-message'
          ? { bookingId: s.payload.bookingId, kind: scheduledKind(s.payload), at: s.fireAt }
          : { bookingId: '', kind: 'escalation', at: s.fireAt, alertId: s.payload.alertId },
      );

  /** The sweeper runs on whole virtual minutes; the next run that has work to find, if any. */
  let lastSweep = Number.NEGATIVE_INFINITY;
  async function nextSweepAt(): Promise<number | undefined> {
    const dueAt = await alertStore.nextDueAt();
    if (dueAt === undefined) return undefined;
    const minute = 60_000;
    const earliest = Math.max(Date.parse(dueAt), Date.parse(clock.now()), lastSweep + minute);
    return Math.ceil(earliest / minute) * minute;
  }

  /** Fires every schedule due up to `to` in time order through the real handlers, and the sweeper each minute. */
  async function advanceClock(to: string) {
    const fired: { bookingId: string; kind: string; at: string; alertId?: string }[] = [];
    const until = Date.parse(to);
    for (;;) {
      const next = scheduler.pending()[0];
      const nextFire = next ? Date.parse(next.fireAt) : Number.POSITIVE_INFINITY;
      const sweepAt = (await nextSweepAt()) ?? Number.POSITIVE_INFINITY;
      if (Math.min(nextFire, sweepAt, digestAt, recipientCheckAt) > until) break;
      if (recipientCheckAt < Math.min(nextFire, sweepAt, digestAt)) {
        clock.moveTo(new Date(recipientCheckAt).toISOString());
        await recipientCheck().catch(() => jsonLog.warn('staff recipient check failed', {}));
        recipientCheckAt = nextRecipientCheckAt();
        continue;
      }
      if (digestAt < Math.min(nextFire, sweepAt)) {
        clock.moveTo(new Date(digestAt).toISOString());
        await reviewDigest().catch(() => jsonLog.warn('review digest failed', {}));
        digestAt = Date.parse(nextDigestAt(config, clock.now()));
        continue;
      }
      if (sweepAt < nextFire) {
        clock.moveTo(new Date(sweepAt).toISOString());
        lastSweep = sweepAt;
        await dispatchAlerts({ sweep: true }).catch(() => undefined);
        continue;
      }
      const due = scheduler.takeNextDue(to);
      if (!due) break;
      clock.moveTo(due.fireAt);
      fired.push(
        due.target === 'send-message'
          ? { bookingId: due.payload.bookingId, kind: scheduledKind(due.payload), at: clock.now() }
          : { bookingId: '', kind: 'escalation', at: clock.now(), alertId: due.payload.alertId },
      );
      try {
        if (due.target === 'send-message') await sendMessage(due.payload);
        else await dispatchAlerts(due.payload);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (due.attempts + 1 < ASYNC_ATTEMPTS) {
          scheduler.retry(due, shiftIso(clock.now(), { minutes: 1 }));
        } else {
          await deadLetters.keep({ source: due.target, reason, at: clock.now(), detail: due.payload });
        }
      }
    }
    clock.moveTo(to);
    return { now: clock.now(), fired };
  }

  const routes: Record<string, (body: unknown, viaForm: boolean) => Promise<Reply>> = {
    'POST /local/events': async (body) => {
      const entries = Array.isArray(body) ? body : [body];
      const results = [];
      for (const entry of entries) results.push(toResult(await putEvent(entry)));
      return json(200, { results });
    },
    'GET /local/clock': async () => json(200, { now: clock.now() }),
    'POST /local/keys/rotate': async () => {
      // The rotation function's four steps, as Secrets Manager runs them.
      const version = randomUUID();
      linkSecret.startRotation(version);
      for (const Step of ['createSecret', 'setSecret', 'testSecret', 'finishSecret']) {
        await rotateLinkKey({ SecretId: 'local-link-key', ClientRequestToken: version, Step });
      }
      const keys = parseLinkSecret(linkSecret.current());
      return json(200, { current: keys.current.id, previous: keys.previous?.id });
    },
    // Browsers ask for it on every page; an empty answer keeps their consoles free of errors.
    'GET /favicon.ico': async () => ({ status: 204, type: 'image/x-icon', body: '' }),
    'POST /local/clock': async (body, viaForm) => {
      const target = clockTarget(clock, body);
      if (!target.ok) return json(400, { error: target.error });
      const result = await advanceClock(target.to);
      return viaForm ? redirect('/') : json(200, result);
    },
    'GET /local/schedules': async () => json(200, pendingSchedules()),
    // FHIR Bulk Data of a window (DESIGN section 12): each type's NDJSON; audited as the console's downloads are.
    'GET /local/export/fhir': async (query) => {
      const { since, until } = (query ?? {}) as { since?: string; until?: string };
      const parsed = parseExportWindow({ since, until }, config.clinic.timeZone, clock.now());
      if (!parsed.ok) return json(400, { errors: parsed.errors });
      const files = await auditedBulkExport({
        base: { url: `${url}/fhir` },
        source: dynamoExportSource(localDb, tableName, config.clinic.timeZone),
        window: parsed.window,
        config,
        audit: new DynamoAuditLog(localDb, tableName),
        entry: {
          at: clock.now(),
          page: '/local/export/fhir',
          user: { subject: 'local', email: 'local-runtime' },
          origin: { ip: '127.0.0.1', userAgent: 'local', requestId: randomUUID() },
        },
      });
      return json(200, files);
    },
    'POST /local/email/events': (body) => playDelivery('email', body),
    'POST /local/sms/events': (body) => playDelivery('sms', body),
    'POST /local/sms/inbound': (body) => playInboundText(body),
    'GET /local/outbox': async () => json(200, outbox.entries),
    'GET /local/dlq': async () => json(200, deadLetters.letters),
    'GET /local/notices': async () =>
      json(
        200,
        (await noticeStore.open(500)).map(({ noticeId, bookingId, reason, kind, at, state }) => ({
          noticeId,
          bookingId,
          reason,
          kind,
          at,
          state,
        })),
      ),
    'GET /local/alerts': async () => {
      const all = (await Promise.all([...knownBookings].map((id) => replyStore.listForBooking(id)))).flat();
      const alerts = [];
      for (const reply of all.filter((r) => r.alertId)) {
        const alert = await alertStore.get(reply.alertId ?? '');
        // A reply that came while its booking's alert was open joined that alert and has none of its own.
        if (!alert && reply.joinsAlertId) continue;
        alerts.push({
          alertId: reply.alertId,
          bookingId: reply.bookingId,
          state: alert?.state ?? 'pending',
          createdAt: reply.receivedAt,
          ...(alert?.acknowledgedBy ? { acknowledgedBy: alert.acknowledgedBy } : {}),
          escalations: alert?.escalations ?? 0,
          replyIds: [reply.replyId, ...(alert?.replyIds ?? [])],
        });
      }
      return json(
        200,
        alerts.sort((a, b) => a.createdAt.localeCompare(b.createdAt)),
      );
    },
    'GET /local/replies': async () => {
      const all = (await Promise.all([...knownBookings].map((id) => replyStore.listForBooking(id)))).flat();
      all.sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      return json(
        200,
        all.map(({ replyId, bookingId, kind, receivedAt, triage, rules, advice, answers }) => ({
          replyId,
          bookingId,
          kind,
          receivedAt,
          triage,
          rules,
          advice,
          answers,
        })),
      );
    },
    'POST /local/faults': async (body) => {
      const request = (body ?? {}) as Record<string, unknown>;
      const { to, ...modes } = request;
      if (to !== undefined && (typeof to !== 'string' || to.trim().length === 0)) {
        return json(400, { error: 'to: must be one address or phone' });
      }
      const allowed: Record<string, readonly string[]> = {
        email: ['fail', 'ok', 'bounce'],
        sms: ['fail', 'ok', 'opted-out', 'unreachable'],
        staff: ['fail', 'ok'],
      };
      for (const [channel, mode] of Object.entries(modes)) {
        const modesOf = allowed[channel];
        if (!modesOf?.includes(String(mode))) {
          return json(400, {
            error: `${channel}: must be one of ${(modesOf ?? ['email', 'sms', 'staff']).join(', ')}${modesOf ? '' : ' (a channel)'}`,
          });
        }
        if (to !== undefined && mode === 'fail' && channel !== 'staff') {
          return json(400, {
            error: 'to: a patient channel fails as a whole; one address can bounce or opt out',
          });
        }
      }
      for (const [channel, mode] of Object.entries(modes) as [FaultChannel, string][]) {
        const address =
          typeof to === 'string' ? (channel === 'email' ? to.trim().toLowerCase() : to.trim()) : '*';
        if (channel === 'staff') {
          if (to !== undefined) {
            if (mode === 'fail') outbox.failingStaff.add(to);
            else outbox.failingStaff.delete(to);
          } else if (mode === 'fail') outbox.failing.add('staff');
          else outbox.failing.delete('staff');
        } else if (mode === 'fail') outbox.failing.add(channel);
        else if (mode === 'ok') {
          if (to === undefined) {
            outbox.failing.delete(channel);
            for (const key of [...outbox.addressFaults.keys()]) {
              if (key.startsWith(`${channel}:`)) outbox.addressFaults.delete(key);
            }
          } else outbox.addressFaults.delete(`${channel}:${address}`);
        } else outbox.addressFaults.set(`${channel}:${address}`, mode as AddressFault);
      }
      return json(200, {
        failing: [...outbox.failing],
        failingStaff: [...outbox.failingStaff],
        addresses: Object.fromEntries(outbox.addressFaults),
      });
    },
    'GET /': async () => ({
      status: 200,
      type: 'text/html; charset=utf-8',
      body: renderHomePage({
        now: clock.now(),
        outbox: outbox.entries,
        schedules: pendingSchedules(),
        deadLetters: deadLetters.letters,
      }),
    }),
  };

  const throttle =
    (options.throttle ?? process.env.LOCAL_THROTTLE !== '0') ? new RouteThrottle(ROUTE_BUDGETS) : undefined;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const pathname = new URL(req.url ?? '/', 'http://local').pathname;
    // The HTTP API's per-route budgets, in real time (not the virtual clock).
    const routeKey = routeKeyOf(req.method ?? 'GET', pathname);
    if (throttle && routeKey && !throttle.take(routeKey, performance.now())) {
      req.resume();
      send(res, json(429, { message: 'Too Many Requests' }));
      return;
    }
    const patientLink = /^\/(c|i|a|r)\/([^/?]+)$/.exec(pathname);
    const hook = /^\/hooks\/([^/?]+)$/.exec(pathname);
    const served = async (): Promise<Reply | undefined> => {
      if (await identityProvider.handle(req, res)) return undefined;
      if (pathname === '/console' || pathname.startsWith('/console/')) return serveConsole(req);
      if (patientLink) return servePatientLink(req, patientLink[0], patientLink[2] ?? '');
      if (hook) {
        if (routeKey !== 'POST /hooks/{provider}') return json(404, { message: 'Not Found' });
        return viaHttpApi(req, hooksHttp, {
          rawPath: pathname,
          routeKey,
          pathParameters: { provider: hook[1] ?? '' },
        });
      }
      return handle(req, routes, async (path, raw) => {
        // An event body that is not JSON is still an event the booking system sent: keep it.
        if (path === '/local/events') {
          await deadLetters.keep({
            source: 'booking-events',
            reason: 'body: not valid JSON',
            at: clock.now(),
            detail: raw.slice(0, MAX_EVENT_BYTES),
          });
        }
      });
    };
    served()
      .then((r) => {
        if (r) send(res, r);
      })
      .catch((error: unknown) => {
        jsonLog.error('local request failed', {
          path: req.url,
          error: error instanceof Error ? error.name : 'unknown',
        });
        send(res, json(500, { error: 'internal error' }));
      });
  });

  /** The console's Lambda handler, given the API Gateway v2 event the HTTP API would send. */
  async function serveConsole(req: IncomingMessage): Promise<Reply> {
    const target = new URL(req.url ?? '/', 'http://local');
    return viaHttpApi(req, consoleHttp, { rawPath: target.pathname, rawQueryString: target.search.slice(1) });
  }

  /** The check-in function's handler for a patient or old staff link, as on AWS: only on a route the API has. */
  async function servePatientLink(req: IncomingMessage, path: string, token: string): Promise<Reply> {
    const routeKey = routeKeyOf(req.method ?? 'GET', path);
    if (!routeKey) return json(404, { message: 'Not Found' });
    return viaHttpApi(req, checkinHttp, { rawPath: path, routeKey, pathParameters: { token } });
  }

  if (options.demo ?? true) await putEvent(demoBookingEvent(clock.now(), config));

  return {
    url,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of clients) client.destroy();
      await dynamo.close();
    },
  };
}

interface Reply {
  status: number;
  type: string;
  body: string;
  headers?: Record<string, string>;
  /** Set-Cookie values. */
  cookies?: string[];
}

/**
 * Hands a request to a Lambda handler as the HTTP API would (payload 2.0:
 * headers, method, source IP, user agent, request id, the body as text) and
 * maps its answer back, cookies included.
 */
async function viaHttpApi(
  req: IncomingMessage,
  handler: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>,
  route: Partial<APIGatewayProxyEventV2>,
): Promise<Reply> {
  const body = await readBody(req);
  if (body === undefined) return json(413, { error: 'body: larger than 4 MB' });
  const headers = Object.fromEntries(
    Object.entries(req.headers).flatMap(([name, value]) =>
      typeof value === 'string' ? [[name, value]] : [],
    ),
  );
  const result = await handler({
    ...route,
    headers,
    requestContext: {
      http: {
        method: req.method ?? 'GET',
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
    },
    body,
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2);
  const resultHeaders = Object.fromEntries(
    Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)]),
  );
  return {
    status: result.statusCode ?? 200,
    type: resultHeaders['Content-Type'] ?? 'text/html; charset=utf-8',
    body: result.body ?? '',
    headers: resultHeaders,
    ...(result.cookies ? { cookies: result.cookies } : {}),
  };
}

/** The local staff accounts' password unless LOCAL_STAFF_PASSWORD says otherwise. */
export const DEFAULT_STAFF_PASSWORD = 'local-staff';

const json = (status: number, value: unknown): Reply => ({
  status,
  type: 'application/json',
  body: JSON.stringify(value),
});
const redirect = (location: string): Reply => ({
  status: 303,
  type: 'text/plain',
  body: '',
  headers: { location },
});

function bookingIdOf(detail: unknown): string | undefined {
  try {
    const value = (typeof detail === 'string' ? JSON.parse(detail) : detail) as {
      bookingId?: unknown;
    } | null;
    return typeof value?.bookingId === 'string' ? value.bookingId : undefined;
  } catch {
    return undefined;
  }
}

function toResult(outcome: EventOutcome) {
  return outcome.status === 'rejected'
    ? { status: outcome.status, error: outcome.error }
    : { status: outcome.status };
}

function isForm(req: IncomingMessage): boolean {
  return (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
}

async function handle(
  req: IncomingMessage,
  routes: Record<string, (body: unknown, viaForm: boolean) => Promise<Reply>>,
  onUnparsable: (path: string, raw: string) => Promise<void>,
) {
  const path = new URL(req.url ?? '/', 'http://local').pathname;
  const route = routes[`${req.method} ${path}`];
  if (!route) return json(404, { error: `no route for ${req.method} ${path}` });
  // A GET's query string is its input (`/local/export/fhir?since=…`).
  if (req.method !== 'POST')
    return route(Object.fromEntries(new URL(req.url ?? '/', 'http://local').searchParams), false);
  const raw = await readBody(req);
  if (raw === undefined)
    return json(413, { results: [{ status: 'rejected', error: 'body: larger than 4 MB' }] });
  // JSON first, so `curl -d '{"advance":"P1D"}'` works despite curl's form content type.
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    // Only the home page's clock buttons post forms.
    if (isForm(req) && path === '/local/clock')
      return route(Object.fromEntries(new URLSearchParams(raw)), true);
    await onUnparsable(path, raw);
    return json(400, {
      results: [{ status: 'rejected', error: 'body: not valid JSON' }],
      error: 'body: not valid JSON',
    });
  }
  return route(body, false);
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, reply: Reply) {
  const headers: Record<string, string | string[]> = {
    'content-type': reply.type,
    'cache-control': 'no-store',
  };
  for (const [name, value] of Object.entries(reply.headers ?? {})) headers[name.toLowerCase()] = value;
  if (reply.cookies && reply.cookies.length > 0) headers['set-cookie'] = reply.cookies;
  res.writeHead(reply.status, headers);
  res.end(reply.body);
}

/** JSON log lines on stdout, like the Lambda logs: ids and outcomes only. */
/** What a send-function schedule is for, as `/local/schedules` names it: a message kind or the readiness deadline. */
const scheduledKind = (payload: SchedulePayload | ReadinessCheckPayload) =>
  'check' in payload ? 'readiness-deadline' : payload.kind;

/** The clinic's number in the local runtime, as texts name it. */
const LOCAL_CLINIC_NUMBER = '+18005550100';

const jsonLog = {
  info: (message: string, fields?: Record<string, unknown>) => writeLog('INFO', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => writeLog('WARN', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => writeLog('ERROR', message, fields),
};

function writeLog(level: string, message: string, fields?: Record<string, unknown>) {
  if (process.env.LOCAL_QUIET === '1') return;
  process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`);
}

/** A booking three days out, so a newcomer sees instructions, schedules and check-ins at once. */
function demoBookingEvent(now: string, config: ClinicConfig) {
  const start = DateTime.fromISO(now, { zone: config.clinic.timeZone })
    .plus({ days: 3 })
    .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  return {
    Source: config.bookingSources[0],
    DetailType: 'Booking Created',
    Detail: {
      bookingId: 'demo-0001',
      version: 1,
      session: {
        startsAt: start.toISO(),
        durationMinutes: 120,
        timeZone: config.clinic.timeZone,
        treatment: 'iv-ketamine',
        location: 'Room 2',
      },
      patient: { id: 'demo-patient', firstName: 'Alex', email: 'alex@example.org', phone: '+15550100001' },
    },
  };
}
