import { describe, expect, it } from 'vitest';
import type { BookingEvent, FullBooking } from '../../shared/contracts/booking-events';
import {
  type BookingDecision,
  decideBookingEvent,
  eventBookingId,
} from '../../shared/domain/booking/booking-lifecycle';
import { planMessages } from '../../shared/domain/booking/plan';
import type { BookingRecord } from '../../shared/domain/booking-record';
import { aBooking, DEFAULT_POLICY, localToUtc } from '../support/fixtures';

const NY = 'America/New_York';
const T0 = '2026-10-20T14:00:00.000Z';
const T1 = '2026-10-21T14:00:00.000Z';
const T2 = '2026-10-22T14:00:00.000Z';
const T3 = '2026-10-23T14:00:00.000Z';

const created = (booking: FullBooking): BookingEvent => ({ type: 'created', booking });
const rescheduled = (booking: FullBooking): BookingEvent => ({ type: 'rescheduled', booking });
const cancelled = (version: number, reason?: string, bookingId = 'bk-0001'): BookingEvent => ({
  type: 'cancelled',
  cancel: { bookingId, version, ...(reason ? { reason } : {}) },
});
const completed = (endedAt: string, bookingId = 'bk-0001'): BookingEvent => ({
  type: 'completed',
  completion: { bookingId, endedAt },
});

/** The booking on a new start (Nov 3 at `hhmm` New York time) and version. */
const moved = (version: number, local: string) =>
  aBooking({ version, session: { startsAt: localToUtc(local, NY).replace('.000Z', 'Z') } });

/** Applies one event and returns the stored record the decision leads to (a tiny in-memory store). */
function apply(stored: BookingRecord | undefined, event: BookingEvent, now: string) {
  const before = structuredClone(stored);
  const decision = decideBookingEvent(stored, event, now, DEFAULT_POLICY);
  expect(stored, 'the decision must not mutate the stored record').toEqual(before);
  const next = decision.action === 'write' ? decision.record : stored;
  return { decision, next };
}

/** Applies events in order, each at its own `now`, and returns the final record. */
function applyAll(steps: [BookingEvent, string][]): BookingRecord | undefined {
  let stored: BookingRecord | undefined;
  for (const [event, now] of steps) stored = apply(stored, event, now).next;
  return stored;
}

function written(decision: BookingDecision): BookingRecord {
  if (decision.action !== 'write') throw new Error(`expected a write, got ${JSON.stringify(decision)}`);
  return decision.record;
}

const CHECKINS = ['checkin-same-day', 'checkin-next-day', 'checkin-week'] as const;

describe('booking-lifecycle', () => {
  describe('decideBookingEvent', () => {
    describe('Booking Created', () => {
      it('stores a new active booking with the full plan when the booking is unknown', () => {
        const record = written(apply(undefined, created(aBooking()), T0).decision);
        expect(record).toMatchObject({
          bookingId: 'bk-0001',
          version: 1,
          status: 'active',
          activatedAt: T0,
          revision: 1,
          updatedAt: T0,
          booking: aBooking(),
        });
        expect(Object.keys(record.plan).sort()).toEqual(
          [
            'checkin-next-day',
            'checkin-same-day',
            'checkin-week',
            'prep-day-of',
            'prep-instructions',
            'prep-reminder',
          ].sort(),
        );
        expect(record.plan['prep-instructions']).toMatchObject({ status: 'due', at: T0 });
        expect(record.endedAt).toBeUndefined();
      });

      it('answers reconcile with the stored record when the same version arrives again', () => {
        const stored = applyAll([[created(aBooking()), T0]]);
        const { decision } = apply(stored, created(aBooking()), T1);
        expect(decision).toEqual({ action: 'reconcile', record: stored });
      });

      it('ignores a lower version', () => {
        const stored = applyAll([[rescheduled(moved(2, '2026-11-04T10:00')), T0]]);
        const { decision } = apply(stored, created(aBooking({ version: 1 })), T1);
        expect(decision.action).toBe('ignore');
      });

      it('acts as a reschedule when a higher version arrives for an active booking', () => {
        const stored = applyAll([[created(aBooking()), T0]]);
        const record = written(apply(stored, created(moved(2, '2026-11-05T10:00')), T1).decision);
        expect(record.activatedAt).toBe(T0);
        expect(record.plan['prep-instructions']).toEqual(stored?.plan['prep-instructions']);
        expect(record.plan['prep-reminder']?.at).toBe(localToUtc('2026-11-04T10:00', NY));
        expect(record.revision).toBe(2);
      });
    });

    describe('Booking Rescheduled', () => {
      it('acts as a create when it is the first event seen for the booking', () => {
        const record = written(apply(undefined, rescheduled(moved(2, '2026-11-04T10:00')), T0).decision);
        expect(record).toMatchObject({ status: 'active', version: 2, activatedAt: T0, revision: 1 });
        expect(record.plan['prep-instructions']).toMatchObject({ status: 'due', at: T0, version: 2 });
        expect(Object.keys(record.plan)).toHaveLength(6);
      });

      it('re-plans every kind from the new time but keeps the prep-instructions entry', () => {
        const stored = applyAll([[created(aBooking()), T0]]);
        const record = written(apply(stored, rescheduled(moved(2, '2026-11-06T11:00')), T1).decision);
        expect(record.plan['prep-instructions']).toEqual(stored?.plan['prep-instructions']);
        const fresh = planMessages({
          booking: moved(2, '2026-11-06T11:00'),
          activatedAt: T0,
          now: T1,
          policy: DEFAULT_POLICY,
          kinds: ['prep-reminder', 'prep-day-of', ...CHECKINS],
        });
        for (const message of fresh) expect(record.plan[message.kind]).toEqual(message);
        expect(record.plan['prep-reminder']).toMatchObject({
          version: 2,
          at: localToUtc('2026-11-05T11:00', NY),
        });
      });

      it('re-plans kinds already planned for the old time (the reminder is sent again for the new day)', () => {
        const stored = applyAll([[created(aBooking()), T0]]);
        const record = written(apply(stored, rescheduled(moved(2, '2026-11-03T15:00')), T1).decision);
        expect(record.plan['prep-reminder']).toMatchObject({
          status: 'scheduled',
          version: 2,
          at: localToUtc('2026-11-02T15:00', NY),
        });
      });

      it('plans prep-instructions for the new time when the first snapshot arrived after its session start', () => {
        // The Created arrives after its session began, so its instructions are dropped
        // (pre-session message at or after the start); the Rescheduled moves the session a week on.
        // "Only prep-instructions is not repeated": these were never sent, and the patient needs
        // them before the new session (they get them when the Rescheduled arrives first).
        const lateCreate = applyAll([[created(aBooking()), '2026-11-03T15:05:00.000Z']]);
        expect(lateCreate?.plan['prep-instructions']).toMatchObject({ status: 'skipped' });
        const { next } = apply(
          lateCreate,
          rescheduled(moved(2, '2026-11-10T10:00')),
          '2026-11-03T15:06:00.000Z',
        );
        expect(next?.plan['prep-instructions']).toMatchObject({
          status: 'due',
          at: '2026-11-03T15:06:00.000Z',
        });

        const otherOrder = applyAll([
          [rescheduled(moved(2, '2026-11-10T10:00')), '2026-11-03T15:05:00.000Z'],
          [created(aBooking()), '2026-11-03T15:06:00.000Z'],
        ]);
        expect(otherOrder?.plan['prep-instructions']).toMatchObject({ status: 'due' });
      });

      it('ignores a lower version that arrives late', () => {
        const stored = applyAll([
          [created(aBooking()), T0],
          [rescheduled(moved(3, '2026-11-05T10:00')), T1],
        ]);
        expect(apply(stored, rescheduled(moved(2, '2026-11-04T10:00')), T2).decision.action).toBe('ignore');
      });
    });

    describe('Booking Cancelled', () => {
      it('cancels an active booking, removes every pending message and records the reason', () => {
        const stored = applyAll([[created(aBooking()), T0]]);
        const record = written(apply(stored, cancelled(2, 'no-show'), T1).decision);
        expect(record).toMatchObject({
          status: 'cancelled',
          version: 2,
          cancelReason: 'no-show',
          cancelledAt: T1,
          plan: {},
          revision: 2,
        });
      });

      it('ignores a lower version and reconciles an equal one', () => {
        const stored = applyAll([[rescheduled(moved(3, '2026-11-04T10:00')), T0]]);
        expect(apply(stored, cancelled(2), T1).decision.action).toBe('ignore');
        const cancelledRecord = applyAll([
          [rescheduled(moved(3, '2026-11-04T10:00')), T0],
          [cancelled(4), T1],
        ]);
        expect(apply(cancelledRecord, cancelled(4), T2).decision).toEqual({
          action: 'reconcile',
          record: cancelledRecord,
        });
      });

      it('stores a tombstone for an unknown booking so a late lower-version create changes nothing', () => {
        const tombstone = written(apply(undefined, cancelled(2), T0).decision);
        expect(tombstone).toMatchObject({ bookingId: 'bk-0001', status: 'cancelled', version: 2, plan: {} });
        expect(tombstone.booking).toBeUndefined();
        expect(apply(tombstone, created(aBooking({ version: 1 })), T1).decision.action).toBe('ignore');
        expect(apply(tombstone, rescheduled(aBooking({ version: 2 })), T1).decision.action).toBe('reconcile');
      });

      it('keeps the check-ins when the session was completed before the cancel', () => {
        const stored = applyAll([
          [created(aBooking()), T0],
          [completed('2026-11-03T11:10:00-05:00'), T1],
        ]);
        const record = written(apply(stored, cancelled(2, 'billing'), T2).decision);
        expect(record.status).toBe('cancelled');
        expect(Object.keys(record.plan).sort()).toEqual([...CHECKINS].sort());
        for (const kind of CHECKINS) expect(record.plan[kind]).toEqual(stored?.plan[kind]);
        expect(record.endedAt).toBe('2026-11-03T11:10:00-05:00');
      });
    });

    describe('re-activation after a cancel', () => {
      it('plans a higher-version create as a new booking, instructions included', () => {
        const stored = applyAll([
          [created(aBooking()), T0],
          [cancelled(2), T1],
        ]);
        const record = written(apply(stored, created(moved(3, '2026-11-10T10:00')), T2).decision);
        expect(record).toMatchObject({ status: 'active', version: 3, activatedAt: T2, revision: 3 });
        expect(record.cancelReason).toBeUndefined();
        expect(record.plan['prep-instructions']).toMatchObject({ status: 'due', at: T2, version: 3 });
        expect(Object.keys(record.plan)).toHaveLength(6);
      });

      it('re-activates a tombstone with a higher-version Rescheduled', () => {
        const record = applyAll([
          [cancelled(2), T0],
          [rescheduled(moved(3, '2026-11-10T10:00')), T1],
        ]);
        expect(record).toMatchObject({ status: 'active', version: 3, activatedAt: T1 });
        expect(record?.plan['prep-instructions']).toMatchObject({ status: 'due', at: T1 });
      });
    });

    describe('Session Completed', () => {
      const END = '2026-11-03T11:40:00-05:00';

      it('keeps a completion for an unknown booking as pending', () => {
        const record = written(apply(undefined, completed(END), T0).decision);
        expect(record).toMatchObject({
          bookingId: 'bk-0001',
          status: 'pending',
          version: 0,
          endedAt: END,
          plan: {},
        });
      });

      it('applies a pending completion when the booking arrives', () => {
        const record = applyAll([
          [completed(END), T0],
          [created(aBooking()), T1],
        ]);
        expect(record).toMatchObject({
          status: 'active',
          version: 1,
          endedAt: END,
          activatedAt: T1,
          revision: 2,
        });
        expect(record?.plan['checkin-same-day']?.at).toBe(localToUtc('2026-11-03T15:40', NY));
        expect(record?.plan['checkin-next-day']?.at).toBe(localToUtc('2026-11-04T11:40', NY));
      });

      it('applies a pending completion even when the booking first arrives as a Rescheduled', () => {
        const record = applyAll([
          [completed(END), T0],
          [rescheduled(aBooking({ version: 2 })), T1],
        ]);
        expect(record).toMatchObject({ status: 'active', endedAt: END });
        expect(record?.plan['checkin-week']?.at).toBe(localToUtc('2026-11-10T11:40', NY));
      });

      it('re-anchors the check-ins of an active booking and leaves the pre-session messages', () => {
        const stored = applyAll([[created(aBooking()), T0]]);
        const record = written(apply(stored, completed(END), T1).decision);
        expect(record.endedAt).toBe(END);
        expect(record.version).toBe(1);
        expect(record.plan['checkin-same-day']?.at).toBe(localToUtc('2026-11-03T15:40', NY));
        expect(record.plan['prep-reminder']).toEqual(stored?.plan['prep-reminder']);
        expect(record.plan['prep-instructions']).toEqual(stored?.plan['prep-instructions']);
      });

      it('changes nothing when the same endedAt arrives twice', () => {
        const stored = applyAll([
          [created(aBooking()), T0],
          [completed(END), T1],
        ]);
        expect(apply(stored, completed('2026-11-03T16:40:00Z'), T2).decision).toEqual({
          action: 'reconcile',
          record: stored,
        });
        const pending = applyAll([[completed(END), T0]]);
        expect(apply(pending, completed(END), T1).decision.action).toBe('ignore');
      });

      it('is ignored for a cancelled booking', () => {
        const stored = applyAll([
          [created(aBooking()), T0],
          [cancelled(2), T1],
        ]);
        expect(apply(stored, completed(END), T2).decision.action).toBe('ignore');
      });

      it('is cleared by a later Rescheduled with a new start', () => {
        const record = applyAll([
          [created(aBooking()), T0],
          [completed(END), T1],
          [rescheduled(moved(2, '2026-11-05T10:00')), T2],
        ]);
        expect(record?.endedAt).toBeUndefined();
        // Check-ins from the new start + duration: ends 11:00, +4 h.
        expect(record?.plan['checkin-same-day']?.at).toBe(localToUtc('2026-11-05T15:00', NY));
      });

      it('changes nothing when the same Session Completed is redelivered after a reschedule cleared it', () => {
        // DESIGN 2: duplicates are normal, "the same endedAt twice changes nothing", and a
        // Rescheduled with a new start clears the completion. The redelivery must not re-anchor
        // the check-ins of the session moved to Nov 10 to the old session's end on Nov 3.
        const stored = applyAll([
          [created(aBooking()), T0],
          [completed(END), T1],
          [rescheduled(moved(2, '2026-11-10T10:00')), T2],
        ]);
        expect(stored?.endedAt).toBeUndefined();
        const { decision, next } = apply(stored, completed(END), T3);
        expect(['ignore', 'reconcile']).toContain(decision.action);
        expect(next?.endedAt).toBeUndefined();
        expect(next?.plan['checkin-same-day']?.at).toBe(localToUtc('2026-11-10T15:00', NY));
      });

      it('survives a later Rescheduled that keeps the start (e.g. a new phone number)', () => {
        const record = applyAll([
          [created(aBooking()), T0],
          [completed(END), T1],
          [rescheduled(aBooking({ version: 2, patient: { phone: '+15555550199' } })), T2],
        ]);
        expect(record?.endedAt).toBe(END);
        expect(record?.plan['checkin-same-day']).toMatchObject({
          at: localToUtc('2026-11-03T15:40', NY),
          version: 2,
        });
      });
    });
  });

  describe('eventBookingId', () => {
    it('names the booking of every event type', () => {
      expect(eventBookingId(created(aBooking({ bookingId: 'a-1' })))).toBe('a-1');
      expect(eventBookingId(rescheduled(aBooking({ bookingId: 'b-2' })))).toBe('b-2');
      expect(eventBookingId(cancelled(3, undefined, 'c-3'))).toBe('c-3');
      expect(eventBookingId(completed(T3, 'd-4'))).toBe('d-4');
    });
  });
});
