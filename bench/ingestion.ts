import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { EventBridgeEvent } from 'aws-lambda';
import clinicConfigInput from '../config/clinic';
import { createBookingEventHandler } from '../functions/handle-booking-event';
import { LocalDeadLetters, VirtualClock } from '../infra/local/adapters';
import { createServiceTable, dynaliteClientConfig, startDynalite } from '../infra/local/dynalite';
import { DynamoBookingStore } from '../shared/adapters/dynamodb/booking-store';
import { createDocumentClient } from '../shared/adapters/dynamodb/client';
import { DynamoLinkStore } from '../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../shared/adapters/dynamodb/message-log';
import { DynamoNoticeStore } from '../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../shared/adapters/dynamodb/readiness-store';
import type { BookingRecord } from '../shared/domain/booking-record';
import { contactDigest } from '../shared/domain/contacts';
import { loadClinicConfig } from '../shared/domain/messages/config-validation';
import { withDueMessageSender } from '../shared/domain/messages/deliver-message';
import { deliveryIdOf } from '../shared/domain/messages/delivery-id';
import type {
  BookingStore,
  LinkRecord,
  LinkStore,
  MessageLog,
  MessageScheduler,
} from '../shared/domain/ports';
import { countDynamo, emptyCounters } from './composition';
import { bookingDetail } from './session';

const CLOCK_START = '2026-05-04T14:00:00.000Z';
const SESSION_START = '2026-05-14T10:00:00-04:00';
/** prep-day-of of that session: 3 hours before, in quiet hours, so skipped. */
const DAY_OF_AT = '2026-05-14T11:00:00.000Z';
const ROUNDS = 4;

/** Runs `task(0..count-1)` with `concurrency` in flight; answers the elapsed ms. */
async function timed(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      for (let i = next++; i < count; i = next++) await task(i);
    }),
  );
  return performance.now() - started;
}

/**
 * Booking events a second through the real booking handler and DynamoDB
 * adapters against dynalite (in this process), with counting fakes for the
 * Scheduler, SES and SNS; and, in the same run, against the same dynalite and
 * the same DocumentClient, the floor: the minimum requests one new booking
 * needs (GetItem + conditional PutItem of a booking-sized item, and the
 * message log's claim + mark-sent for the one channel of the prep-instructions
 * that are due now), plus a Get+Put-only floor for reference. The three run
 * interleaved in rounds so drift (dynalite's store growing, CPU boost) hits all alike.
 */
export async function measureIngestion(events: number, concurrency: number) {
  const dynamo = await startDynalite();
  const tableName = 'clinic-followup';
  await createServiceTable(dynamo.endpoint, tableName);
  const db = createDocumentClient(dynaliteClientConfig(dynamo.endpoint));
  const config = loadClinicConfig(clinicConfigInput);
  const clock = new VirtualClock(CLOCK_START);
  const fakes = { schedulerCalls: 0, emails: 0, sms: 0 };
  const scheduler: MessageScheduler = {
    upsert: async () => void fakes.schedulerCalls++,
    remove: async () => void fakes.schedulerCalls++,
  };
  const messageLog = new DynamoMessageLog(db, tableName);
  const deadLetters = new LocalDeadLetters();
  const handler = createBookingEventHandler(
    withDueMessageSender({
      config,
      clock,
      bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
      messageLog,
      links: new DynamoLinkStore(db, tableName),
      signingKey: { get: async () => new Uint8Array(32).fill(7) },
      linkBaseUrl: 'https://links.example.org',
      // Checked only for a booking made inside its readiness deadline, which no event here is.
      readiness: new DynamoReadinessStore(db, tableName),
      notices: new DynamoNoticeStore(db, tableName),
      consoleBaseUrl: 'https://links.example.org',
      mailer: { send: async () => ({ messageId: `m-${++fakes.emails}` }) },
      sms: { send: async () => ({ messageId: `s-${++fakes.sms}` }) },
      scheduler,
      deadLetters,
      metrics: { count: () => {}, flush: () => {} },
      log: { info: () => {}, warn: () => {}, error: () => {} },
    }),
  );
  const event = (id: string) =>
    ({
      id,
      source: 'clinic.booking',
      'detail-type': 'Booking Created',
      detail: bookingDetail(id, 1, SESSION_START),
      time: clock.now(),
    }) as EventBridgeEvent<string, unknown>;

  try {
    // How many requests one event makes, and a real stored booking to size the floor's item by.
    const probe = emptyCounters();
    let probeSchedulerCalls = 0;
    const probeDb = countDynamo(createDocumentClient(dynaliteClientConfig(dynamo.endpoint)), probe);
    const probeHandler = createBookingEventHandler(
      withDueMessageSender({
        config,
        clock,
        bookings: new DynamoBookingStore(probeDb, tableName, { clinicTimeZone: config.clinic.timeZone }),
        messageLog: new DynamoMessageLog(probeDb, tableName),
        links: new DynamoLinkStore(probeDb, tableName),
        signingKey: { get: async () => new Uint8Array(32).fill(7) },
        linkBaseUrl: 'https://links.example.org',
        // Checked only for a booking made inside its readiness deadline, which no event here is.
        readiness: new DynamoReadinessStore(db, tableName),
        notices: new DynamoNoticeStore(db, tableName),
        consoleBaseUrl: 'https://links.example.org',
        mailer: { send: async () => ({ messageId: 'probe' }) },
        sms: { send: async () => ({ messageId: 'probe' }) },
        scheduler: {
          upsert: async () => void probeSchedulerCalls++,
          remove: async () => void probeSchedulerCalls++,
        },
        deadLetters,
        metrics: { count: () => {}, flush: () => {} },
        log: { info: () => {}, warn: () => {}, error: () => {} },
      }),
    );
    const outcome = await probeHandler(event('probe-0'));
    if (outcome.status !== 'processed') throw new Error(`probe event ${outcome.status}`);
    probeDb.destroy();
    const { Item: stored } = await db.send(
      new GetCommand({ TableName: tableName, Key: { pk: 'BOOKING#probe-0', sk: 'BOOKING' } }),
    );
    if (!stored) throw new Error('probe booking not stored');
    const bookingItemBytes = Buffer.byteLength(JSON.stringify(stored));
    const floorEmail = String(
      (stored.booking as { patient?: { email?: string } } | undefined)?.patient?.email ?? '',
    );

    const floorBooking = async (id: string, withClaim: boolean) => {
      const key = { pk: `BOOKING#${id}`, sk: 'BOOKING' };
      await db.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }));
      await db.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...stored, ...key, bookingId: id },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      if (!withClaim) return;
      const now = clock.now();
      // The 10:00 session's day-of SMS (07:00) falls in quiet hours: its skip is recorded at planning.
      const dayOf = { bookingId: id, kind: 'prep-day-of' as const, at: DAY_OF_AT };
      await messageLog.recordSkip(dayOf, { version: 1, now, reason: 'quiet-hours' });
      const ref = { bookingId: id, kind: 'prep-instructions' as const, at: CLOCK_START };
      // The claim carries what the handler's does: the delivery id (the by-delivery index keys on it) and the
      // address digest, so both keep the same index entries.
      const claim = {
        version: 1,
        now,
        expiresAt: now,
        deliveryId: deliveryIdOf(ref, 'email'),
        toDigest: contactDigest('email', floorEmail),
      };
      if ((await messageLog.claim(ref, 'email', claim)) !== 'claimed') throw new Error('floor claim failed');
      await messageLog.markSent(ref, 'email', { now, providerMessageId: 'floor' });
    };

    // Warm-up: JIT, connection pool, dynalite's code paths.
    const warm = Math.min(200, Math.ceil(events / 10));
    await timed(warm, concurrency, async (i) => void (await handler(event(`warm-${i}`))));
    await timed(warm, concurrency, (i) => floorBooking(`warm-floor-${i}`, true));
    await timed(warm, concurrency, (i) => floorBooking(`warm-floor2-${i}`, false));

    // Diagnostic: the same handler with in-memory stores, i.e. its own CPU time without DynamoDB.
    const memory = inMemoryStores();
    const cpuOnly = createBookingEventHandler(
      withDueMessageSender({
        config,
        clock,
        ...memory,
        signingKey: { get: async () => new Uint8Array(32).fill(7) },
        linkBaseUrl: 'https://links.example.org',
        // Checked only for a booking made inside its readiness deadline, which no event here is.
        readiness: new DynamoReadinessStore(db, tableName),
        notices: new DynamoNoticeStore(db, tableName),
        consoleBaseUrl: 'https://links.example.org',
        mailer: { send: async () => ({ messageId: 'cpu' }) },
        sms: { send: async () => ({ messageId: 'cpu' }) },
        scheduler,
        deadLetters,
        metrics: { count: () => {}, flush: () => {} },
        log: { info: () => {}, warn: () => {}, error: () => {} },
      }),
    );
    await timed(warm, 1, async (i) => void (await cpuOnly(event(`cpu-warm-${i}`))));
    const cpuEvents = Math.min(events, 1000);
    const cpuMs = await timed(cpuEvents, 1, async (i) => void (await cpuOnly(event(`cpu-${i}`))));

    const perRound = Math.ceil(events / ROUNDS);
    let handlerMs = 0;
    let floorMs = 0;
    let getPutMs = 0;
    let processed = 0;
    for (let round = 0; round < ROUNDS; round++) {
      handlerMs += await timed(perRound, concurrency, async (i) => {
        const result = await handler(event(`bk-${round}-${i}`));
        if (result.status === 'processed') processed++;
      });
      floorMs += await timed(perRound, concurrency, (i) => floorBooking(`floor-${round}-${i}`, true));
      getPutMs += await timed(perRound, concurrency, (i) => floorBooking(`floor2-${round}-${i}`, false));
    }
    const total = perRound * ROUNDS;
    if (processed !== total) throw new Error(`${total - processed} events not processed`);
    if (deadLetters.letters.length > 0) throw new Error('events rejected during the ingestion run');
    const eventsPerSecond = (total * 1000) / handlerMs;
    const floorEventsPerSecond = (total * 1000) / floorMs;
    const getPutFloorPerSecond = (total * 1000) / getPutMs;
    return {
      eventsPerSecond: Math.round(eventsPerSecond),
      floorEventsPerSecond: Math.round(floorEventsPerSecond),
      ratio: Math.round((eventsPerSecond / floorEventsPerSecond) * 100) / 100,
      events: total,
      concurrency,
      floorDefinition:
        'per booking: GetItem (consistent) + conditional PutItem of a booking-sized item + the recorded skip of prep-day-of (conditional PutItem; 07:00 is in quiet hours) + message-log claim (conditional UpdateItem, with the delivery id and address digest the handler writes, so both keep the by-delivery index) + mark-sent (UpdateItem) for the one channel of the due prep-instructions',
      getPutFloorPerSecond: Math.round(getPutFloorPerSecond),
      handlerCpuMsPerEvent: Math.round((cpuMs / cpuEvents) * 100) / 100,
      handlerMsPerEvent: Math.round((handlerMs / total) * 100) / 100,
      floorMsPerEvent: Math.round((floorMs / total) * 100) / 100,
      ratioToGetPutFloor: Math.round((eventsPerSecond / getPutFloorPerSecond) * 100) / 100,
      bookingItemBytes,
      dynamoRequestsPerEvent: probe.dynamoReads + probe.dynamoWrites,
      dynamoByCommandPerEvent: probe.dynamoByCommand,
      schedulerCallsPerEvent: probeSchedulerCalls,
      schedulerCalls: fakes.schedulerCalls,
      emails: fakes.emails,
      sms: fakes.sms,
    };
  } finally {
    db.destroy();
    await dynamo.close();
  }
}

/** Map-backed stores with the ports' semantics that matter here (diagnostic only). */
function inMemoryStores() {
  const bookings = new Map<string, BookingRecord>();
  const log = new Map<string, string>();
  const links = new Map<string, LinkRecord>();
  const store: BookingStore = {
    get: async (id) => structuredClone(bookings.get(id)),
    save: async (record, expected) => {
      if (bookings.get(record.bookingId)?.revision !== expected) return 'conflict';
      bookings.set(record.bookingId, structuredClone(record));
      return 'saved';
    },
    sessionsOfPatient: async (patientId, from, to) =>
      [...bookings.values()].filter((record) => {
        const start = Date.parse(record.booking?.session.startsAt ?? '');
        return (
          record.status === 'active' &&
          record.booking?.patient.id === patientId &&
          start >= Date.parse(from) &&
          start <= Date.parse(to)
        );
      }),
  };
  const messageLog: MessageLog = {
    claim: async (ref, channel) => {
      const key = `${ref.bookingId}#${ref.kind}#${ref.at}#${channel}`;
      if (log.get(key) === 'sent') return 'already-sent';
      log.set(key, 'sending');
      return 'claimed';
    },
    markSent: async (ref, channel) =>
      void log.set(`${ref.bookingId}#${ref.kind}#${ref.at}#${channel}`, 'sent'),
    markFailed: async () => {},
    markRefused: async () => {},
    recordSkip: async () => {},
    list: async () => [],
    entryOf: async () => undefined,
    textsSince: async () => 0,
  };
  const linkStore: LinkStore = {
    put: async (link) => void links.set(link.linkId, link),
    get: async (id) => links.get(id),
  };
  return { bookings: store, messageLog, links: linkStore };
}
