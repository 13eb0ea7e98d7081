import {
  ADDRESS_UNREACHABLE,
  type DeliveryStatus,
  FAILED_FOR_GOOD,
  FALLBACK_KINDS,
} from '../../contracts/delivery';
import { METRIC } from '../../contracts/metrics';
import { type Channel, isCheckinKind } from '../../contracts/vocabulary';
import {
  type NoticeReason,
  type NoticeStore,
  raiseNotice,
  unreachedReason,
} from '../alerts/front-desk-notices';
import type { BookingRecord } from '../booking-record';
import { hasChannel, otherChannel } from '../contacts';
import type { DeadLetterSink, MessageLogEntry, MessageRef } from '../ports';
import { deliverMessage, type MessagingDeps } from './deliver-message';
import { deliveryRank } from './delivery-status';

/** What a provider said became of one message (DESIGN section 11), with no address in it. */
export interface DeliveryEvent {
  channel: Channel;
  /** Our opaque id (`deliveryIdOf`), handed back by the provider. */
  deliveryId: string;
  status: Exclude<DeliveryStatus, 'sent'>;
  /** When the provider says it happened (ISO). */
  at: string;
  /** The provider's own words for it, without addresses: `Bounce Permanent/NoEmail`, `TEXT_BLOCKED`. */
  detail: string;
}

/** A provider payload read: events to record, ones that change nothing, and what could not be read. */
export type ParsedDelivery =
  | { type: 'event'; event: DeliveryEvent }
  /** Well formed but nothing to record: a send, an open, an SMS still queued, a copy to staff. */
  | { type: 'ignored'; reason: string }
  | { type: 'malformed'; reason: string; payload: unknown };

/** The message a delivery id names, as its log entry records it. */
export interface DeliveredMessage {
  ref: MessageRef;
  channel: Channel;
  /** The digest of the address it went to (`contactDigest`), when the entry has one. */
  toDigest?: string;
}

export interface DeliveryStatusLog {
  /** The message a delivery id was given to, or nothing when no message has it. */
  findDelivery(deliveryId: string): Promise<DeliveredMessage | undefined>;
  /**
   * Records the status on the message unless one that outranks it (`deliveryRank`) is there; answers the
   * status the message has afterwards.
   */
  recordDelivery(
    message: DeliveredMessage,
    delivery: { status: DeliveryStatus; rank: number; at: string; detail: string },
  ): Promise<DeliveryStatus>;
  /** One channel's log entry of a message, read consistently (absent when that channel was never tried). */
  entryOf(ref: MessageRef, channel: Channel): Promise<MessageLogEntry | undefined>;
}

/** Addresses that no longer reach a patient: a permanent bounce, a complaint, an opt-out. */
export interface ContactStatusStore {
  markUnreachable(
    patientId: string,
    mark: { channel: Channel; digest: string; status: DeliveryStatus; at: string; deliveryId: string },
  ): Promise<void>;
  /**
   * The address reaches the patient again (the phone texted START) as of `at`. Marks and clears apply by
   * their time: one that arrives late (a retry) never undoes a later one.
   */
  clearMark(patientId: string, mark: { channel: Channel; digest: string; at: string }): Promise<void>;
}

/** Recording needs the sending deps too: a message that failed for good goes once by the other channel. */
export interface DeliveryEventDeps extends MessagingDeps {
  deliveries: DeliveryStatusLog;
  contacts: ContactStatusStore;
  deadLetters: DeadLetterSink;
  notices: NoticeStore;
  /** Where front-desk notices point (the console's base URL). */
  consoleBaseUrl: string;
}

/** The front desk's reason when a message of this kind reached the patient on no channel, if it is one. */

export type DeliveryOutcome =
  | { outcome: 'recorded'; status: DeliveryStatus; followUp?: FollowUp }
  /** A status that outranks this one was already there: it stays. */
  | { outcome: 'outranked'; status: DeliveryStatus }
  | { outcome: 'ignored'; reason: string }
  | { outcome: 'kept'; reason: string };

/** Thrown when a delivery id names no message yet (the index lags the write): the invocation is retried. */
export class UnknownDeliveryError extends Error {
  constructor(readonly deliveryId: string) {
    super(`no message has delivery id ${deliveryId} yet`);
    this.name = 'UnknownDeliveryError';
  }
}

/**
 * Records one read provider payload on the message it is about (DESIGN section 11). A malformed payload
 * is kept with its reason, never dropped; a status is recorded only if nothing that outranks it is there,
 * so repeated and reordered events end where they would in order. An address that can no longer be used
 * (a permanent bounce, a complaint, an opt-out) is marked on the patient each time such an event is seen,
 * so a retry after a crash still marks it.
 */
export async function recordDeliveryEvent(
  deps: DeliveryEventDeps,
  parsed: ParsedDelivery,
): Promise<DeliveryOutcome> {
  if (parsed.type === 'malformed') {
    await deps.deadLetters.keep({
      source: 'delivery-events',
      reason: parsed.reason,
      at: deps.clock.now(),
      detail: parsed.payload,
    });
    deps.metrics.count(METRIC.deliveryEventsRejected);
    deps.log.warn('delivery event kept unread', { reason: parsed.reason });
    return { outcome: 'kept', reason: parsed.reason };
  }
  if (parsed.type === 'ignored') {
    deps.metrics.count('DeliveryEventsIgnored');
    return { outcome: 'ignored', reason: parsed.reason };
  }
  const { event } = parsed;
  const message = await deps.deliveries.findDelivery(event.deliveryId);
  if (!message) throw new UnknownDeliveryError(event.deliveryId);
  const status = await deps.deliveries.recordDelivery(message, {
    status: event.status,
    rank: deliveryRank(event.status),
    at: event.at,
    detail: event.detail,
  });
  const stands = status === event.status;
  const failed = stands && FAILED_FOR_GOOD.has(event.status);
  const marks = stands && ADDRESS_UNREACHABLE.has(event.status);
  const record = failed || marks ? await deps.bookings.get(message.ref.bookingId) : undefined;
  const patientId = record?.booking?.patient.id;
  if (marks && patientId && message.toDigest) {
    await deps.contacts.markUnreachable(patientId, {
      channel: message.channel,
      digest: message.toDigest,
      status: event.status,
      at: event.at,
      deliveryId: event.deliveryId,
    });
  }
  const followUp = failed && record ? await afterFailure(deps, message, record) : undefined;
  deps.metrics.count(`Delivery${event.channel === 'sms' ? 'Sms' : 'Email'}_${event.status}`);
  if (event.channel === 'sms' && (event.status === 'blocked' || event.status === 'spam')) {
    deps.metrics.count(METRIC.smsBlocked);
  }
  deps.log.info('delivery event recorded', {
    delivery: event.deliveryId,
    kind: message.ref.kind,
    channel: message.channel,
    status: event.status,
    detail: event.detail,
    stands,
    ...(followUp ? { followUp } : {}),
  });
  if (!stands) return { outcome: 'outranked', status };
  return followUp ? { outcome: 'recorded', status, followUp } : { outcome: 'recorded', status };
}

/**
 * After a message failed for good on one channel (DESIGN section 11): it goes once by the other channel when
 * the patient has one, the kind allows it and that channel was not tried; when the other channel failed too,
 * or the patient has none, the front desk is told (instructions, reminder, check-ins). The failure is
 * recorded before the other channel is read (consistently), so of two failures recorded at once at least
 * one sees the other: the notice is never missed, and raised once.
 */
async function afterFailure(
  deps: DeliveryEventDeps,
  message: DeliveredMessage,
  record: BookingRecord,
): Promise<FollowUp | undefined> {
  const booking = record.booking;
  if (!booking) return undefined;
  const { ref } = message;
  // A report that comes late (carriers report for up to 72 hours) must not send a reminder after the session,
  // nor a check-in a day after its time; a check-in that reached nobody is still the desk's to know.
  const now = Date.parse(deps.clock.now());
  const tooLate = isCheckinKind(ref.kind)
    ? now > Date.parse(ref.at) + FALLBACK_USEFUL_MS
    : now >= Date.parse(booking.session.startsAt);
  if (tooLate) {
    const reason = unreachedReason(ref.kind);
    if (!isCheckinKind(ref.kind) || !reason || record.status === 'cancelled')
      return { type: 'not-sent', reason: 'too-late' };
    // The other channel may have reached the patient: then nobody needs telling.
    const late = otherChannel(message.channel);
    const entry = hasChannel(booking.patient, late) ? await deps.deliveries.entryOf(ref, late) : undefined;
    const reached =
      entry?.status === 'sent' && !(entry.delivery && FAILED_FOR_GOOD.has(entry.delivery.status));
    if (reached) return { type: 'not-sent', reason: 'too-late' };
    await raiseNotice(deps, { bookingId: ref.bookingId, reason, kind: ref.kind });
    return { type: 'notice', reason };
  }
  const other = otherChannel(message.channel);
  const hasOther = hasChannel(booking.patient, other);
  const tried = hasOther ? await deps.deliveries.entryOf(ref, other) : undefined;
  // Only what a provider reported (an event, or a refusal of the address) says a channel failed for good; a
  // send that failed for a passing reason is still being retried.
  let otherFailed =
    !hasOther || (tried?.delivery !== undefined && FAILED_FOR_GOOD.has(tried.delivery.status));
  if (hasOther && !tried && FALLBACK_KINDS.has(ref.kind)) {
    const result = await deliverMessage(deps, ref, record, [other]);
    if (result.outcome === 'skipped') return { type: 'not-sent', reason: result.reason };
    deps.metrics.count('MessagesFellBack');
    // Refused at once (an opted-out phone): no channel is left.
    if (!result.refused.includes(other)) return { type: 'fell-back', channel: other };
    otherFailed = true;
  }
  const reason = unreachedReason(ref.kind);
  if (!otherFailed || !reason || record.status === 'cancelled') return undefined;
  await raiseNotice(deps, { bookingId: ref.bookingId, reason, kind: ref.kind });
  return { type: 'notice', reason };
}

/** How long after its planned time a check-in is still worth sending by the other channel. */
const FALLBACK_USEFUL_MS = 24 * 3_600_000;

export type FollowUp =
  | { type: 'fell-back'; channel: Channel }
  | { type: 'not-sent'; reason: string }
  | { type: 'notice'; reason: NoticeReason };
