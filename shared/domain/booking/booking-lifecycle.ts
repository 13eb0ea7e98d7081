import type {
  BookingCancelled,
  BookingEvent,
  FullBooking,
  SessionCompleted,
} from '../../contracts/booking-events';
import { MESSAGE_KINDS, type MessageKind } from '../../contracts/vocabulary';
import type { BookingRecord, PlannedMessage } from '../booking-record';
import { type PlanPolicy, planMessages } from './plan';

/**
 * What one event does to a booking:
 * - `write`: a new state to store (then reconcile its schedules);
 * - `reconcile`: a duplicate; no new state, but the stored plan's schedules
 *   are reconciled again so a crash between storing and scheduling heals;
 * - `ignore`: stale or meaningless; nothing to do.
 */
export type BookingDecision =
  | { action: 'write'; record: BookingRecord }
  | { action: 'reconcile'; record: BookingRecord }
  | { action: 'ignore'; reason: string };

/** The booking id an event concerns. */
export function eventBookingId(event: BookingEvent): string {
  switch (event.type) {
    case 'created':
    case 'rescheduled':
      return event.booking.bookingId;
    case 'cancelled':
      return event.cancel.bookingId;
    case 'completed':
      return event.completion.bookingId;
  }
}

/**
 * Applies one booking event to the stored state (DESIGN section 2). Pure:
 * EventBridge delivers at least once and in any order, so every rule here
 * must give the same final state for duplicates and any arrival order.
 */
export function decideBookingEvent(
  stored: BookingRecord | undefined,
  event: BookingEvent,
  now: string,
  policy: PlanPolicy,
): BookingDecision {
  switch (event.type) {
    case 'created':
    case 'rescheduled':
      return applySnapshot(stored, event.booking, now, policy);
    case 'cancelled':
      return applyCancel(stored, event.cancel, now, policy);
    case 'completed':
      return applyCompletion(stored, event.completion, now, policy);
  }
}

function applySnapshot(
  stored: BookingRecord | undefined,
  booking: FullBooking,
  now: string,
  policy: PlanPolicy,
): BookingDecision {
  const base = { bookingId: booking.bookingId, revision: (stored?.revision ?? 0) + 1, updatedAt: now };
  if (stored && stored.status !== 'pending') {
    if (booking.version < stored.version) return { action: 'ignore', reason: 'stale version' };
    if (booking.version === stored.version) return { action: 'reconcile', record: stored };
  }
  const sameStart = stored?.booking?.session.startsAt === booking.session.startsAt;
  // A completion that arrived first applies; a new start time makes it moot.
  const kept = stored?.status === 'pending' || sameStart ? stored?.endedAt : undefined;
  const endedAt = kept && endsThisSession(kept, booking) ? kept : undefined;

  if (stored?.status === 'active' && stored.activatedAt) {
    // A reschedule (or a higher-version create) re-plans everything but instructions already
    // planned; instructions that were never sent (e.g. booked after the old start) are planned now.
    const kinds = MESSAGE_KINDS.filter(
      (kind) =>
        ruleAnchor(policy, kind) !== 'received' || (stored.plan[kind]?.status ?? 'skipped') === 'skipped',
    );
    const kept = keepKinds(stored.plan, (kind) => !kinds.includes(kind));
    const replanned = planMessages({
      booking,
      activatedAt: now,
      endedAt,
      now,
      policy,
      kinds,
      fixed: Object.values(kept),
    });
    return {
      action: 'write',
      record: {
        ...base,
        version: booking.version,
        status: 'active',
        booking,
        activatedAt: stored.activatedAt,
        ...(endedAt ? { endedAt } : {}),
        plan: { ...kept, ...toPlan(replanned) },
      },
    };
  }
  // New, re-activated after a cancel, or waiting with only a completion: a new booking.
  const plan = planMessages({ booking, activatedAt: now, endedAt, now, policy });
  return {
    action: 'write',
    record: {
      ...base,
      version: booking.version,
      status: 'active',
      booking,
      activatedAt: now,
      ...(endedAt ? { endedAt } : {}),
      plan: toPlan(plan),
    },
  };
}

function applyCancel(
  stored: BookingRecord | undefined,
  cancel: BookingCancelled,
  now: string,
  policy: PlanPolicy,
): BookingDecision {
  if (stored && stored.status !== 'pending') {
    if (cancel.version < stored.version) return { action: 'ignore', reason: 'stale version' };
    if (cancel.version === stored.version) return { action: 'reconcile', record: stored };
  }
  // The session happened: a cancel after Session Completed keeps the check-ins.
  const plan = stored?.endedAt ? keepKinds(stored.plan, (kind) => ruleAnchor(policy, kind) === 'end') : {};
  const { cancelReason: _previous, ...rest } = stored ?? { plan: {} };
  return {
    action: 'write',
    record: {
      ...rest,
      bookingId: cancel.bookingId,
      version: cancel.version,
      status: 'cancelled',
      cancelledAt: now,
      ...(cancel.reason ? { cancelReason: cancel.reason } : {}),
      plan,
      revision: (stored?.revision ?? 0) + 1,
      updatedAt: now,
    },
  };
}

function applyCompletion(
  stored: BookingRecord | undefined,
  { bookingId, endedAt }: SessionCompleted,
  now: string,
  policy: PlanPolicy,
): BookingDecision {
  const sameEnd = stored?.endedAt !== undefined && Date.parse(stored.endedAt) === Date.parse(endedAt);
  if (!stored) {
    return {
      action: 'write',
      record: { bookingId, version: 0, status: 'pending', endedAt, plan: {}, revision: 1, updatedAt: now },
    };
  }
  if (stored.status === 'cancelled') return { action: 'ignore', reason: 'booking cancelled' };
  if (stored.booking && !endsThisSession(endedAt, stored.booking)) {
    return { action: 'ignore', reason: 'not an end of the current session' };
  }
  if (sameEnd)
    return stored.status === 'active'
      ? { action: 'reconcile', record: stored }
      : { action: 'ignore', reason: 'duplicate' };
  const next = { ...stored, endedAt, revision: stored.revision + 1, updatedAt: now };
  if (stored.status === 'pending' || !stored.booking || !stored.activatedAt)
    return { action: 'write', record: next };
  const kinds = MESSAGE_KINDS.filter((kind) => ruleAnchor(policy, kind) === 'end');
  const replanned = planMessages({
    booking: stored.booking,
    activatedAt: stored.activatedAt,
    endedAt,
    now,
    policy,
    kinds,
    // The texts before the session stay as planned and count towards the cap.
    fixed: Object.values(keepKinds(stored.plan, (kind) => !kinds.includes(kind))),
  });
  return { action: 'write', record: { ...next, plan: { ...stored.plan, ...toPlan(replanned) } } };
}

/** How long after its planned end a session can still really end (late starts, long recoveries). */
const SESSION_END_SLACK_HOURS = 12;

/**
 * Whether a reported end belongs to the booking's current session: after its
 * start and within its duration plus a slack. A completion of the session as
 * it was before a reschedule (a redelivery, or one that arrived while the
 * booking was cancelled) falls outside and cannot re-anchor the new one.
 */
function endsThisSession(endedAt: string, booking: FullBooking): boolean {
  const start = Date.parse(booking.session.startsAt);
  const latest = start + (booking.session.durationMinutes + SESSION_END_SLACK_HOURS * 60) * 60_000;
  const end = Date.parse(endedAt);
  return end > start && end <= latest;
}

function ruleAnchor(policy: PlanPolicy, kind: MessageKind) {
  return policy.rules.find((rule) => rule.kind === kind)?.anchor;
}

function toPlan(messages: PlannedMessage[]): BookingRecord['plan'] {
  return Object.fromEntries(messages.map((message) => [message.kind, message]));
}

function keepKinds(plan: BookingRecord['plan'], keep: (kind: MessageKind) => boolean): BookingRecord['plan'] {
  return Object.fromEntries(Object.entries(plan).filter(([kind]) => keep(kind as MessageKind)));
}
