import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { BookingEvent, FullBooking } from '../../shared/contracts/booking-events';
import { CHECKIN_KINDS, type MessageKind } from '../../shared/contracts/vocabulary';
import { type BookingDecision, decideBookingEvent } from '../../shared/domain/booking/booking-lifecycle';
import { planMessages } from '../../shared/domain/booking/plan';
import type { BookingRecord, PlannedMessage } from '../../shared/domain/booking-record';
import { aBooking, DEFAULT_POLICY } from '../support/fixtures';

const NY = 'America/New_York';
const BOOKING_ID = 'bk-model';
/** The first event arrives Thu 2026-10-01 10:00 New York; each later one a minute after the previous. */
const T0 = Date.parse('2026-10-01T14:00:00Z');
const nowAt = (step: number) => new Date(T0 + step * 60_000).toISOString();
const NUM_RUNS = 300;

const SCHEDULED_KINDS: readonly MessageKind[] = ['prep-reminder', 'prep-day-of'];

/** One event of a booking's history, before it is turned into a contract event. */
type HistoryEvent =
  | { tag: string; kind: 'snapshot'; type: 'created' | 'rescheduled'; booking: FullBooking }
  | { tag: string; kind: 'cancel'; version: number; reason?: string }
  | { tag: string; kind: 'completed'; endedAt: string };

function toEvent(event: HistoryEvent): BookingEvent {
  switch (event.kind) {
    case 'snapshot':
      return { type: event.type, booking: event.booking };
    case 'cancel':
      return {
        type: 'cancelled',
        cancel: {
          bookingId: BOOKING_ID,
          version: event.version,
          ...(event.reason ? { reason: event.reason } : {}),
        },
      };
    case 'completed':
      return { type: 'completed', completion: { bookingId: BOOKING_ID, endedAt: event.endedAt } };
  }
}

const versionOf = (event: HistoryEvent) =>
  event.kind === 'snapshot' ? event.booking.version : event.kind === 'cancel' ? event.version : undefined;

/** A session start 10..60 days after T0 at a daytime or evening New York wall-clock time. */
const startArb = fc
  .record({
    day: fc.integer({ min: 10, max: 60 }),
    hour: fc.integer({ min: 6, max: 22 }),
    quarter: fc.nat(3),
  })
  .map(
    ({ day, hour, quarter }) =>
      DateTime.fromMillis(T0, { zone: NY })
        .plus({ days: day })
        .set({ hour, minute: quarter * 15, second: 0, millisecond: 0 })
        .toISO({ suppressMilliseconds: true }) as string,
  );

const snapshot = (
  tag: string,
  type: 'created' | 'rescheduled',
  version: number,
  startsAt: string,
  duration: number,
) =>
  ({
    tag,
    kind: 'snapshot',
    type,
    booking: aBooking({ bookingId: BOOKING_ID, version, session: { startsAt, durationMinutes: duration } }),
  }) as const satisfies HistoryEvent;

/**
 * A booking's history: Created v1, Rescheduled v2 and v3 (sometimes keeping
 * the start), Cancelled v4, Session Completed, a re-activating Created v5 and
 * a Cancelled v6, each present or not; every present event delivered 1..3
 * times, all in a random order.
 */
const historyArb = fc
  .record({
    starts: fc.tuple(startArb, startArb, startArb, startArb),
    keepStart2: fc.boolean(),
    keepStart3: fc.boolean(),
    duration: fc.integer({ min: 15, max: 600 }),
    endAfterStartMinutes: fc.integer({ min: 20, max: 300 }),
    endOfSession: fc.nat(2),
    present: fc.record({
      c1: fc.boolean(),
      r2: fc.boolean(),
      r3: fc.boolean(),
      x4: fc.boolean(),
      done: fc.boolean(),
      c5: fc.boolean(),
      x6: fc.boolean(),
    }),
    copies: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 7, maxLength: 7 }),
    reason: fc.option(fc.constantFrom('no-show', 'patient request'), { nil: undefined }),
  })
  .map((r) => {
    const [s1, s2raw, s3raw, s5raw] = r.starts;
    const s2 = r.keepStart2 ? s1 : s2raw;
    const s3 = r.keepStart3 ? s2 : s3raw;
    // The re-activation is always on a start of its own.
    const s5 = [s1, s2, s3].includes(s5raw)
      ? (DateTime.fromISO(s5raw).plus({ days: 1 }).toISO({ suppressMilliseconds: true }) as string)
      : s5raw;
    const endedAt = DateTime.fromISO([s1, s2, s3][r.endOfSession] as string)
      .plus({ minutes: r.endAfterStartMinutes })
      .toUTC()
      .toISO() as string;
    const all: [boolean, HistoryEvent][] = [
      [r.present.c1, snapshot('C1', 'created', 1, s1, r.duration)],
      [r.present.r2, snapshot('R2', 'rescheduled', 2, s2, r.duration)],
      [r.present.r3, snapshot('R3', 'rescheduled', 3, s3, r.duration)],
      [r.present.x4, { tag: 'X4', kind: 'cancel', version: 4, ...(r.reason ? { reason: r.reason } : {}) }],
      [r.present.done, { tag: 'D', kind: 'completed', endedAt }],
      [r.present.c5, snapshot('C5', 'created', 5, s5, r.duration)],
      [r.present.x6, { tag: 'X6', kind: 'cancel', version: 6 }],
    ];
    const events = all.flatMap(([present, event], i) =>
      present ? Array.from({ length: r.copies[i] ?? 1 }, () => event) : [],
    );
    return events.length > 0 ? events : [all[0]?.[1] as HistoryEvent];
  })
  .chain((events) => fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }));

/** The state DESIGN section 2 says the booking is in, kept by hand. */
interface ModelState {
  status: 'none' | 'pending' | 'active' | 'cancelled';
  version: number;
  booking?: FullBooking;
  endedAt?: string;
  activatedAt?: string;
  activationVersion?: number;
  /** For a cancelled booking: the check-ins it keeps because the session happened. */
  keptCheckins?: PlannedMessage[];
}

const sameInstant = (a: string | undefined, b: string | undefined) =>
  a !== undefined && b !== undefined && Date.parse(a) === Date.parse(b);

function expectedCheckins(
  booking: FullBooking,
  endedAt: string | undefined,
  activatedAt: string,
): PlannedMessage[] {
  return planMessages({
    booking,
    activatedAt,
    now: nowAt(0),
    policy: DEFAULT_POLICY,
    kinds: CHECKIN_KINDS,
    ...(endedAt ? { endedAt } : {}),
  });
}

type Action = BookingDecision['action'];

/** DESIGN's rules for one event: the actions allowed and the state after it. */
function modelStep(
  state: ModelState,
  event: HistoryEvent,
  now: string,
): { action: Action | Action[]; state: ModelState } {
  const versioned = state.status === 'active' || state.status === 'cancelled';
  switch (event.kind) {
    case 'snapshot': {
      const { booking } = event;
      if (versioned && booking.version < state.version) return { action: 'ignore', state };
      if (versioned && booking.version === state.version) return { action: 'reconcile', state };
      if (state.status === 'active') {
        // A reschedule: a new start clears the completion; the instructions stay as they were.
        const keepsEnd = state.booking?.session.startsAt === booking.session.startsAt;
        const { endedAt: _ended, ...rest } = state;
        return {
          action: 'write',
          state: {
            ...rest,
            version: booking.version,
            booking,
            ...(keepsEnd && state.endedAt ? { endedAt: state.endedAt } : {}),
          },
        };
      }
      // A new booking: first seen, after a lone completion, or re-activated after a cancel.
      const pendingEnd = state.status === 'pending' ? state.endedAt : undefined;
      const endedAt = pendingEnd && endsWithinSession(pendingEnd, booking) ? pendingEnd : undefined;
      return {
        action: 'write',
        state: {
          status: 'active',
          version: booking.version,
          booking,
          activatedAt: now,
          activationVersion: booking.version,
          ...(endedAt ? { endedAt } : {}),
        },
      };
    }
    case 'cancel': {
      if (versioned && event.version < state.version) return { action: 'ignore', state };
      if (versioned && event.version === state.version) return { action: 'reconcile', state };
      const kept =
        state.status === 'active' && state.endedAt && state.booking && state.activatedAt
          ? expectedCheckins(state.booking, state.endedAt, state.activatedAt)
          : state.status === 'cancelled'
            ? state.keptCheckins
            : undefined;
      return {
        action: 'write',
        state: {
          ...state,
          status: 'cancelled',
          version: event.version,
          ...(kept ? { keptCheckins: kept } : {}),
        },
      };
    }
    case 'completed': {
      if (state.status === 'none')
        return { action: 'write', state: { status: 'pending', version: 0, endedAt: event.endedAt } };
      if (state.status === 'cancelled') return { action: 'ignore', state };
      // An end outside the current session's window (start, end + 12 h] is the end of the session as
      // it was before a reschedule: "a later Rescheduled with a new start clears it" for good.
      if (state.booking && !endsWithinSession(event.endedAt, state.booking))
        return { action: 'ignore', state };
      if (sameInstant(state.endedAt, event.endedAt)) {
        return { action: state.status === 'active' ? 'reconcile' : 'ignore', state };
      }
      return { action: 'write', state: { ...state, endedAt: event.endedAt } };
    }
  }
}

/**
 * Feeds a history through decideBookingEvent and a tiny in-memory store,
 * checking each step; with `againstModel`, also each decision against the model.
 */
function run(history: HistoryEvent[], againstModel = false) {
  let stored: BookingRecord | undefined;
  let model: ModelState = { status: 'none', version: 0 };
  const trace: string[] = [];
  history.forEach((event, step) => {
    const now = nowAt(step);
    const snapshot = structuredClone(stored);
    const decision = decideBookingEvent(stored, toEvent(event), now, DEFAULT_POLICY);
    const expected = modelStep(model, event, now);
    trace.push(`${event.tag}->${decision.action}`);
    const where = trace.join(' ');
    expect(stored, `${where}: the stored record was mutated`).toEqual(snapshot);
    if (againstModel) expect([expected.action].flat(), where).toContain(decision.action);
    if (decision.action === 'reconcile') expect(decision.record, where).toEqual(stored);
    if (decision.action === 'write') {
      // The store: write replaces the record under an optimistic lock, revision + 1.
      expect(decision.record.revision, where).toBe((stored?.revision ?? 0) + 1);
      expect(decision.record.bookingId).toBe(BOOKING_ID);
      expect(decision.record.updatedAt).toBe(now);
      if (event.kind === 'snapshot' && stored?.status === 'active') {
        expect(
          decision.record.plan['prep-instructions'],
          `${where}: a reschedule re-planned the instructions`,
        ).toEqual(stored.plan['prep-instructions']);
      }
      stored = structuredClone(decision.record);
    }
    model = expected.state;
  });
  return { stored, model, trace: trace.join(' ') };
}

function checkAgainstModel(stored: BookingRecord | undefined, model: ModelState, trace: string) {
  expect(stored?.status, trace).toBe(model.status === 'none' ? undefined : model.status);
  if (!stored) return;
  expect(stored.version, trace).toBe(model.version);
  if (model.status !== 'cancelled') expect(stored.booking, trace).toEqual(model.booking);
  expect(stored.endedAt === undefined ? undefined : Date.parse(stored.endedAt), trace).toBe(
    model.endedAt === undefined ? undefined : Date.parse(model.endedAt),
  );
  if (model.status === 'pending') expect(stored.plan, trace).toEqual({});
  if (model.status === 'cancelled') {
    const kept = Object.fromEntries((model.keptCheckins ?? []).map((m) => [m.kind, m]));
    expect(stored.plan, trace).toEqual(kept);
  }
  if (model.status === 'active' && model.booking && model.activatedAt) {
    expect(stored.activatedAt, trace).toBe(model.activatedAt);
    expect(stored.plan['prep-instructions'], trace).toEqual({
      kind: 'prep-instructions',
      plannedAt: model.activatedAt,
      at: model.activatedAt,
      status: 'due',
      channels: ['email'],
      version: model.activationVersion,
    });
    const preSession = planMessages({
      booking: model.booking,
      activatedAt: model.activatedAt,
      now: nowAt(0),
      policy: DEFAULT_POLICY,
      kinds: SCHEDULED_KINDS,
    });
    for (const message of [
      ...preSession,
      ...expectedCheckins(model.booking, model.endedAt, model.activatedAt),
    ]) {
      expect(stored.plan[message.kind], `${trace}: ${message.kind}`).toEqual(message);
    }
    expect(Object.keys(stored.plan), trace).toHaveLength(6);
  }
}

describe('booking-lifecycle', () => {
  describe('decideBookingEvent (model, any order, with duplicates)', () => {
    it('ends in the state DESIGN section 2 describes, step by step', () => {
      fc.assert(
        fc.property(historyArb, (history) => {
          const { stored, model, trace } = run(history, true);
          checkAgainstModel(stored, model, trace);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('stores the highest version seen among Created, Rescheduled and Cancelled', () => {
      fc.assert(
        fc.property(historyArb, (history) => {
          const versions = history.map(versionOf).filter((v): v is number => v !== undefined);
          const { stored, trace } = run(history);
          expect(stored?.version, trace).toBe(versions.length > 0 ? Math.max(...versions) : 0);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('ends cancelled with an empty plan when a Cancelled has the highest version and no session completed', () => {
      fc.assert(
        fc.property(
          historyArb.filter((h) => !h.some((e) => e.kind === 'completed')),
          (history) => {
            const top = history.reduce<HistoryEvent | undefined>(
              (best, e) => ((versionOf(e) ?? 0) > (best ? (versionOf(best) ?? 0) : 0) ? e : best),
              undefined,
            );
            const { stored, trace } = run(history);
            if (top?.kind === 'cancel') {
              expect(stored?.status, trace).toBe('cancelled');
              expect(stored?.plan, trace).toEqual({});
            } else {
              expect(stored?.status, trace).toBe('active');
              expect(stored?.booking, trace).toEqual(top?.kind === 'snapshot' ? top.booking : undefined);
            }
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('reaches the same booking and plan in any order when no session completed', () => {
      const withoutCompletion = historyArb.filter((h) => !h.some((e) => e.kind === 'completed'));
      fc.assert(
        fc.property(
          withoutCompletion.chain((h) =>
            fc.tuple(fc.constant(h), fc.shuffledSubarray(h, { minLength: h.length, maxLength: h.length })),
          ),
          ([first, second]) => {
            const a = run(first).stored;
            const b = run(second).stored;
            const comparable = (r: BookingRecord | undefined) => {
              const { 'prep-instructions': _instructions, ...plan } = r?.plan ?? {};
              // A cancelled record may keep the last snapshot it saw; only an active booking's snapshot matters.
              const booking = r?.status === 'active' ? r.booking : undefined;
              return { status: r?.status, version: r?.version, booking, plan };
            };
            expect(comparable(b)).toEqual(comparable(a));
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });

    it('keeps the check-ins of a session that completed before it was cancelled', () => {
      fc.assert(
        fc.property(historyArb, (history) => {
          const { stored, trace } = run(history);
          const firstDone = history.findIndex((e) => e.kind === 'completed');
          const lastCancel = history.findLastIndex((e) => e.kind === 'cancel');
          if (stored?.status !== 'cancelled' || firstDone === -1 || lastCancel < firstDone) return;
          // The check-ins survive when the booking was active when the session completed.
          const activeBeforeDone = history.slice(0, firstDone).some((e) => e.kind === 'snapshot');
          const cancelBeforeDone = history.slice(0, firstDone).some((e) => e.kind === 'cancel');
          if (activeBeforeDone && !cancelBeforeDone && stored.endedAt) {
            expect(Object.keys(stored.plan).sort(), trace).toEqual([...CHECKIN_KINDS].sort());
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});

function endsWithinSession(endedAt: string, booking: FullBooking): boolean {
  const start = DateTime.fromISO(booking.session.startsAt);
  const end = DateTime.fromISO(endedAt);
  return end > start && end <= start.plus({ minutes: booking.session.durationMinutes, hours: 12 });
}
