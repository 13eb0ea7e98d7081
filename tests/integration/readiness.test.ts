import { beforeAll, describe, expect, it } from 'vitest';
import { createPatientTextsHandler } from '../../functions/receive-patient-texts';
import { createSendMessageHandler } from '../../functions/send-message';
import { readinessDeadline } from '../../shared/domain/booking/plan';
import { deliverMessage } from '../../shared/domain/messages/deliver-message';
import type { MessageRef, OutgoingEmail, OutgoingSms } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';
import { aBooking, aPlannedRecord } from '../support/fixtures';
import {
  CONFIG_WITH_FRONT_DESK,
  dynamoMessagingDeps,
  dynamoPatientTextDeps,
} from '../support/messaging-deps';

const NOW = '2026-11-02T16:00:00.000Z';
const config = CONFIG_WITH_FRONT_DESK;
let db: Awaited<ReturnType<typeof freshTable>>['db'];
let tableName: string;
let counter = 0;

beforeAll(async () => {
  ({ db, tableName } = await freshTable());
});

/** The send function (reminders, deadlines) and the patient-texts function on dynalite. */
function harness() {
  const emails: OutgoingEmail[] = [];
  const texts: OutgoingSms[] = [];
  const deps = dynamoMessagingDeps({
    db,
    tableName,
    config,
    clock: { now: () => NOW },
    mailer: { send: async (email) => ({ messageId: `e-${emails.push(email)}` }) },
    sms: { send: async (sms) => ({ messageId: `provider-${texts.push(sms)}` }) },
  });
  const { bookings, notices, readiness } = deps;
  const send = createSendMessageHandler(deps);
  const receive = createPatientTextsHandler(
    dynamoPatientTextDeps(deps, {
      db,
      tableName,
      newId: () => `id-${++counter}`,
      deadLetters: { keep: async () => {} },
    }),
  );

  /** A stored booking on 3 Nov; its day-before reminder sent unless `remind` is false. */
  async function booked(remind = true) {
    const bookingId = `bk-ready-${++counter}`;
    const phone = `+1555${String(counter).padStart(7, '0')}`;
    const booking = aBooking({ bookingId, patient: { id: `pt-${bookingId}`, phone } });
    const record = aPlannedRecord(booking, NOW);
    await bookings.save(record, undefined);
    const planned = record.plan['prep-reminder'];
    if (remind && planned) {
      const ref: MessageRef = { bookingId, kind: 'prep-reminder', at: planned.plannedAt };
      await deliverMessage(deps, ref, record);
    }
    return { bookingId, phone, deadline: readinessDeadline(booking, config.readiness.deadlineHours) };
  }
  const textIn = (from: string, body: string) =>
    receive({
      Records: [
        {
          Sns: {
            Message: JSON.stringify({
              originationNumber: from,
              messageBody: body,
              inboundMessageId: `in-${++counter}`,
            }),
            Timestamp: NOW,
          },
        },
      ],
    });
  const noticesOf = async (bookingId: string) =>
    (await notices.open(500)).filter((n) => n.bookingId === bookingId).map((n) => n.reason);
  const atDeadline = (bookingId: string, at: string) => send({ bookingId, check: 'readiness', at });
  return { deps, emails, texts, readiness, booked, textIn, noticesOf, atDeadline };
}

describe('the readiness check', () => {
  it('asks YES or NO in the day-before SMS, and links the email to the form', async () => {
    const h = harness();
    const { bookingId } = await h.booked();
    const sms = h.texts.find((t) => t.bookingId === bookingId);
    expect(sms?.text).toMatch(/Ride home set\? Reply YES or NO$/);
    const email = h.emails.find((e) => e.bookingId === bookingId);
    expect(email?.text).toMatch(/https:\/\/care\.example\.org\/i\/[A-Za-z0-9_-]+/);
  });

  it('records an SMS YES, and the deadline then passes quietly', async () => {
    const h = harness();
    const { bookingId, phone, deadline } = await h.booked();
    expect(await h.textIn(phone, 'Yes')).toEqual(['readiness']);
    expect(await h.readiness.answersOf(bookingId)).toEqual([
      { via: 'sms', at: NOW, ready: true, sessionStartsAt: '2026-11-03T10:00:00-05:00' },
    ]);
    expect(await h.atDeadline(bookingId, deadline)).toEqual({ readiness: 'confirmed' });
    expect(await h.noticesOf(bookingId)).toEqual([]);
  });

  it('tells the front desk at once of an SMS NO, once, and not again at the deadline', async () => {
    const h = harness();
    const { bookingId, phone, deadline } = await h.booked();
    expect(await h.textIn(phone, 'NO')).toEqual(['readiness']);
    expect(await h.textIn(phone, 'no.')).toEqual(['readiness']);
    expect(await h.noticesOf(bookingId)).toEqual(['readiness-concern']);
    expect(await h.atDeadline(bookingId, deadline)).toEqual({ readiness: 'concern' });
    expect(await h.noticesOf(bookingId)).toEqual(['readiness-concern']);
    expect(h.emails.filter((e) => e.kind === 'front-desk-notice')).toHaveLength(1);
  });

  it('lets a NO by SMS stand over a YES on the form', async () => {
    const h = harness();
    const { bookingId, phone, deadline } = await h.booked();
    await h.textIn(phone, 'NO');
    await h.deps.readiness.record(bookingId, {
      via: 'form',
      at: NOW,
      rideHome: 'yes',
      fasting: 'yes',
      newMedicine: 'no',
    });
    expect(await h.atDeadline(bookingId, deadline)).toEqual({ readiness: 'concern' });
    expect(await h.noticesOf(bookingId)).toEqual(['readiness-concern']);
  });

  it('makes one notice when nobody answered by the deadline, however often the deadline fires', async () => {
    const h = harness();
    const { bookingId, deadline } = await h.booked();
    expect(await h.atDeadline(bookingId, deadline)).toEqual({ readiness: 'missing' });
    expect(await h.atDeadline(bookingId, deadline)).toEqual({ readiness: 'missing' });
    expect(await h.noticesOf(bookingId)).toEqual(['readiness-missing']);
  });

  it('says "not asked" when the reminder never went, and does nothing for a deadline the booking moved away from', async () => {
    const h = harness();
    const unasked = await h.booked(false);
    expect(await h.atDeadline(unasked.bookingId, unasked.deadline)).toEqual({ readiness: 'not-asked' });
    expect(await h.noticesOf(unasked.bookingId)).toEqual(['readiness-not-asked']);
    const moved = await h.booked();
    expect(await h.atDeadline(moved.bookingId, '2026-11-01T12:00:00.000Z')).toEqual({ readiness: 'stale' });
    expect(await h.noticesOf(moved.bookingId)).toEqual([]);
  });

  it('answers the day-before reminder with YES though a check-in of another booking went out after it', async () => {
    const h = harness();
    const { bookingId, phone } = await h.booked();
    // An earlier session of the same phone: its same-day check-in goes out after the reminder.
    const earlier = await h.deps.bookings.get(bookingId);
    const other = `${bookingId}-earlier`;
    const booking = aBooking({
      bookingId: other,
      patient: { id: 'pt-other', phone },
      session: { startsAt: '2026-11-01T13:00:00-05:00' },
    });
    const record = aPlannedRecord(booking, '2026-10-30T12:00:00.000Z');
    await h.deps.bookings.save(record, undefined);
    const sameDay = record.plan['checkin-same-day'];
    if (!sameDay || !earlier) throw new Error('setup');
    await deliverMessage(
      h.deps,
      { bookingId: other, kind: 'checkin-same-day', at: sameDay.plannedAt },
      record,
    );
    expect(await h.textIn(phone, 'YES')).toEqual(['readiness']);
    expect((await h.readiness.answersOf(bookingId)).map((a) => a.via)).toEqual(['sms']);
  });

  it('takes no answer for a cancelled booking: a NO then is a message, and raises no readiness notice', async () => {
    const h = harness();
    const { bookingId, phone, deadline } = await h.booked();
    const record = await h.deps.bookings.get(bookingId);
    if (!record) throw new Error('setup');
    await h.deps.bookings.save(
      { ...record, status: 'cancelled', revision: record.revision + 1 },
      record.revision,
    );
    expect(await h.textIn(phone, 'NO')).toEqual(['review']);
    expect(await h.readiness.answersOf(bookingId)).toEqual([]);
    expect(await h.noticesOf(bookingId)).toEqual([]);
    expect(await h.atDeadline(bookingId, deadline)).toEqual({ readiness: 'stale' });
  });

  it('asks again for a moved session: a YES about the old time does not count at the new deadline', async () => {
    const h = harness();
    const { bookingId, phone } = await h.booked();
    expect(await h.textIn(phone, 'YES')).toEqual(['readiness']);
    const record = await h.deps.bookings.get(bookingId);
    if (!record?.booking) throw new Error('setup');
    const moved = {
      ...record.booking,
      session: { ...record.booking.session, startsAt: '2026-11-05T10:00:00-05:00' },
    };
    await h.deps.bookings.save(aPlannedRecord(moved, NOW, record.revision + 1), record.revision);
    const deadline = readinessDeadline(moved, config.readiness.deadlineHours);
    // The reminder for the new day has not gone yet: nobody was asked about it.
    expect(await h.atDeadline(bookingId, deadline)).toEqual({ readiness: 'not-asked' });
  });

  it('takes YES to another message as a message to the clinic', async () => {
    const h = harness();
    const { bookingId, phone } = await h.booked(false);
    const record = await h.deps.bookings.get(bookingId);
    const sameDay = record?.plan['checkin-same-day'];
    if (!record || !sameDay) throw new Error('no same-day check-in planned');
    await deliverMessage(h.deps, { bookingId, kind: 'checkin-same-day', at: sameDay.plannedAt }, record);
    expect(await h.textIn(phone, 'YES')).toEqual(['review']);
    expect(await h.readiness.answersOf(bookingId)).toEqual([]);
  });
});
