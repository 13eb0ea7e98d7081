import { DateTime } from 'luxon';
import { beforeEach, describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../../shared/adapters/dynamodb/readiness-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { processBookingEvent } from '../../shared/domain/booking/process-booking-event';
import {
  DeliveryFailedError,
  deliverMessage,
  withDueMessageSender,
} from '../../shared/domain/messages/deliver-message';
import { deliveryIdOf } from '../../shared/domain/messages/delivery-id';
import { verifyLinkToken } from '../../shared/domain/messages/tokens';
import type {
  DeadLetter,
  MessageSchedule,
  OutgoingEmail,
  OutgoingSms,
  ReadinessCheckPayload,
  Schedule,
  SchedulePayload,
} from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';

const config = parseClinicConfig(clinicConfigInput);
const signingKey = new Uint8Array(32).fill(7);

/** Real DynamoDB stores on dynalite; plain fakes for the clock, scheduler and providers. */
async function harness() {
  const { db, tableName } = await freshTable();
  const state = {
    now: '2026-03-02T15:00:00.000Z',
    schedules: new Map<string, Schedule<SchedulePayload>>(),
    /** Readiness deadlines, by schedule name. */
    deadlines: new Map<string, Schedule<ReadinessCheckPayload>>(),
    emails: [] as OutgoingEmail[],
    sms: [] as OutgoingSms[],
    deadLetters: [] as { reason: string }[],
    metrics: [] as string[],
    failEmail: 0,
    failUpsert: 0,
  };
  const deps = withDueMessageSender({
    config,
    clock: { now: () => state.now },
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    messageLog: new DynamoMessageLog(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    signingKey: { get: async () => signingKey },
    linkBaseUrl: 'https://care.example.org',
    mailer: {
      send: async (email) => {
        if (state.failEmail > 0) {
          state.failEmail--;
          throw Object.assign(new Error('Throttling: rate exceeded for pat@example.org'), {
            name: 'TooManyRequestsException',
          });
        }
        state.emails.push(email);
        return { messageId: `e-${state.emails.length}` };
      },
    },
    sms: {
      send: async (sms) => {
        state.sms.push(sms);
        return { messageId: `s-${state.sms.length}` };
      },
    },
    scheduler: {
      upsert: async (schedule: MessageSchedule) => {
        if (state.failUpsert > 0) {
          state.failUpsert--;
          throw new Error('scheduler unavailable');
        }
        const { payload } = schedule;
        if ('check' in payload) state.deadlines.set(schedule.name, { ...schedule, payload });
        else state.schedules.set(schedule.name, { ...schedule, payload });
      },
      remove: async (name: string) => {
        state.schedules.delete(name);
        state.deadlines.delete(name);
      },
    },
    deadLetters: { keep: async (letter: DeadLetter) => void state.deadLetters.push(letter) },
    readiness: new DynamoReadinessStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    consoleBaseUrl: 'https://care.example.org',
    metrics: { count: (name) => void state.metrics.push(name), flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  });
  return { deps, state };
}

const created = (
  version = 1,
  startsAt = '2026-03-09T10:00:00-05:00',
  patient: Record<string, unknown> = {},
) => ({
  source: 'clinic.booking',
  detailType: 'Booking Created',
  detail: {
    bookingId: 'flow-1',
    version,
    session: { startsAt, durationMinutes: 90, timeZone: 'America/New_York', treatment: 'esketamine-nasal' },
    patient: { id: 'p1', firstName: 'Ana', email: 'ana@example.org', phone: '+15550100003', ...patient },
  },
});

const scheduledKinds = (schedules: Map<string, Schedule<SchedulePayload>>) =>
  [...schedules.values()].map((s) => s.payload.kind).sort();

describe('processBookingEvent', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
  });

  it('stores the booking, schedules every future message and sends the instructions at once', async () => {
    await expect(processBookingEvent(h.deps, created())).resolves.toEqual({ status: 'processed' });
    expect(scheduledKinds(h.state.schedules)).toEqual([
      'checkin-next-day',
      'checkin-same-day',
      'checkin-week',
      'prep-day-of',
      'prep-reminder',
    ]);
    expect(h.state.emails.map((e) => e.kind)).toEqual(['prep-instructions']);
    expect(h.state.emails[0]?.attachments?.[0]).toMatchObject({ filename: 'appointment.ics' });
    const log = await h.deps.messageLog.list('flow-1');
    expect(log.map((e) => [e.kind, e.channel, e.status])).toEqual([['prep-instructions', 'email', 'sent']]);
    // The id the email carries to SES is the one the log entry registered (DESIGN section 11).
    expect(h.state.emails[0]?.deliveryId).toBe(log[0]?.deliveryId);
    expect(log[0]?.deliveryId).toBe(
      deliveryIdOf({ bookingId: 'flow-1', kind: 'prep-instructions', at: log[0]?.at ?? '' }, 'email'),
    );
  });

  it('rejects an invalid event with the field named, keeps it and counts it', async () => {
    const bad = created(1, '2026-03-09T10:00:00-05:00', { email: undefined, phone: '555-0100' });
    const outcome = await processBookingEvent(h.deps, bad);
    expect(outcome).toMatchObject({ status: 'rejected', errors: [{ field: 'detail.patient.phone' }] });
    expect(h.state.deadLetters).toHaveLength(1);
    expect(h.state.deadLetters[0]?.reason).toContain('detail.patient.phone');
    expect(h.state.metrics).toContain('RejectedEvents');
    expect(await h.deps.bookings.get('flow-1')).toBeUndefined();
  });

  it('heals a crash between storing and scheduling when the event is redelivered', async () => {
    h.state.failUpsert = 1;
    await expect(processBookingEvent(h.deps, created())).rejects.toThrow('scheduler unavailable');
    expect(await h.deps.bookings.get('flow-1')).toMatchObject({ version: 1 });

    await expect(processBookingEvent(h.deps, created())).resolves.toEqual({
      status: 'ignored',
      reason: 'duplicate',
    });
    expect(scheduledKinds(h.state.schedules)).toHaveLength(5);
    // The instructions went out once, on the redelivery (the crash came before the send).
    expect(h.state.emails.filter((e) => e.kind === 'prep-instructions')).toHaveLength(1);
  });

  it('hands a failed due message to the scheduler to retry in a minute', async () => {
    h.state.failEmail = 1;
    await expect(processBookingEvent(h.deps, created())).resolves.toEqual({ status: 'processed' });
    const retry = [...h.state.schedules.values()].find((s) => s.payload.kind === 'prep-instructions');
    expect(retry).toMatchObject({
      fireAt: '2026-03-02T15:01:00.000Z',
      payload: { at: '2026-03-02T15:00:00.000Z' },
    });
    const [entry] = await h.deps.messageLog.list('flow-1');
    // The provider's message echoed an address: only its name is kept.
    expect(entry).toMatchObject({ status: 'failed', reason: 'TooManyRequestsException', attempts: 1 });

    h.state.now = '2026-03-02T15:01:00.000Z';
    await deliverMessage(h.deps, retry?.payload ?? ({} as never));
    expect(h.state.emails.map((e) => e.kind)).toEqual(['prep-instructions']);
  });
});

describe('deliverMessage', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
    await processBookingEvent(h.deps, created());
  });

  const planned = async (kind: string) => {
    const schedule = [...h.state.schedules.values()].find((s) => s.payload.kind === kind);
    if (!schedule) throw new Error(`no schedule for ${kind}`);
    return schedule.payload;
  };

  it('never sends the same message twice when the invocation is retried', async () => {
    const ref = await planned('checkin-same-day');
    h.state.now = ref.at;
    const first = await deliverMessage(h.deps, ref);
    const second = await deliverMessage(h.deps, ref);
    expect(first).toMatchObject({ outcome: 'delivered', sent: ['email', 'sms'] });
    expect(second).toMatchObject({ outcome: 'delivered', sent: [], alreadySent: ['email', 'sms'] });
    expect(h.state.sms.filter((s) => s.kind === 'checkin-same-day')).toHaveLength(1);
  });

  it('sends only the channel that failed when a partly failed message is retried', async () => {
    const ref = await planned('prep-reminder');
    h.state.now = ref.at;
    h.state.failEmail = 1;
    await expect(deliverMessage(h.deps, ref)).rejects.toBeInstanceOf(DeliveryFailedError);
    expect(h.state.sms.filter((s) => s.kind === 'prep-reminder')).toHaveLength(1);
    await expect(deliverMessage(h.deps, ref)).resolves.toMatchObject({
      sent: ['email'],
      alreadySent: ['sms'],
    });
    expect(h.state.sms.filter((s) => s.kind === 'prep-reminder')).toHaveLength(1);
    expect(h.state.emails.filter((e) => e.kind === 'prep-reminder')).toHaveLength(1);
  });

  it('records a skip when the message moved with a reschedule', async () => {
    const ref = await planned('prep-reminder');
    await processBookingEvent(h.deps, {
      ...created(2, '2026-03-10T10:00:00-05:00'),
      detailType: 'Booking Rescheduled',
    });
    h.state.now = ref.at;
    await expect(deliverMessage(h.deps, ref)).resolves.toEqual({ outcome: 'skipped', reason: 'superseded' });
    const log = await h.deps.messageLog.list('flow-1');
    expect(log.find((e) => e.kind === 'prep-reminder')).toMatchObject({
      status: 'skipped',
      reason: 'superseded',
    });
  });

  it('records a skip for a cancelled booking', async () => {
    const ref = await planned('checkin-week');
    await processBookingEvent(h.deps, {
      source: 'clinic.booking',
      detailType: 'Booking Cancelled',
      detail: { bookingId: 'flow-1', version: 2 },
    });
    await expect(deliverMessage(h.deps, ref)).resolves.toEqual({ outcome: 'skipped', reason: 'cancelled' });
    expect(h.state.emails.filter((e) => e.kind === 'checkin-week')).toEqual([]);
  });

  /** A booking of `patientId` (default the same patient as flow-1) starting at `startsAt`. */
  const another = (bookingId: string, startsAt: DateTime, patientId = 'p1') => {
    const event = created(1, startsAt.toISO() ?? '');
    return {
      ...event,
      detail: { ...event.detail, bookingId, patient: { ...event.detail.patient, id: patientId } },
    };
  };

  it('sends the week check-in when no other session of the same patient is within 3 days of it', async () => {
    const ref = await planned('checkin-week');
    const week = DateTime.fromISO(ref.at);
    await processBookingEvent(h.deps, another('flow-other', week.plus({ days: 1 }), 'p2'));
    await processBookingEvent(h.deps, another('flow-far', week.plus({ days: 3, minutes: 1 })));
    h.state.now = ref.at;
    await expect(deliverMessage(h.deps, ref)).resolves.toMatchObject({ outcome: 'delivered' });
  });

  it('skips the week check-in (next-session) when the same patient has another session within 3 days', async () => {
    const ref = await planned('checkin-week');
    await processBookingEvent(
      h.deps,
      another('flow-2', DateTime.fromISO(ref.at).plus({ days: 2, hours: 23 })),
    );
    h.state.now = ref.at;
    await expect(deliverMessage(h.deps, ref)).resolves.toEqual({
      outcome: 'skipped',
      reason: 'next-session',
    });
    expect(h.state.emails.filter((e) => e.kind === 'checkin-week')).toEqual([]);
  });

  it('sends the week check-in again once the nearby session is cancelled', async () => {
    const ref = await planned('checkin-week');
    await processBookingEvent(h.deps, another('flow-3', DateTime.fromISO(ref.at).plus({ days: 1 })));
    await processBookingEvent(h.deps, {
      source: 'clinic.booking',
      detailType: 'Booking Cancelled',
      detail: { bookingId: 'flow-3', version: 2 },
    });
    h.state.now = ref.at;
    await expect(deliverMessage(h.deps, ref)).resolves.toMatchObject({ outcome: 'delivered' });
  });

  it('uses contact details changed by a newer version', async () => {
    const ref = await planned('checkin-next-day');
    await processBookingEvent(h.deps, {
      ...created(2, '2026-03-09T10:00:00-05:00', { email: 'new@example.org', phone: undefined }),
      detailType: 'Booking Rescheduled',
    });
    h.state.now = ref.at;
    await deliverMessage(h.deps, ref);
    const sent = h.state.emails.filter((e) => e.kind === 'checkin-next-day');
    expect(sent.map((e) => e.to)).toEqual(['new@example.org']);
    expect(h.state.sms.filter((s) => s.kind === 'checkin-next-day')).toEqual([]);
  });

  it('puts a signed check-in link in the message that resolves to the booking and kind', async () => {
    const ref = await planned('checkin-week');
    h.state.now = ref.at;
    await deliverMessage(h.deps, ref);
    const email = h.state.emails.find((e) => e.kind === 'checkin-week');
    const token = email?.text.match(/https:\/\/care\.example\.org\/c\/([A-Za-z0-9_-]+)/)?.[1] ?? '';
    expect(token).toHaveLength(33);
    expect(token).not.toContain('flow-1');
    const linkId = verifyLinkToken(signingKey, token);
    expect(linkId).toBeDefined();
    expect(await h.deps.links.get(linkId ?? '')).toMatchObject({
      bookingId: 'flow-1',
      kind: 'checkin-week',
      purpose: 'checkin',
      expiresAt: DateTime.fromISO(ref.at).plus({ days: 7 }).toUTC().toISO(),
    });
  });
});
