import { type Counters, startBenchRuntime } from './composition';
import type { Prices } from './prices';

const ZONE = 'America/New_York';
const SOURCE = 'clinic.booking';

/** A booking as the booking system publishes it: email and phone, default preferences. */
export function bookingDetail(bookingId: string, version: number, startsAt: string) {
  return {
    bookingId,
    version,
    session: { startsAt, durationMinutes: 60, timeZone: ZONE, treatment: 'iv-ketamine', location: 'Room 2' },
    patient: { id: `p-${bookingId}`, firstName: 'Ana', email: 'ana@example.org', phone: '+15555550123' },
  };
}

export interface SessionCounts {
  definition: string;
  dynamodbReads: number;
  dynamodbWrites: number;
  scans: number;
  readRequestUnits: number;
  writeRequestUnits: number;
  dynamoByCommand: Record<string, number>;
  schedulerCalls: number;
  scheduleFirings: number;
  lambdaInvocations: number;
  lambdaByFunction: Counters['invocations'];
  bookingEvents: number;
  httpRequests: number;
  emails: number;
  smsMessages: number;
  smsSegments: number;
  /** End User Messaging events of the texts (SNS publishes to the SMS events topic). */
  smsEvents: number;
  /** The patient's texts to the clinic's number (the readiness YES): inbound message parts and SNS publishes. */
  inboundSms: number;
  /** The most texts the patient got in any rolling 24 hours, and the plan's cap it must stay within. */
  smsMaxInAnyDay: number;
  smsCapPerDay: number;
  /** Estimated billed Lambda time (local handler time + assumed AWS call latency), ms, summed. */
  estimatedLambdaMs: number;
  measuredHandlerMs: number;
  logBytes: number;
}

/**
 * Drives one booking's whole life through the real handlers and counts every
 * request: Booking Created (session 7 days out), optionally one Booking
 * Rescheduled two days later (+2 days), every planned message fired by its
 * schedule, and one routine check-in reply (the patient opens the next-day
 * link: one GET, one POST).
 */
export async function countSession(withReschedule: boolean, prices: Prices): Promise<SessionCounts> {
  const runtime = await startBenchRuntime({ clockStart: '2026-05-04T14:00:00.000Z' });
  try {
    const id = 'bench-session-1';
    await runtime.putEvent(SOURCE, 'Booking Created', bookingDetail(id, 1, '2026-05-11T10:00:00-04:00'));
    let start = '2026-05-11T10:00:00-04:00';
    if (withReschedule) {
      await runtime.advanceTo('2026-05-06T14:00:00.000Z');
      start = '2026-05-13T10:00:00-04:00';
      await runtime.putEvent(SOURCE, 'Booking Rescheduled', bookingDetail(id, 2, start));
    }
    // The day-before reminder asks whether the patient is ready; the patient texts YES (the deadline then passes
    // quietly, as for most patients).
    await runtime.advanceTo(new Date(Date.parse(start) - 20 * 3_600_000).toISOString());
    const phone = bookingDetail(id, 1, start).patient.phone;
    if (!runtime.outbox.entries.some((m) => m.channel === 'sms' && m.kind === 'prep-reminder'))
      throw new Error('no day-before text asked the readiness question');
    await runtime.textIn(phone, 'YES');
    // Through the next-day check-in (end + 1 day = 11:00 local), then the patient answers it.
    const afterNextDay = new Date(Date.parse(start) + (25 * 60 + 30) * 60_000).toISOString();
    await runtime.advanceTo(afterNextDay);
    const message = runtime.outbox.entries.find(
      (m) => m.channel === 'email' && m.kind === 'checkin-next-day' && 'bookingId' in m && m.bookingId === id,
    );
    const link = message?.text.match(/\/c\/[A-Za-z0-9_-]+/)?.[0];
    if (!link) throw new Error('no next-day check-in link in the outbox');
    const form = await runtime.checkinHttp('GET', link);
    if (form.statusCode !== 200) throw new Error(`check-in form answered ${form.statusCode}`);
    const reply = await runtime.checkinHttp(
      'POST',
      link,
      JSON.stringify({ mood: 7, selfHarm: 'no', sideEffects: { nausea: 'mild' }, wantsCall: false }),
      'application/json',
    );
    const triage = (JSON.parse(reply.body ?? '{}') as { triage?: string }).triage;
    if (reply.statusCode !== 201 || triage !== 'routine')
      throw new Error(`routine reply answered ${reply.statusCode} ${triage}`);
    // Everything else: the week check-in and anything left; then what the providers report of each message.
    await runtime.advanceTo(new Date(Date.parse(start) + 10 * 86_400_000).toISOString());
    await runtime.reportDeliveries();
    if (runtime.scheduler.pending().length > 0) throw new Error('schedules left after the session');
    if (runtime.deadLetters.letters.length > 0) throw new Error('dead letters during the session');

    const c = runtime.counters;
    const lat = prices.latencyAssumptionsMs;
    const textTimes = runtime.outbox.entries
      .filter((m) => m.channel === 'sms' && m.to === phone && m.kind !== 'text-auto-reply')
      .map((m) => Date.parse(m.at));
    const smsMaxInAnyDay = Math.max(
      0,
      ...textTimes.map((t) => textTimes.filter((u) => u > t - 86_400_000 && u <= t).length),
    );
    const smsCapPerDay = runtime.config.sms.perPatientPerDay;
    if (smsMaxInAnyDay > smsCapPerDay) throw new Error(`${smsMaxInAnyDay} texts in a day, over the cap`);
    const invocations = Object.values(c.invocations).reduce((a, b) => a + b, 0);
    const estimatedLambdaMs = c.invocationLog.reduce(
      (sum, i) =>
        sum +
        Math.ceil(
          i.ms + i.dynamo * lat.dynamodb + i.scheduler * lat.scheduler + i.ses * lat.ses + i.sns * lat.sns,
        ),
      0,
    );
    return {
      definition: withReschedule
        ? 'Booking Created + one Booking Rescheduled + every planned message fired (texts within the cap of 3 a day) + the readiness YES texted back + the readiness deadline + one routine check-in reply (GET form + POST) + the delivery events of every message (SES Delivery; TEXT_SUCCESSFUL and TEXT_DELIVERED)'
        : 'Booking Created + every planned message fired (texts within the cap of 3 a day) + the readiness YES texted back + the readiness deadline + one routine check-in reply (GET form + POST) + the delivery events of every message (SES Delivery; TEXT_SUCCESSFUL and TEXT_DELIVERED)',
      dynamodbReads: c.dynamoReads,
      dynamodbWrites: c.dynamoWrites,
      scans: c.scans,
      readRequestUnits: c.readUnits,
      writeRequestUnits: c.writeUnits,
      dynamoByCommand: c.dynamoByCommand,
      schedulerCalls: c.schedulerApiCalls,
      scheduleFirings: c.scheduleFirings,
      lambdaInvocations: invocations,
      lambdaByFunction: { ...c.invocations },
      bookingEvents: c.invocations.bookingEvents,
      httpRequests: c.invocations.checkinHttp,
      emails: c.emails,
      smsMessages: c.smsMessages,
      smsSegments: c.smsSegments,
      smsEvents: c.smsEvents,
      inboundSms: c.inboundSms,
      smsMaxInAnyDay,
      smsCapPerDay,
      estimatedLambdaMs,
      measuredHandlerMs: round(c.invocationLog.reduce((sum, i) => sum + i.ms, 0)),
      logBytes: c.logBytes + invocations * prices.lambdaPlatformLogBytesPerInvocation,
    };
  } finally {
    await runtime.close();
  }
}

/** The idle deployment's recurring work: one sweeper run (empty index) and one digest run (nothing to send). */
export async function countIdleRuns(prices: Prices) {
  const runtime = await startBenchRuntime({ clockStart: '2026-05-04T14:00:00.000Z' });
  try {
    await runtime.sweep();
    const afterSweep = structuredClone(runtime.counters);
    await runtime.digest();
    const c = runtime.counters;
    const lat = prices.latencyAssumptionsMs;
    const [sweep, digest] = c.invocationLog;
    const estimate = (i: typeof sweep) =>
      i ? Math.ceil(i.ms + i.dynamo * lat.dynamodb + i.ses * lat.ses + i.sns * lat.sns) : 0;
    return {
      sweeper: {
        dynamodbReads: afterSweep.dynamoReads,
        dynamodbWrites: afterSweep.dynamoWrites,
        readRequestUnits: afterSweep.readUnits,
        writeRequestUnits: afterSweep.writeUnits,
        estimatedLambdaMs: estimate(sweep),
        scans: afterSweep.scans,
      },
      digest: {
        dynamodbReads: c.dynamoReads - afterSweep.dynamoReads,
        dynamodbWrites: c.dynamoWrites - afterSweep.dynamoWrites,
        readRequestUnits: c.readUnits - afterSweep.readUnits,
        writeRequestUnits: c.writeUnits - afterSweep.writeUnits,
        emails: c.emails,
        estimatedLambdaMs: estimate(digest),
        scans: c.scans - afterSweep.scans,
      },
    };
  } finally {
    await runtime.close();
  }
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
