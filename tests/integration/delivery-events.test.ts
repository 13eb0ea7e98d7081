import { GetCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoContactStatusStore } from '../../shared/adapters/dynamodb/contact-status-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DELIVERY_STATUSES, type DeliveryStatus } from '../../shared/contracts/delivery';
import type { Channel, MessageKind } from '../../shared/contracts/vocabulary';
import { contactDigest } from '../../shared/domain/contacts';
import { deliverMessage } from '../../shared/domain/messages/deliver-message';
import {
  type DeliveryEvent,
  type DeliveryEventDeps,
  recordDeliveryEvent,
  UnknownDeliveryError,
} from '../../shared/domain/messages/delivery-events';
import { deliveryIdOf } from '../../shared/domain/messages/delivery-id';
import { deliveryRank } from '../../shared/domain/messages/delivery-status';
import {
  AddressRefusedError,
  type DeadLetter,
  type MessageRef,
  type OutgoingEmail,
  type OutgoingSms,
} from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';
import { aBooking, aPlannedRecord, type BookingOverrides } from '../support/fixtures';
import { CONFIG_WITH_FRONT_DESK } from '../support/messaging-deps';

const NOW = '2026-10-27T14:00:00.000Z';
const config = CONFIG_WITH_FRONT_DESK;
let db: Awaited<ReturnType<typeof freshTable>>['db'];
let tableName: string;
let counter = 0;

beforeAll(async () => {
  ({ db, tableName } = await freshTable());
});

function harness() {
  const kept: DeadLetter[] = [];
  const counted: string[] = [];
  const emails: OutgoingEmail[] = [];
  const texts: OutgoingSms[] = [];
  const optedOut = new Set<string>();
  const messageLog = new DynamoMessageLog(db, tableName);
  const bookings = new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone });
  const notices = new DynamoNoticeStore(db, tableName);
  let now = NOW;
  const deps: DeliveryEventDeps = {
    config,
    clock: { now: () => now },
    bookings,
    messageLog,
    links: new DynamoLinkStore(db, tableName),
    signingKey: { get: async () => new Uint8Array(32).fill(3) },
    linkBaseUrl: 'https://care.example.org',
    mailer: { send: async (email) => ({ messageId: `e-${emails.push(email)}` }) },
    sms: {
      send: async (sms) => {
        // As End User Messaging refuses a phone on the opt-out list.
        if (optedOut.has(sms.to))
          throw new AddressRefusedError('opted-out', 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT');
        return { messageId: `s-${texts.push(sms)}` };
      },
    },
    deliveries: messageLog,
    contacts: new DynamoContactStatusStore(db, tableName),
    notices,
    consoleBaseUrl: 'https://care.example.org',
    deadLetters: { keep: async (letter) => void kept.push(letter) },
    metrics: { count: (name) => void counted.push(name), flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };

  /** A stored booking whose `kind` went out as the plan says, through the real send path. */
  async function sent(
    kind: MessageKind = 'checkin-same-day',
    patient: BookingOverrides['patient'] = {},
    session: BookingOverrides['session'] = {},
  ) {
    const bookingId = `bk-delivery-${++counter}`;
    // A phone of its own: the SMS cap counts every text to a phone, whatever the booking.
    const phone = `+1555020${String(counter).padStart(4, '0')}`;
    const booking = aBooking({ bookingId, patient: { id: `pt-${bookingId}`, phone, ...patient }, session });
    const record = aPlannedRecord(booking, NOW);
    await bookings.save(record, undefined);
    const ref: MessageRef = { bookingId, kind, at: record.plan[kind]?.plannedAt ?? '' };
    await deliverMessage(deps, ref, record);
    return { ref, booking, idOn: (channel: Channel) => deliveryIdOf(ref, channel) };
  }

  const eventFor = (
    deliveryId: string,
    status: DeliveryEvent['status'],
    at = '2026-10-27T14:00:03.000Z',
    channel: Channel = 'email',
  ) => ({
    type: 'event' as const,
    event: { channel, deliveryId, status, at, detail: `test ${status}` },
  });

  const entryOf = (ref: MessageRef, channel: Channel = 'email') => messageLog.entryOf(ref, channel);

  const markOf = async (patientId: string, channel: Channel, address: string) =>
    (
      await db.send(
        new GetCommand({
          TableName: tableName,
          Key: { pk: `PATIENT#${patientId}`, sk: `CONTACT#${contactDigest(channel, address)}` },
        }),
      )
    ).Item;

  /** Moves the clock (provider reports may come days late). */
  const setNow = (at: string) => {
    now = at;
  };

  return { deps, kept, counted, emails, texts, optedOut, notices, sent, eventFor, entryOf, markOf, setNow };
}

describe('delivery events on dynalite', () => {
  it('finds the message by its delivery id and records the status on its log entry', async () => {
    const h = harness();
    const { ref, idOn } = await h.sent();
    expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'delivered'))).toEqual({
      outcome: 'recorded',
      status: 'delivered',
    });
    const entry = await h.entryOf(ref);
    expect(entry?.status).toBe('sent');
    expect(entry?.delivery).toEqual({
      status: 'delivered',
      at: '2026-10-27T14:00:03.000Z',
      detail: 'test delivered',
    });
    expect((await h.entryOf(ref, 'sms'))?.delivery).toBeUndefined();
  });

  it('marks the address on the patient after a permanent bounce, by digest, and not after an expired text', async () => {
    const h = harness();
    const bounced = await h.sent();
    await recordDeliveryEvent(h.deps, h.eventFor(bounced.idOn('email'), 'bounced'));
    const email = bounced.booking.patient.email ?? '';
    const mark = await h.markOf(bounced.booking.patient.id, 'email', email);
    expect(mark).toMatchObject({ channel: 'email', status: 'bounced', markedBy: bounced.idOn('email') });
    expect(mark?.deliveryId).toBeUndefined();
    expect(JSON.stringify(mark)).not.toContain(email);

    const expired = await h.sent();
    await recordDeliveryEvent(h.deps, h.eventFor(expired.idOn('sms'), 'expired', NOW, 'sms'));
    expect(
      await h.markOf(expired.booking.patient.id, 'sms', expired.booking.patient.phone ?? ''),
    ).toBeUndefined();
  });

  it('keeps a failure over a later delivery report, and a complaint over both', async () => {
    const h = harness();
    const { ref, idOn } = await h.sent();
    await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'failed'));
    expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'delivered'))).toEqual({
      outcome: 'outranked',
      status: 'failed',
    });
    await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'complained', '2026-10-28T09:00:00.000Z'));
    expect((await h.entryOf(ref))?.delivery?.status).toBe('complained');
  });

  it('ends in the same state whatever order and however often the events arrive', async () => {
    const h = harness();
    const report = fc.record({
      status: fc.constantFrom(...DELIVERY_STATUSES.filter((s): s is DeliveryEvent['status'] => s !== 'sent')),
      second: fc.integer({ min: 0, max: 59 }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(report, { minLength: 1, maxLength: 5 }), async (reports) => {
        const events = reports.map((r) => ({
          ...r,
          at: `2026-10-27T14:01:${String(r.second).padStart(2, '0')}.000Z`,
        }));
        const ends: unknown[] = [];
        for (const order of [events, [...events].reverse(), [...events, ...events]]) {
          const { ref, idOn } = await h.sent();
          for (const e of order) await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), e.status, e.at));
          ends.push((await h.entryOf(ref))?.delivery);
        }
        expect(ends[1]).toEqual(ends[0]);
        expect(ends[2]).toEqual(ends[0]);
        // The strongest status stands, reported at its earliest time.
        const top = Math.max(...events.map((e) => deliveryRank(e.status as DeliveryStatus)));
        const winners = events.filter((e) => deliveryRank(e.status) === top);
        expect(ends[0]).toMatchObject({ status: winners[0]?.status, at: winners.map((e) => e.at).sort()[0] });
      }),
      { numRuns: 15 },
    );
  });

  describe('a message that failed for good', () => {
    it('goes once by the other channel when the kind allows it and the patient has one', async () => {
      const h = harness();
      // The week check-in goes by email only.
      const { ref, idOn } = await h.sent('checkin-week');
      expect(h.texts).toEqual([]);
      const bounce = h.eventFor(idOn('email'), 'bounced');
      expect(await recordDeliveryEvent(h.deps, bounce)).toMatchObject({
        followUp: { type: 'fell-back', channel: 'sms' },
      });
      expect(h.texts.map((t) => [t.kind, t.bookingId, t.deliveryId])).toEqual([
        ['checkin-week', ref.bookingId, idOn('sms')],
      ]);
      // The same bounce again (a retry, a repeat): nothing more goes out.
      expect(await recordDeliveryEvent(h.deps, bounce)).toEqual({ outcome: 'recorded', status: 'bounced' });
      expect(h.texts).toHaveLength(1);
      expect(await h.notices.open(50)).not.toContainEqual(
        expect.objectContaining({ bookingId: ref.bookingId }),
      );
    });

    it('tells the front desk once when the other channel failed too, by email and in the notices list', async () => {
      const h = harness();
      const { ref, idOn } = await h.sent('checkin-week');
      await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'bounced'));
      const blocked = h.eventFor(idOn('sms'), 'blocked', NOW, 'sms');
      expect(await recordDeliveryEvent(h.deps, blocked)).toMatchObject({
        followUp: { type: 'notice', reason: 'checkin-unreached' },
      });
      await recordDeliveryEvent(h.deps, blocked);
      const desk = h.emails.filter((e) => e.kind === 'front-desk-notice');
      expect(desk.map((e) => e.to)).toEqual(['desk@example-clinic.org']);
      // Nothing about the patient in the email: the console shows who.
      expect(JSON.stringify(desk)).not.toMatch(/Ana|ana@example|\+1555|bk-delivery/);
      const listed = (await h.notices.open(50)).filter((n) => n.bookingId === ref.bookingId);
      expect(listed).toEqual([
        expect.objectContaining({
          reason: 'checkin-unreached',
          kind: 'checkin-week',
          state: 'open',
          emailedAt: NOW,
        }),
      ]);
    });

    it('tells the front desk when the patient has no other channel, and not for the day-of text', async () => {
      const h = harness();
      const noPhone = await h.sent('prep-reminder', { phone: undefined, preferredChannel: undefined });
      expect(await recordDeliveryEvent(h.deps, h.eventFor(noPhone.idOn('email'), 'bounced'))).toMatchObject({
        followUp: { type: 'notice', reason: 'unreached-before-session' },
      });
      // At 14:00, so the day-of text (3 hours before) is out of quiet hours.
      const dayOf = await h.sent('prep-day-of', {}, { startsAt: '2026-11-03T14:00:00-05:00' });
      expect(
        await recordDeliveryEvent(h.deps, h.eventFor(dayOf.idOn('sms'), 'unreachable', NOW, 'sms')),
      ).toEqual({
        outcome: 'recorded',
        status: 'unreachable',
      });
      expect(h.emails.filter((e) => e.kind === 'prep-day-of')).toEqual([]);
    });

    it('takes a complaint for a message that arrived: the address is marked, nothing is sent again, nobody told', async () => {
      const h = harness();
      const { ref, idOn, booking } = await h.sent('checkin-week', {
        phone: undefined,
        preferredChannel: undefined,
      });
      expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'complained'))).toEqual({
        outcome: 'recorded',
        status: 'complained',
      });
      expect(await h.markOf(booking.patient.id, 'email', booking.patient.email ?? '')).toMatchObject({
        status: 'complained',
      });
      expect(h.texts).toEqual([]);
      expect((await h.notices.open(50)).filter((n) => n.bookingId === ref.bookingId)).toEqual([]);
    });

    it('does not count a channel still being retried as failed: no notice while its send may yet go', async () => {
      const h = harness();
      const { ref, idOn } = await h.sent('checkin-week');
      // A text of the same message whose send failed for a passing reason (throttling) and is being retried.
      await h.deps.messageLog.claim(ref, 'sms', { version: 1, now: NOW, expiresAt: NOW });
      await h.deps.messageLog.markFailed(ref, 'sms', { now: NOW, reason: 'ThrottlingException (HTTP 400)' });
      expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'bounced'))).toEqual({
        outcome: 'recorded',
        status: 'bounced',
      });
      expect((await h.notices.open(50)).filter((n) => n.bookingId === ref.bookingId)).toEqual([]);
    });

    it('raises one notice when both channels fail at once', async () => {
      const h = harness();
      const { ref, idOn } = await h.sent('checkin-same-day');
      await Promise.all([
        recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'bounced')),
        recordDeliveryEvent(h.deps, h.eventFor(idOn('sms'), 'spam', NOW, 'sms')),
      ]);
      expect((await h.notices.open(50)).filter((n) => n.bookingId === ref.bookingId)).toHaveLength(1);
      expect(h.emails.filter((e) => e.kind === 'front-desk-notice').length).toBeGreaterThanOrEqual(1);
    });
  });

  describe('the SMS cap across bookings', () => {
    it('sends a fourth text within a day to the same phone by email, whichever bookings the first three were', async () => {
      const h = harness();
      const phone = '+15555550190';
      const sent = [];
      for (let i = 0; i < 4; i++)
        sent.push(await h.sent('checkin-same-day', { phone, id: `pt-series-${i}` }));
      expect(h.texts.filter((t) => t.to === phone)).toHaveLength(3);
      const last = sent[3];
      expect(h.emails.filter((e) => e.bookingId === last?.ref.bookingId).map((e) => e.kind)).toEqual([
        'checkin-same-day',
      ]);
      expect(h.counted).toContain('SmsCappedAtSend');
    });

    it('skips a day-of text over the cap as capped: it has no email to go by', async () => {
      const h = harness();
      const phone = '+15555550191';
      for (let i = 0; i < 3; i++) await h.sent('checkin-same-day', { phone, id: `pt-dayof-${i}` });
      const dayOf = await h.sent('prep-day-of', { phone }, { startsAt: '2026-11-03T14:00:00-05:00' });
      expect(h.texts.filter((t) => t.bookingId === dayOf.ref.bookingId)).toEqual([]);
      expect(h.emails.filter((e) => e.bookingId === dayOf.ref.bookingId)).toEqual([]);
      expect(
        (await h.deps.messageLog.list(dayOf.ref.bookingId)).map((e) => [e.kind, e.status, e.reason]),
      ).toEqual([['prep-day-of', 'skipped', 'capped']]);
    });
  });

  describe('a report that comes late', () => {
    it('tells nobody of a late failure on one channel of a check-in the other channel delivered', async () => {
      const h = harness();
      const { ref, idOn } = await h.sent('checkin-next-day');
      await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'delivered'));
      h.setNow(new Date(Date.parse(ref.at) + 30 * 3_600_000).toISOString());
      expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('sms'), 'blocked', NOW, 'sms'))).toMatchObject(
        {
          followUp: { type: 'not-sent', reason: 'too-late' },
        },
      );
      expect((await h.notices.open(500)).filter((n) => n.bookingId === ref.bookingId)).toEqual([]);
    });

    it('sends no reminder by the other channel once the session began, and tells nobody', async () => {
      const h = harness();
      const { ref, idOn, booking } = await h.sent('prep-reminder', { preferredChannel: 'email' });
      h.setNow(booking.session.startsAt);
      expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'bounced'))).toMatchObject({
        followUp: { type: 'not-sent', reason: 'too-late' },
      });
      expect(h.texts.filter((t) => t.bookingId === ref.bookingId)).toEqual([]);
      expect((await h.notices.open(500)).filter((n) => n.bookingId === ref.bookingId)).toEqual([]);
    });

    it('sends a check-in by the other channel no later than a day after its time, but still tells the desk', async () => {
      const h = harness();
      const { ref, idOn } = await h.sent('checkin-week');
      h.setNow(new Date(Date.parse(ref.at) + 25 * 3_600_000).toISOString());
      expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'bounced'))).toMatchObject({
        followUp: { type: 'notice', reason: 'checkin-unreached' },
      });
      expect(h.texts.filter((t) => t.bookingId === ref.bookingId)).toEqual([]);
    });
  });

  describe('a phone on the opt-out list', () => {
    it('is refused at send time: recorded as opted out, and the message goes by email at once, not retried', async () => {
      const h = harness();
      h.optedOut.add('+15555550177');
      const { ref } = await h.sent('checkin-same-day', { phone: '+15555550177', preferredChannel: 'sms' });
      expect(h.texts).toEqual([]);
      expect(h.emails.map((e) => [e.kind, e.bookingId])).toEqual([['checkin-same-day', ref.bookingId]]);
      // The email carries a check-in link of its own.
      expect(h.emails[0]?.text).toMatch(/https:\/\/care\.example\.org\/c\//);
      expect(await h.entryOf(ref, 'sms')).toMatchObject({
        status: 'failed',
        delivery: { status: 'opted-out', detail: 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT' },
      });
      expect(h.kept).toEqual([]);
    });

    it('forgets the refusal when the text is tried again (the phone texted START meanwhile)', async () => {
      const h = harness();
      h.optedOut.add('+15555550180');
      const { ref } = await h.sent('checkin-same-day', { phone: '+15555550180', preferredChannel: 'sms' });
      expect((await h.entryOf(ref, 'sms'))?.delivery?.status).toBe('opted-out');
      h.optedOut.delete('+15555550180');
      expect(await h.deps.messageLog.claim(ref, 'sms', { version: 1, now: NOW, expiresAt: NOW })).toBe(
        'claimed',
      );
      expect((await h.entryOf(ref, 'sms'))?.delivery).toBeUndefined();
    });

    it('takes no email for the day-of text, which has no fallback', async () => {
      const h = harness();
      h.optedOut.add('+15555550178');
      const result = await h.sent(
        'prep-day-of',
        { phone: '+15555550178' },
        { startsAt: '2026-11-03T14:00:00-05:00' },
      );
      expect(h.emails.filter((e) => e.bookingId === result.ref.bookingId)).toEqual([]);
      expect((await h.entryOf(result.ref, 'sms'))?.delivery?.status).toBe('opted-out');
    });

    it('tells the front desk at send time when the only channel refused the patient (a phone-only patient who texted STOP)', async () => {
      const h = harness();
      h.optedOut.add('+15555550181');
      const { ref } = await h.sent('checkin-same-day', { phone: '+15555550181', email: undefined });
      expect(h.texts).toEqual([]);
      const notices = (await h.notices.open(500)).filter((n) => n.bookingId === ref.bookingId);
      expect(notices.map((n) => [n.reason, n.kind])).toEqual([['checkin-unreached', 'checkin-same-day']]);
    });

    it('makes a bounce with no channel left a front-desk notice', async () => {
      const h = harness();
      h.optedOut.add('+15555550179');
      const { idOn, ref } = await h.sent('checkin-week', { phone: '+15555550179' });
      expect(await recordDeliveryEvent(h.deps, h.eventFor(idOn('email'), 'bounced'))).toMatchObject({
        followUp: { type: 'notice', reason: 'checkin-unreached' },
      });
      expect((await h.notices.open(50)).filter((n) => n.bookingId === ref.bookingId)).toHaveLength(1);
    });
  });

  it('keeps a malformed payload with its reason and counts it', async () => {
    const h = harness();
    const payload = { source: 'aws.ses', detail: 'garbled' };
    expect(
      await recordDeliveryEvent(h.deps, { type: 'malformed', reason: 'detail: expected object', payload }),
    ).toEqual({
      outcome: 'kept',
      reason: 'detail: expected object',
    });
    expect(h.kept).toEqual([
      { source: 'delivery-events', reason: 'detail: expected object', at: NOW, detail: payload },
    ]);
    expect(h.counted).toContain('DeliveryEventsRejected');
  });

  it('throws for a delivery id no message has yet, so the invocation is retried', async () => {
    const h = harness();
    await expect(
      recordDeliveryEvent(h.deps, h.eventFor('d_nothingHasThisIdYet00', 'delivered')),
    ).rejects.toBeInstanceOf(UnknownDeliveryError);
  });

  it('counts SMS blocked or called spam for the alarm', async () => {
    const h = harness();
    const { idOn } = await h.sent();
    await recordDeliveryEvent(h.deps, h.eventFor(idOn('sms'), 'delivered', NOW, 'sms'));
    await recordDeliveryEvent(h.deps, h.eventFor(idOn('sms'), 'spam', NOW, 'sms'));
    expect(h.counted.filter((name) => name.startsWith('Delivery') || name.startsWith('Sms'))).toEqual([
      'DeliverySms_delivered',
      'DeliverySms_spam',
      'SmsBlockedOrSpam',
    ]);
  });
});
