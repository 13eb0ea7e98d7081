import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FullBooking } from '../../shared/contracts/booking-events';
import { isCheckinKind, MESSAGE_KINDS } from '../../shared/contracts/vocabulary';
import { pickChannels, planMessages, readinessDeadline } from '../../shared/domain/booking/plan';
import { processBookingEvent } from '../../shared/domain/booking/process-booking-event';
import type { BookingRecord } from '../../shared/domain/booking-record';
import { shiftIso } from '../../shared/domain/time';
import {
  config,
  duplicates,
  fireDue,
  type MessagingHarness,
  messageKey,
  messagingHarness,
  type Sent,
} from './support';

/*
 * Event storm: many bookings, each with a random history (create, reschedules,
 * cancels, re-activations, a completion), delivered as EventBridge does: at
 * least once, duplicated and in any order, while the clock moves forward and
 * due schedules fire in between. Everything goes through the real use cases
 * and the real DynamoDB stores on dynalite.
 */

const T0 = '2026-03-02T14:00:00.000Z';
const ZONES = ['America/New_York', 'America/Chicago', 'America/Los_Angeles', 'Europe/Madrid'] as const;
const POLICY = {
  rules: config.plan,
  quietHours: config.quietHours,
  graceMinutes: config.graceMinutes,
  smsPerDay: config.sms.perPatientPerDay,
  readinessHours: config.readiness.deadlineHours,
};
const BOOKINGS_PER_RUN = 30;
const RUNS = 10;

type Op =
  | { type: 'snapshot'; detailType: 'Booking Created' | 'Booking Rescheduled'; startMinutes: number }
  | { type: 'cancel' };

interface BookingSpec {
  zone: (typeof ZONES)[number];
  durationMinutes: number;
  contact: 'email' | 'sms' | 'both';
  preferredChannel: 'email' | 'sms' | 'both';
  /** Op i carries version i + 1; op 0 is always a snapshot. */
  ops: Op[];
  /** A Session Completed for the session of snapshot op `ofOp`, ending `jitter` minutes off its planned end. */
  completion?: { ofOp: number; jitter: number };
  /** Each event's deliveries: a priority in the global order and the minutes the clock moves before it. */
  deliveries: { priority: number; stepMinutes: number; asText: boolean }[][];
}

const startMinutes = fc.integer({ min: 8, max: 4 * 24 * 4 }).map((quarters) => quarters * 15);
const snapshotOp = fc.record({
  type: fc.constant('snapshot' as const),
  detailType: fc.constantFrom('Booking Created' as const, 'Booking Rescheduled' as const),
  startMinutes,
});
const anyOp: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: snapshotOp },
  { weight: 1, arbitrary: fc.constant({ type: 'cancel' as const }) },
);
const delivery = fc.record({
  priority: fc.nat(1_000_000),
  stepMinutes: fc.integer({ min: 0, max: 15 }),
  asText: fc.boolean(),
});

const bookingSpec: fc.Arbitrary<BookingSpec> = fc
  .record({
    zone: fc.constantFrom(...ZONES),
    durationMinutes: fc.constantFrom(60, 90, 120, 180),
    contact: fc.constantFrom('email' as const, 'sms' as const, 'both' as const),
    preferredChannel: fc.constantFrom('email' as const, 'sms' as const, 'both' as const),
    first: snapshotOp,
    rest: fc.array(anyOp, { maxLength: 4 }),
    completion: fc.option(fc.record({ ofOp: fc.nat(4), jitter: fc.integer({ min: -20, max: 40 }) }), {
      nil: undefined,
    }),
    copies: fc.array(fc.array(delivery, { minLength: 1, maxLength: 3 }), { minLength: 7, maxLength: 7 }),
  })
  .map(({ first, rest, copies, completion, ...fields }) => {
    const ops: Op[] = [{ ...first, detailType: 'Booking Created' }, ...rest];
    const snapshots = ops.flatMap((op, i) => (op.type === 'snapshot' ? [i] : []));
    const fixedCompletion = completion
      ? { ofOp: snapshots[completion.ofOp % snapshots.length] ?? 0, jitter: completion.jitter }
      : undefined;
    const eventCount = ops.length + (fixedCompletion ? 1 : 0);
    return {
      ...fields,
      ops,
      ...(fixedCompletion ? { completion: fixedCompletion } : {}),
      deliveries: copies.slice(0, eventCount),
    };
  });

/** A distinct phone per booking id (`storm-<run>-<index>`). */
function phoneOf(id: string): string {
  const [, run = '0', index = '0'] = /^storm-(\d+)-(\d+)$/.exec(id) ?? [];
  return `+1555${String(Number(run) * 1000 + Number(index)).padStart(7, '0')}`;
}

function snapshotOf(id: string, spec: BookingSpec, opIndex: number): FullBooking {
  const op = spec.ops[opIndex];
  if (op?.type !== 'snapshot') throw new Error('not a snapshot');
  return {
    bookingId: id,
    version: opIndex + 1,
    session: {
      startsAt: shiftIso(T0, { minutes: op.startMinutes }),
      durationMinutes: spec.durationMinutes,
      timeZone: spec.zone,
      treatment: 'iv-ketamine',
    },
    patient: {
      id: `p-${id}`,
      firstName: 'Storm',
      ...(spec.contact !== 'sms' ? { email: `${id}@example.org` } : {}),
      // Each patient's own phone: the SMS cap counts every text to a phone, whatever the booking.
      ...(spec.contact !== 'email' ? { phone: phoneOf(id) } : {}),
      preferredChannel: spec.preferredChannel,
      language: 'en',
    },
  };
}

function eventsOf(id: string, spec: BookingSpec) {
  const events = spec.ops.map((op, i) =>
    op.type === 'snapshot'
      ? { detailType: op.detailType, detail: snapshotOf(id, spec, i) as unknown }
      : {
          detailType: 'Booking Cancelled',
          detail: { bookingId: id, version: i + 1, reason: 'no-show' } as unknown,
        },
  );
  if (spec.completion) {
    const session = snapshotOf(id, spec, spec.completion.ofOp).session;
    const endedAt = shiftIso(session.startsAt, { minutes: session.durationMinutes + spec.completion.jitter });
    events.push({ detailType: 'Session Completed', detail: { bookingId: id, endedAt } });
  }
  return events;
}

/** Checks made at the moment of each send, against the booking as stored then. */
async function checkAtSend(h: MessagingHarness, sent: Sent, violations: string[]) {
  const record = await h.deps.bookings.get(sent.bookingId);
  const where = `${sent.bookingId} ${sent.kind} ${sent.channel} at ${sent.sentAt}`;
  if (!record) return void violations.push(`${where}: sent for an unknown booking`);
  const keptCheckin =
    record.status === 'cancelled' && record.endedAt !== undefined && isCheckinKind(sent.kind);
  if (record.status !== 'active' && !keptCheckin) violations.push(`${where}: sent while ${record.status}`);
  const entry = record.plan[sent.kind];
  if (!entry || Date.parse(entry.plannedAt) !== Date.parse(sent.at)) {
    violations.push(`${where}: planned ${sent.at} is not in the current plan (${entry?.plannedAt})`);
  }
}

function pendingOf(h: MessagingHarness, bookingId: string) {
  return h.scheduler
    .pending()
    .flatMap((s) => (s.target === 'send-message' && s.payload.bookingId === bookingId ? [s] : []))
    .map((s) => {
      const what = 'check' in s.payload ? 'readiness-deadline' : s.payload.kind;
      return `${what} planned ${Date.parse(s.payload.at)} fires ${Date.parse(s.fireAt)}`;
    })
    .sort();
}

function expectedPending(record: BookingRecord, now: string, deadlineHours: number) {
  const messages = MESSAGE_KINDS.flatMap((kind) => {
    const entry = record.plan[kind];
    return entry?.status === 'scheduled' && Date.parse(entry.at) > Date.parse(now)
      ? [`${kind} planned ${Date.parse(entry.plannedAt)} fires ${Date.parse(entry.at)}`]
      : [];
  });
  // The readiness deadline follows the session of an active booking, until it passes.
  const deadline =
    record.status === 'active' && record.booking
      ? Date.parse(readinessDeadline(record.booking, deadlineHours))
      : Number.NaN;
  const readiness =
    deadline > Date.parse(now) ? [`readiness-deadline planned ${deadline} fires ${deadline}`] : [];
  return [...messages, ...readiness].sort();
}

let runNumber = 0;

describe('booking events under a storm of duplicates and reordering', () => {
  it('keeps schedules equal to the stored plan of the highest version and never sends twice or after a cancel', async () => {
    let bookingsSeen = 0;
    const seen = { sent: 0, cancelled: 0, keptCheckins: 0, completed: 0, deliveries: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.array(bookingSpec, { minLength: BOOKINGS_PER_RUN, maxLength: BOOKINGS_PER_RUN }),
        async (specs) => {
          const run = ++runNumber;
          const violations: string[] = [];
          const h: MessagingHarness = await messagingHarness({
            clockStart: T0,
            onSent: (sent) => checkAtSend(h, sent, violations),
          });
          const ids = specs.map((_, i) => `storm-${run}-${i}`);
          const deliveries = specs.flatMap((spec, b) => {
            const id = ids[b] ?? '';
            return eventsOf(id, spec).flatMap((event, e) =>
              (spec.deliveries[e] ?? []).map((d) => ({ ...d, ...event })),
            );
          });
          deliveries.sort((a, b) => a.priority - b.priority);

          for (const d of deliveries) {
            await fireDue(h, shiftIso(h.clock.now(), { minutes: d.stepMinutes }));
            const outcome = await processBookingEvent(h.deps, {
              source: 'clinic.booking',
              detailType: d.detailType,
              detail: d.asText ? JSON.stringify(d.detail) : d.detail,
            });
            expect(outcome.status, JSON.stringify(outcome)).not.toBe('rejected');
          }
          await fireDue(h, h.clock.now());
          const stormEnd = h.clock.now();

          // 1. Schedules equal the stored plan of the highest version.
          for (const [b, spec] of specs.entries()) {
            const id = ids[b] ?? '';
            const record = await h.deps.bookings.get(id);
            const lastOp = spec.ops.length - 1;
            expect(record?.version, id).toBe(spec.ops.length);
            expect(record?.status, id).toBe(spec.ops[lastOp]?.type === 'cancel' ? 'cancelled' : 'active');
            if (!record) continue;
            expect(pendingOf(h, id), id).toEqual(
              expectedPending(record, stormEnd, h.deps.config.readiness.deadlineHours),
            );
            if (record.endedAt) seen.completed++;
            if (record.status === 'cancelled') {
              seen.cancelled++;
              const kept = MESSAGE_KINDS.filter((k) => record.plan[k]?.status === 'scheduled');
              // Only the check-ins of a session that was completed before the cancel survive it.
              if (kept.length > 0) {
                seen.keptCheckins++;
                expect(spec.completion, id).toBeDefined();
                expect(record.endedAt, id).toBeDefined();
                expect(kept.every(isCheckinKind), id).toBe(true);
              }
              continue;
            }
            const latest = snapshotOf(id, spec, lastOp);
            expect(record.booking?.session.startsAt, id).toBe(latest.session.startsAt);
            // Every scheduled message sits at the time the plan's rules give for the latest snapshot.
            const oracle = planMessages({
              booking: latest,
              activatedAt: record.activatedAt ?? '',
              ...(record.endedAt ? { endedAt: record.endedAt } : {}),
              now: stormEnd,
              policy: POLICY,
            });
            for (const kind of MESSAGE_KINDS) {
              const entry = record.plan[kind];
              if (entry?.status !== 'scheduled') continue;
              expect(`${kind} ${entry.plannedAt}`, id).toBe(
                `${kind} ${oracle.find((m) => m.kind === kind)?.plannedAt}`,
              );
            }
          }

          // 2. Fire everything left in time order.
          await fireDue(h, shiftIso(T0, { days: 20 }));
          expect(h.scheduler.pending(), 'schedules left after 20 days').toEqual([]);
          expect(violations).toEqual([]);
          expect(h.identityErrors).toEqual([]);
          expect(duplicates(h.sent.map(messageKey))).toEqual([]);
          expect(h.deadLetters).toEqual([]);

          // 3. Whatever the final plan still holds went out, on each channel the patient has.
          const sentKeys = new Set(h.sent.map(messageKey));
          for (const [b, spec] of specs.entries()) {
            const id = ids[b] ?? '';
            const record = await h.deps.bookings.get(id);
            const patient = record?.booking?.patient ?? snapshotOf(id, spec, 0).patient;
            for (const kind of MESSAGE_KINDS) {
              const entry = record?.plan[kind];
              if (kind === 'prep-instructions' || !entry || entry.status === 'skipped') continue;
              const rule = config.plan.find((r) => r.kind === kind);
              // A text the plan's SMS cap moved to email is not owed by SMS, nor one the send-time cap held back:
              // the patient's phone had its 3 texts in the day before (texts of a plan a reschedule replaced count).
              const at = Date.parse(entry.at);
              const textsBefore = h.sent.filter(
                (m) =>
                  m.bookingId === id &&
                  m.channel === 'sms' &&
                  Date.parse(m.sentAt) > at - 86_400_000 &&
                  Date.parse(m.sentAt) <= at,
              ).length;
              const owed = pickChannels(rule?.channels ?? 'both', patient).filter(
                (channel) =>
                  !(
                    channel === 'sms' &&
                    (entry.smsCapped === 'email' || textsBefore >= config.sms.perPatientPerDay)
                  ),
              );
              for (const channel of owed) {
                const key = messageKey({ bookingId: id, kind, at: entry.plannedAt, channel });
                expect(sentKeys.has(key), `never sent: ${key}`).toBe(true);
              }
            }
          }
          bookingsSeen += specs.length;
          seen.sent += h.sent.length;
          seen.deliveries += deliveries.length;
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(bookingsSeen).toBeGreaterThanOrEqual(300);
    // The storm really covered the interesting cases (a sanity check on the generators).
    expect(seen.sent).toBeGreaterThan(bookingsSeen);
    expect(seen.cancelled).toBeGreaterThan(10);
    expect(seen.completed).toBeGreaterThan(10);
    expect(seen.deliveries).toBeGreaterThan(2 * bookingsSeen);
    console.info('event storm', JSON.stringify({ bookings: bookingsSeen, ...seen }));
  }, 120_000);
});
