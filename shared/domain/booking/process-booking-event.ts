import { type FieldError, HOOK_EVENT_SOURCE, parseBookingEvent } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { METRIC } from '../../contracts/metrics';
import { isCheckinKind, MESSAGE_KINDS } from '../../contracts/vocabulary';
import type { BookingRecord, PlannedMessage } from '../booking-record';
import { bookingRefOf, newBookingRef } from '../booking-ref';
import { contactsChanged, resendTag } from '../contacts';
import { toJsonOrUndefined } from '../json';
import type {
  BookingStore,
  Clock,
  DeadLetterSink,
  Log,
  MessageLog,
  MessageRef,
  MessageScheduler,
  Metrics,
} from '../ports';
import { messageScheduleName } from '../schedule-names';
import { shiftIso } from '../time';
import { decideBookingEvent, eventBookingId } from './booking-lifecycle';
import { patientZone, readinessDeadline } from './plan';

/** What the booking use case needs besides the sender of due messages. */
export interface BookingEventBaseDeps {
  config: ClinicConfig;
  clock: Clock;
  bookings: BookingStore;
  messageLog: MessageLog;
  scheduler: MessageScheduler;
  deadLetters: DeadLetterSink;
  metrics: Metrics;
  log: Log;
}

export interface BookingEventDeps extends BookingEventBaseDeps {
  /**
   * Sends one message that is due now. The messages capability provides it
   * (`withDueMessageSender`), so booking never imports messages.
   */
  sendDue: (ref: MessageRef, current: BookingRecord) => Promise<unknown>;
  /** Checks the readiness answers of a booking whose deadline has passed already (it was booked too late). */
  checkReadiness: (record: BookingRecord, deadline: string) => Promise<unknown>;
}

/** One event as it arrives: EventBridge's envelope fields, the detail an object or JSON text. */
export interface IncomingEvent {
  source: unknown;
  detailType: unknown;
  detail: unknown;
}

export type EventOutcome =
  | { status: 'processed' }
  | { status: 'ignored'; reason: string }
  | { status: 'rejected'; error: string; errors: FieldError[] };

/** How many times a write that lost an optimistic-lock race is re-decided before giving up. */
const MAX_WRITE_ATTEMPTS = 5;

/** Raised when concurrent writers kept winning; the platform retries the event. */
export class BookingWriteConflictError extends Error {
  constructor(readonly bookingId: string) {
    super(`booking ${bookingId} kept changing while being written`);
    this.name = 'BookingWriteConflictError';
  }
}

/** Field errors named in a rejection at most (DESIGN section 8). */
export const MAX_FIELD_ERRORS = 20;

/** Booking ids the webhooks make (DESIGN section 12): `calcom:<uid>`, `fhir:<source>:<id>`. */
const HOOK_BOOKING_ID = /^(calcom|fhir):/;

/**
 * Webhook bookings come from the hooks alone, and the hooks put no other: a booking system's event for a
 * `calcom:` id would carry its own versions, which could outrank the hook's counter for good.
 */
function ownedBySource(
  parsed: ReturnType<typeof parseBookingEvent>,
  source: unknown,
): ReturnType<typeof parseBookingEvent> {
  if (!parsed.ok) return parsed;
  const fromHooks = source === HOOK_EVENT_SOURCE;
  if (fromHooks === HOOK_BOOKING_ID.test(eventBookingId(parsed.value))) return parsed;
  const message = fromHooks
    ? 'must start with calcom: or fhir: (the booking webhooks put no other)'
    : 'must not start with calcom: or fhir:, which belong to the booking webhooks';
  return { ok: false, errors: [{ field: 'detail.bookingId', message }] };
}

/**
 * Validates one booking event, applies it to the stored booking under an
 * optimistic lock, reconciles the plan's schedules and sends what is due now.
 * A rejected event is kept in the dead-letter sink with its reason.
 */
export async function processBookingEvent(
  deps: BookingEventDeps,
  event: IncomingEvent,
): Promise<EventOutcome> {
  const parsed = ownedBySource(
    parseBookingEvent({ ...event, allowedSources: [...deps.config.bookingSources, HOOK_EVENT_SOURCE] }),
    event.source,
  );
  if (!parsed.ok) {
    // At most 20 named: a hostile event can carry thousands of unknown keys.
    const errors = parsed.errors.slice(0, MAX_FIELD_ERRORS);
    const more = parsed.errors.length - errors.length;
    const error = [
      ...errors.map((e) => `${e.field}: ${e.message}`),
      ...(more > 0 ? [`and ${more} more`] : []),
    ].join('; ');
    await deps.deadLetters.keep({
      source: 'booking-events',
      reason: error,
      at: deps.clock.now(),
      // Kept whole when it can be serialised at all; a hostile, absurdly nested one is kept as a note.
      detail:
        toJsonOrUndefined(event.detail) === undefined
          ? { source: event.source, detailType: event.detailType, detail: '[not kept: cannot be serialised]' }
          : { source: event.source, detailType: event.detailType, detail: event.detail },
    });
    deps.metrics.count(METRIC.rejectedEvents);
    deps.log.warn('event rejected', { badFields: parsed.errors.length });
    return { status: 'rejected', error, errors };
  }

  const bookingId = eventBookingId(parsed.value);
  const policy = {
    rules: deps.config.plan,
    quietHours: deps.config.quietHours,
    graceMinutes: deps.config.graceMinutes,
    smsPerDay: deps.config.sms.perPatientPerDay,
    readinessHours: deps.config.readiness.deadlineHours,
  };
  for (let attempt = 1; attempt <= MAX_WRITE_ATTEMPTS; attempt++) {
    const stored = await deps.bookings.get(bookingId);
    const decision = decideBookingEvent(stored, parsed.value, deps.clock.now(), policy);
    if (decision.action === 'ignore') {
      deps.log.info('event ignored', {
        ...(stored ? { booking: bookingRefOf(stored) } : {}),
        type: parsed.value.type,
        reason: decision.reason,
      });
      return { status: 'ignored', reason: decision.reason };
    }
    if (decision.action === 'reconcile') {
      await reconcile(deps, decision.record, undefined);
      deps.log.info('duplicate event reconciled', {
        booking: bookingRefOf(decision.record),
        type: parsed.value.type,
      });
      return { status: 'ignored', reason: 'duplicate' };
    }
    // The surrogate is made once, at the first write, and kept.
    const record: BookingRecord = {
      ...decision.record,
      ref: stored?.ref ?? decision.record.ref ?? newBookingRef(),
    };
    if ((await deps.bookings.save(record, stored?.revision)) === 'saved') {
      await reconcile(deps, record, stored);
      await resendOnNewContacts(deps, record, stored);
      deps.log.info('event processed', {
        booking: bookingRefOf(record),
        type: parsed.value.type,
        version: decision.record.version,
      });
      return { status: 'processed' };
    }
  }
  throw new BookingWriteConflictError(bookingId);
}

/**
 * Brings the schedules in line with the stored plan (idempotent, so a
 * redelivered event heals a crash between storing and scheduling) and sends
 * the messages due now. A due message whose provider fails is handed to the
 * scheduler to retry in a minute, so the failure takes the send path's
 * retries and dead-letter queue.
 */
async function reconcile(deps: BookingEventDeps, record: BookingRecord, previous: BookingRecord | undefined) {
  const timeZone = record.booking ? patientZone(record.booking) : 'UTC';
  // Schedule names carry the booking's surrogate, never its id.
  const scheduled = (ref: MessageRef) => ({ ...ref, booking: bookingRefOf(record) });
  const refOf = (entry: PlannedMessage): MessageRef => ({
    bookingId: record.bookingId,
    kind: entry.kind,
    at: entry.plannedAt,
  });
  const due: PlannedMessage[] = [];
  for (const kind of MESSAGE_KINDS) {
    const entry = record.plan[kind];
    const before = previous?.plan[kind];
    const sameMessage = entry !== undefined && before !== undefined && entry.plannedAt === before.plannedAt;
    if (entry?.status === 'scheduled') {
      const ref = refOf(entry);
      await deps.scheduler.upsert({
        name: messageScheduleName(scheduled(ref)),
        fireAt: entry.at,
        timeZone,
        payload: { ...ref, version: entry.version },
      });
    }
    if (before?.status === 'scheduled' && !(entry?.status === 'scheduled' && sameMessage)) {
      await deps.scheduler.remove(messageScheduleName(scheduled(refOf(before))));
    }
    // A due message that failed may have a retry pending; it goes when the message leaves the plan.
    if (before?.status === 'due' && !(entry?.status === 'due' && sameMessage)) {
      await deps.scheduler.remove(messageScheduleName(scheduled(refOf(before)), 'retry'));
    }
    if (entry?.status === 'skipped' && !(before?.status === 'skipped' && sameMessage)) {
      const reason = entry.reason ?? 'not-planned';
      await deps.messageLog.recordSkip(refOf(entry), {
        version: entry.version,
        now: deps.clock.now(),
        reason,
      });
    }
    if (entry?.status === 'due') due.push(entry);
  }
  for (const entry of due) await sendNowOrRetryLater(deps, record, refOf(entry), entry.version, timeZone);
  await reconcileReadiness(deps, record, previous);
}

/**
 * The readiness deadline's schedule follows the session (DESIGN section 11): moved with it, removed with a
 * cancel. A booking made inside the deadline is checked at once: nobody could be asked in time.
 */
async function reconcileReadiness(
  deps: BookingEventDeps,
  record: BookingRecord,
  previous: BookingRecord | undefined,
): Promise<void> {
  const hours = deps.config.readiness.deadlineHours;
  const deadlineOf = (r: BookingRecord | undefined) =>
    r?.status === 'active' && r.booking ? readinessDeadline(r.booking, hours) : undefined;
  const deadline = deadlineOf(record);
  const before = deadlineOf(previous);
  const name = (at: string) =>
    messageScheduleName({ booking: bookingRefOf(record), kind: 'readiness', at }, 'readiness');
  if (before && before !== deadline) await deps.scheduler.remove(name(before));
  if (!deadline || !record.booking) return;
  const now = Date.parse(deps.clock.now());
  if (Date.parse(deadline) > now) {
    await deps.scheduler.upsert({
      name: name(deadline),
      fireAt: deadline,
      timeZone: patientZone(record.booking),
      payload: { bookingId: record.bookingId, check: 'readiness', at: deadline },
    });
  } else if (before !== deadline && now < Date.parse(record.booking.session.startsAt)) {
    await deps.checkReadiness(record, deadline);
  }
}

/**
 * A new email or phone revokes the links sent to the old one (the check-in
 * function refuses them); the current check-in, the latest one sent whose
 * link has not expired, goes again to the new details (DESIGN section 8).
 */
async function resendOnNewContacts(
  deps: BookingEventDeps,
  record: BookingRecord,
  previous: BookingRecord | undefined,
): Promise<void> {
  const before = previous?.booking?.patient;
  const after = record.booking?.patient;
  if (!before || !after || !record.booking || record.status === 'cancelled') return;
  if (!contactsChanged(before, after)) return;
  const now = deps.clock.now();
  const sent = (await deps.messageLog.list(record.bookingId)).filter(
    (entry) => isCheckinKind(entry.kind) && entry.status === 'sent' && entry.resend === undefined,
  );
  const latest = sent.sort((a, b) => b.at.localeCompare(a.at))[0];
  if (!latest) return;
  const inWindow =
    Date.parse(now) < Date.parse(shiftIso(latest.updatedAt, { days: deps.config.links.ttlDays }));
  const entry = record.plan[latest.kind];
  if (!inWindow || entry?.plannedAt !== latest.at) return;
  const ref: MessageRef = {
    bookingId: record.bookingId,
    kind: latest.kind,
    at: latest.at,
    resend: resendTag(after),
  };
  deps.log.info('check-in sent again to new contact details', {
    booking: bookingRefOf(record),
    kind: ref.kind,
  });
  await sendNowOrRetryLater(deps, record, ref, entry.version, patientZone(record.booking));
}

async function sendNowOrRetryLater(
  deps: BookingEventDeps,
  record: BookingRecord,
  ref: MessageRef,
  version: number,
  timeZone: string,
): Promise<void> {
  try {
    await deps.sendDue(ref, record);
  } catch (error) {
    await deps.scheduler.upsert({
      name: messageScheduleName({ ...ref, booking: bookingRefOf(record) }, 'retry'),
      fireAt: shiftIso(deps.clock.now(), { minutes: 1 }),
      timeZone,
      payload: { ...ref, version },
    });
    deps.log.warn('due message failed, retry scheduled', {
      booking: bookingRefOf(record),
      kind: ref.kind,
      error: error instanceof Error ? error.name : 'unknown',
    });
  }
}
