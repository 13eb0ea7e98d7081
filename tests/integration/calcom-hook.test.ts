import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoHookBookingStore } from '../../shared/adapters/dynamodb/hook-booking-store';
import { parseBookingEvent } from '../../shared/contracts/booking-events';
import { calcomPatientId } from '../../shared/domain/hooks/calcom-delivery';
import { type CalcomHookDeps, receiveCalcomDelivery } from '../../shared/domain/hooks/calcom-hook';
import type { HookEvent } from '../../shared/domain/hooks/hook-delivery';
import type { DeadLetter } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';

const SECRET = 'local-calcom-secret';
let store: DynamoHookBookingStore;
let counter = 0;

beforeAll(async () => {
  const { db, tableName } = await freshTable();
  store = new DynamoHookBookingStore(db, tableName);
});

function harness() {
  const put: HookEvent[] = [];
  const kept: DeadLetter[] = [];
  let failPublish = false;
  const deps: CalcomHookDeps = {
    clock: { now: () => '2026-11-30T10:00:00.000Z' },
    secret: SECRET,
    patientIdKey: 'patient-key',
    eventTypes: { 'ketamine-infusion': { treatment: 'iv-ketamine' } },
    source: 'clinic.booking',
    versions: store,
    publish: async (events) => {
      if (failPublish) throw new Error('PutEvents: 1 failed entry');
      put.push(...events);
    },
    deadLetters: { keep: async (letter) => void kept.push(letter) },
    metrics: { count: () => {}, flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const uid = `uid-${++counter}`;
  /** A signed delivery of `trigger` made at minute `minute`. */
  const deliver = (
    trigger: string,
    minute: number,
    payload: Record<string, unknown> = {},
    signature?: string,
  ) => {
    const rawBody = JSON.stringify({
      triggerEvent: trigger,
      createdAt: new Date(Date.UTC(2026, 10, 30, 9, minute)).toISOString(),
      payload: {
        uid,
        type: 'ketamine-infusion',
        startTime: '2026-12-07T15:00:00.000Z',
        endTime: '2026-12-07T16:00:00.000Z',
        organizer: { timeZone: 'America/New_York' },
        attendees: [{ name: 'Ana Ruiz', email: 'ana@example.org', timeZone: 'America/New_York' }],
        ...payload,
      },
    });
    const sign = signature ?? createHmac('sha256', SECRET).update(rawBody).digest('hex');
    return receiveCalcomDelivery(deps, { rawBody, signature: sign });
  };
  const failPublishing = (fail: boolean) => {
    failPublish = fail;
  };
  return { deps, put, kept, uid, deliver, failPublishing };
}

describe('Cal.com deliveries on dynalite', () => {
  it('puts the Booking Created a booking system would, valid under the same contract', async () => {
    const h = harness();
    expect(await h.deliver('BOOKING_CREATED', 0)).toEqual({
      status: 200,
      body: { bookingId: `calcom:${h.uid}`, version: 1 },
    });
    expect(h.put).toEqual([
      {
        source: 'clinic.booking',
        detailType: 'Booking Created',
        detail: {
          bookingId: `calcom:${h.uid}`,
          version: 1,
          session: {
            startsAt: '2026-12-07T15:00:00.000Z',
            durationMinutes: 60,
            timeZone: 'America/New_York',
            treatment: 'iv-ketamine',
          },
          patient: {
            id: calcomPatientId('ana@example.org', 'patient-key'),
            firstName: 'Ana',
            email: 'ana@example.org',
            language: 'en',
            timeZone: 'America/New_York',
          },
        },
      },
    ]);
    const [event] = h.put;
    if (!event) throw new Error('nothing put');
    expect(parseBookingEvent({ ...event, allowedSources: ['clinic.booking'] }).ok).toBe(true);
  });

  it('moves the booking on a reschedule (a new uid tied by rescheduleUid) and removes it on a cancel', async () => {
    const h = harness();
    await h.deliver('BOOKING_CREATED', 0);
    const moved = await h.deliver('BOOKING_RESCHEDULED', 5, {
      uid: `${h.uid}-b`,
      rescheduleUid: h.uid,
      startTime: '2026-12-09T15:00:00.000Z',
      endTime: '2026-12-09T16:00:00.000Z',
    });
    expect(moved.body).toEqual({ bookingId: `calcom:${h.uid}`, version: 2 });
    expect(h.put[1]).toMatchObject({
      detailType: 'Booking Rescheduled',
      detail: { version: 2, session: { startsAt: '2026-12-09T15:00:00.000Z' } },
    });
    // The cancel names the new uid: it is the same booking.
    const cancelled = await h.deliver('BOOKING_CANCELLED', 9, {
      uid: `${h.uid}-b`,
      cancellationReason: 'ill',
    });
    expect(cancelled.body).toEqual({ bookingId: `calcom:${h.uid}`, version: 3 });
    expect(h.put[2]).toEqual({
      source: 'clinic.booking',
      detailType: 'Booking Cancelled',
      detail: { bookingId: `calcom:${h.uid}`, version: 3, reason: 'ill' },
    });
  });

  it('follows a chain of reschedules that arrive out of order with one booking, cancelling the stale one', async () => {
    const h = harness();
    await h.deliver('BOOKING_CREATED', 0);
    const second = (minute: number) =>
      h.deliver('BOOKING_RESCHEDULED', minute, {
        uid: `${h.uid}-c`,
        rescheduleUid: `${h.uid}-b`,
        startTime: '2026-12-11T15:00:00.000Z',
        endTime: '2026-12-11T16:00:00.000Z',
      });
    // The second reschedule comes before the first: its booking is not known yet.
    expect((await second(8)).body).toEqual({ bookingId: `calcom:${h.uid}-b`, version: 1 });
    const first = await h.deliver('BOOKING_RESCHEDULED', 5, {
      uid: `${h.uid}-b`,
      rescheduleUid: h.uid,
      startTime: '2026-12-09T15:00:00.000Z',
      endTime: '2026-12-09T16:00:00.000Z',
    });
    // The first is older than what its uid's booking has; the booking the chain started as is superseded.
    expect(first.body).toEqual({
      ignored: 'older than the last delivery',
      bookingId: `calcom:${h.uid}-b`,
      superseded: `calcom:${h.uid}`,
    });
    expect(h.put.map((e) => [e.detailType, e.detail.bookingId, e.detail.version])).toEqual([
      ['Booking Created', `calcom:${h.uid}`, 1],
      ['Booking Rescheduled', `calcom:${h.uid}-b`, 1],
      ['Booking Cancelled', `calcom:${h.uid}`, 2],
    ]);
    expect(h.put[2]?.detail.reason).toBe('rescheduled');
    // Both again, as a provider's retries would: nothing new but the same events again.
    await second(8);
    expect(
      (
        await h.deliver('BOOKING_RESCHEDULED', 5, {
          uid: `${h.uid}-b`,
          rescheduleUid: h.uid,
          startTime: '2026-12-09T15:00:00.000Z',
          endTime: '2026-12-09T16:00:00.000Z',
        })
      ).body,
    ).toMatchObject({ bookingId: `calcom:${h.uid}-b` });
    expect(new Set(h.put.slice(3).map((e) => JSON.stringify(e)))).toEqual(
      new Set([JSON.stringify(h.put[1]), JSON.stringify(h.put[2])]),
    );
    // A cancel of the newest uid cancels the one booking left.
    expect((await h.deliver('BOOKING_CANCELLED', 12, { uid: `${h.uid}-c` })).body).toEqual({
      bookingId: `calcom:${h.uid}-b`,
      version: 2,
    });
  });

  it('refuses a wrong signature with 401 and puts nothing', async () => {
    const h = harness();
    expect((await h.deliver('BOOKING_CREATED', 0, {}, 'f'.repeat(64))).status).toBe(401);
    expect((await h.deliver('BOOKING_CREATED', 0, {}, '')).status).toBe(401);
    expect(h.put).toEqual([]);
    expect(await store.state('calcom', `calcom:${h.uid}`)).toBeUndefined();
  });

  it('puts a repeated delivery again unchanged, so a failed PutEvents is healed by the retry; ignores an older one', async () => {
    const h = harness();
    h.failPublishing(true);
    await expect(h.deliver('BOOKING_CREATED', 0)).rejects.toThrow('failed entry');
    h.failPublishing(false);
    expect((await h.deliver('BOOKING_CREATED', 0)).body).toEqual({
      bookingId: `calcom:${h.uid}`,
      version: 1,
    });
    expect((await h.deliver('BOOKING_CREATED', 0)).body).toEqual({
      bookingId: `calcom:${h.uid}`,
      version: 1,
    });
    expect(h.put.map((e) => e.detail.version)).toEqual([1, 1]);
    await h.deliver('BOOKING_RESCHEDULED', 10, {
      startTime: '2026-12-08T15:00:00.000Z',
      endTime: '2026-12-08T16:00:00.000Z',
    });
    // A reschedule made before the last one arrives late: it changes nothing.
    const late = await h.deliver('BOOKING_RESCHEDULED', 5, {
      startTime: '2026-12-10T15:00:00.000Z',
      endTime: '2026-12-10T16:00:00.000Z',
    });
    expect(late.body).toMatchObject({ ignored: 'older than the last delivery' });
    expect(h.put.map((e) => e.detail.version)).toEqual([1, 1, 2]);
  });

  it('answers 200 to a ping, 422 naming the field to an unmappable delivery (kept), 413 to a body too big', async () => {
    const h = harness();
    expect(await h.deliver('PING', 0)).toEqual({ status: 200, body: { ignored: 'PING' } });
    const unknownType = await h.deliver('BOOKING_CREATED', 0, { type: 'haircut' });
    expect(unknownType.status).toBe(422);
    expect(unknownType.body).toEqual({ errors: [expect.objectContaining({ field: 'payload.type' })] });
    const badPhone = await h.deliver('BOOKING_CREATED', 0, {
      attendees: [{ name: 'Bo', email: 'bo@example.org', timeZone: 'America/New_York', phoneNumber: '555' }],
    });
    expect(badPhone.status).toBe(422);
    expect(JSON.stringify(badPhone.body)).toContain('detail.patient.phone');
    expect(h.kept.map((k) => k.source)).toEqual(['hooks/calcom', 'hooks/calcom']);
    expect((await receiveCalcomDelivery(h.deps, { rawBody: 'x'.repeat(70_000) })).status).toBe(413);
    expect(h.put).toEqual([]);
  });
});
