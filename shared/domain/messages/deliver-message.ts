import type { FullBooking } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { FALLBACK_KINDS } from '../../contracts/delivery';
import { type Channel, isCheckinKind, type MessageKind } from '../../contracts/vocabulary';
import { type NoticeStore, raiseNotice, unreachedReason } from '../alerts/front-desk-notices';
import { pickChannels } from '../booking/plan';
import type { BookingEventBaseDeps, BookingEventDeps } from '../booking/process-booking-event';
import type { BookingRecord } from '../booking-record';
import { bookingRefOf } from '../booking-ref';
import { digestsOf, hasChannel, otherChannel } from '../contacts';
import {
  AddressRefusedError,
  type BookingStore,
  type Clock,
  type LinkStore,
  type Log,
  type Mailer,
  type MessageLog,
  type MessageRef,
  type Metrics,
  type SigningKeySource,
  type SmsSender,
} from '../ports';
import { shiftIso } from '../time';
import { deliveryIdOf } from './delivery-id';
import { deliveryRank } from './delivery-status';
import { buildBookingIcs } from './ics';
import { checkReadinessAtDeadline, type ReadinessDeps } from './readiness';
import { renderEmail, renderSms, scanPlaceholders } from './templates';
import { createLinkToken } from './tokens';

/** Everything sending a message needs; built by a composition root. */
export interface MessagingDeps {
  config: ClinicConfig;
  clock: Clock;
  bookings: BookingStore;
  messageLog: MessageLog;
  links: LinkStore;
  signingKey: SigningKeySource;
  /** Base of patient links: the API's URL, a short link domain, or the local server. */
  linkBaseUrl: string;
  mailer: Mailer;
  sms: SmsSender;
  /** A message every channel of which refused the patient's address becomes a front-desk notice. */
  notices: NoticeStore;
  /** Where front-desk notices point (the console's base URL). */
  consoleBaseUrl: string;
  metrics: Metrics;
  log: Log;
}

/** How long a send claim holds before a retry may take over from a crashed attempt. */
export const CLAIM_MINUTES = 5;

/** Raised when a provider refused one or more channels; the platform retries, then keeps it in a DLQ. */
export class DeliveryFailedError extends Error {
  constructor(
    readonly ref: MessageRef,
    readonly failures: { channel: Channel; reason: string }[],
  ) {
    super(`${ref.kind} failed on ${failures.map((f) => `${f.channel} (${f.reason})`).join(', ')}`);
    this.name = 'DeliveryFailedError';
  }
}

export type DeliveryResult =
  | { outcome: 'skipped'; reason: string }
  | {
      outcome: 'delivered';
      sent: Channel[];
      alreadySent: Channel[];
      inFlight: Channel[];
      /** Refused for the address itself (an opted-out phone): recorded, and the other channel tried. */
      refused: Channel[];
    };

/**
 * Sends one planned message if it is still in the booking's current plan at
 * the same time (DESIGN section 3), on each channel the patient has now. Each
 * channel is claimed before the provider call and marked sent after, so a
 * retried invocation never sends a channel twice.
 */
export async function deliverMessage(
  deps: MessagingDeps,
  ref: MessageRef,
  /** The booking as just stored by the caller, saving a read; by default it is reloaded. */
  current?: BookingRecord,
  /** Send on these channels only (the other channel of a message that failed for good), if the patient has them. */
  only?: readonly Channel[],
): Promise<DeliveryResult> {
  const now = deps.clock.now();
  const record = current ?? (await deps.bookings.get(ref.bookingId));
  const entry = record?.plan[ref.kind];
  const notPlanned =
    whyNotPlanned(record, ref) ?? (record ? await coveredBySeries(deps, record, ref) : undefined);
  if (notPlanned || !record?.booking || !entry) {
    const reason = notPlanned ?? 'unknown-booking';
    await deps.messageLog.recordSkip(ref, { version: entry?.version ?? record?.version ?? 0, now, reason });
    deps.metrics.count('MessagesSkipped');
    deps.log.info('message skipped', {
      ...(record ? { booking: bookingRefOf(record) } : {}),
      kind: ref.kind,
      at: ref.at,
      reason,
    });
    return { outcome: 'skipped', reason };
  }

  const booking = record.booking;
  const rule = deps.config.plan.find((r) => r.kind === ref.kind);
  // Contact details may have changed since planning: the current ones are used.
  // The plan took the text of a message over the SMS cap: it goes by email only.
  const planned = only
    ? only.filter((channel) => hasChannel(booking.patient, channel))
    : pickChannels(rule?.channels ?? 'both', booking.patient).filter(
        (channel) => !(channel === 'sms' && entry.smsCapped === 'email'),
      );
  const channels = only ? planned : await withinSmsCap(deps, ref, booking, planned, now);
  if (channels.length === 0) {
    await deps.messageLog.recordSkip(ref, { version: entry.version, now, reason: 'capped' });
    deps.metrics.count('MessagesSkipped');
    deps.log.info('message skipped', {
      booking: bookingRefOf(record),
      kind: ref.kind,
      at: ref.at,
      reason: 'capped',
    });
    return { outcome: 'skipped', reason: 'capped' };
  }
  // A link is written only when a template that goes out uses it (the instructions email does not).
  const language = booking.patient.language;
  const template = deps.config.templates[language][ref.kind];
  const usesLink = (on: readonly Channel[]) =>
    on.some((channel) =>
      (channel === 'sms' ? [template.sms] : [template.subject, template.body]).some((text) =>
        scanPlaceholders(text).names.includes('link'),
      ),
    );
  let link = usesLink(channels)
    ? await linkFor(deps, ref, now, digestsOf(booking.patient, channels))
    : undefined;
  const result = {
    sent: [] as Channel[],
    alreadySent: [] as Channel[],
    inFlight: [] as Channel[],
    refused: [] as Channel[],
  };
  const failures: { channel: Channel; reason: string }[] = [];

  const queue = [...channels];
  for (let channel = queue.shift(); channel !== undefined; channel = queue.shift()) {
    const expiresAt = shiftIso(now, { minutes: CLAIM_MINUTES });
    const deliveryId = deliveryIdOf(ref, channel);
    const toDigest = digestsOf(booking.patient, [channel])[0];
    const claim = await deps.messageLog.claim(ref, channel, {
      version: entry.version,
      now,
      expiresAt,
      deliveryId,
      toDigest,
    });
    if (claim === 'already-sent') result.alreadySent.push(channel);
    if (claim === 'in-flight') result.inFlight.push(channel);
    if (claim !== 'claimed') continue;
    try {
      const { messageId } = await sendOn(deps, channel, booking, ref.kind, link, now, deliveryId);
      await deps.messageLog.markSent(ref, channel, {
        now: deps.clock.now(),
        providerMessageId: messageId,
        ...(channel === 'sms' && toDigest ? { phoneDigest: toDigest } : {}),
      });
      result.sent.push(channel);
      deps.metrics.count('MessagesSent');
    } catch (error) {
      if (error instanceof AddressRefusedError) {
        // Not a passing fault: recorded as the message's delivery status, and the other channel takes over
        // (DESIGN section 11) when the kind allows it and the patient has one.
        await deps.messageLog.markRefused(ref, channel, {
          now: deps.clock.now(),
          status: error.status,
          rank: deliveryRank(error.status),
          detail: error.detail,
        });
        result.refused.push(channel);
        deps.metrics.count('MessagesRefused');
        const other = otherChannel(channel);
        if (FALLBACK_KINDS.has(ref.kind) && hasChannel(booking.patient, other) && !channels.includes(other)) {
          if (!link && usesLink([other]))
            link = await linkFor(deps, ref, now, digestsOf(booking.patient, [other]));
          queue.push(other);
        }
        continue;
      }
      const reason = providerReason(error);
      await deps.messageLog.markFailed(ref, channel, { now: deps.clock.now(), reason });
      failures.push({ channel, reason });
      deps.metrics.count('MessagesFailed');
    }
  }
  deps.log.info('message delivered', {
    booking: bookingRefOf(record),
    kind: ref.kind,
    at: ref.at,
    ...result,
    failures,
  });
  // Every channel refused the address itself (a phone-only patient who texted STOP): nothing will reach
  // them, so the front desk is told. A fallback's caller (the delivery events) tells the desk itself.
  const reason = unreachedReason(ref.kind);
  const reachedNone =
    result.refused.length > 0 &&
    result.sent.length + result.alreadySent.length + result.inFlight.length + failures.length === 0;
  if (reachedNone && reason && only === undefined) {
    await raiseNotice(deps, { bookingId: ref.bookingId, reason, kind: ref.kind });
  }
  if (failures.length > 0) throw new DeliveryFailedError(ref, failures);
  return { outcome: 'delivered', ...result };
}

/** Days around a week check-in within which another session of the patient makes it redundant (DESIGN section 3). */
export const SERIES_WINDOW_DAYS = 3;

/**
 * A week check-in is skipped (`next-session`) when another session of the
 * same patient starts within 3 days of it: that session's check-ins cover it.
 */
async function coveredBySeries(
  deps: MessagingDeps,
  record: BookingRecord,
  ref: MessageRef,
): Promise<string | undefined> {
  const patientId = record.booking?.patient.id;
  if (ref.kind !== 'checkin-week' || patientId === undefined) return undefined;
  const nearby = await deps.bookings.sessionsOfPatient(
    patientId,
    shiftIso(ref.at, { days: -SERIES_WINDOW_DAYS }),
    shiftIso(ref.at, { days: SERIES_WINDOW_DAYS }),
  );
  return nearby.some((other) => other.bookingId !== record.bookingId) ? 'next-session' : undefined;
}

function whyNotPlanned(record: BookingRecord | undefined, ref: MessageRef): string | undefined {
  if (!record?.booking) return 'unknown-booking';
  const entry = record.plan[ref.kind];
  const sessionHappened = record.endedAt !== undefined && ref.kind.startsWith('checkin-');
  if (record.status === 'cancelled' && !sessionHappened) return 'cancelled';
  if (!entry || entry.status === 'skipped') return 'not-in-plan';
  if (Date.parse(entry.plannedAt) !== Date.parse(ref.at)) return 'superseded';
  return undefined;
}

/** A provider error's name and status only: provider messages can echo a phone number. */
function providerReason(error: unknown): string {
  if (!(error instanceof Error)) return 'unknown error';
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status ? `${error.name} (HTTP ${status})` : error.name;
}

/**
 * The signed link a message carries: the check-in form, or the full instructions page. It records (as
 * digests) the addresses it goes to, so a change of email or phone revokes it (DESIGN section 8).
 */
/**
 * The SMS cap across all of a patient's bookings (DESIGN section 3), at send time: the plan keeps one
 * booking's texts within it; texts of the patient's other bookings (a series) and fallbacks count here. A
 * text over the cap goes by email where the kind allows it and the patient has an address, else not at all.
 */
async function withinSmsCap(
  deps: MessagingDeps,
  ref: MessageRef,
  booking: FullBooking,
  channels: Channel[],
  now: string,
): Promise<Channel[]> {
  const digest = digestsOf(booking.patient, ['sms'])[0];
  if (!channels.includes('sms') || !digest) return channels;
  const sent = await deps.messageLog.textsSince(digest, shiftIso(now, { hours: -24 }));
  if (sent < deps.config.sms.perPatientPerDay) return channels;
  deps.metrics.count('SmsCappedAtSend');
  const rest = channels.filter((channel) => channel !== 'sms');
  if (rest.length > 0 || !FALLBACK_KINDS.has(ref.kind) || !hasChannel(booking.patient, 'email')) return rest;
  return ['email'];
}

async function linkFor(
  deps: MessagingDeps,
  ref: MessageRef,
  now: string,
  sentTo: string[],
): Promise<string | undefined> {
  const purpose = isCheckinKind(ref.kind)
    ? 'checkin'
    : ref.kind === 'prep-instructions' || ref.kind === 'prep-reminder'
      ? 'instructions'
      : undefined;
  if (!purpose) return undefined;
  const { linkId, token } = createLinkToken(await deps.signingKey.get(), ref);
  const expiresAt = shiftIso(now, { days: deps.config.links.ttlDays });
  await deps.links.put({ linkId, bookingId: ref.bookingId, kind: ref.kind, purpose, expiresAt, sentTo });
  return `${deps.linkBaseUrl.replace(/\/$/, '')}/${purpose === 'checkin' ? 'c' : 'i'}/${token}`;
}

async function sendOn(
  deps: MessagingDeps,
  channel: Channel,
  booking: FullBooking,
  kind: MessageKind,
  link: string | undefined,
  now: string,
  deliveryId: string,
): Promise<{ messageId: string }> {
  const input = { config: deps.config, kind, booking, now, ...(link ? { link } : {}) };
  if (channel === 'sms') {
    const { text } = renderSms(input);
    return deps.sms.send({
      to: booking.patient.phone ?? '',
      text,
      kind,
      bookingId: booking.bookingId,
      deliveryId,
    });
  }
  const email = renderEmail(input);
  // The calendar file lets the patient keep the appointment; its UID and sequence update it on reschedule.
  const attachments =
    kind === 'prep-instructions'
      ? [
          {
            filename: 'appointment.ics',
            contentType: 'text/calendar; method=PUBLISH; charset=UTF-8',
            content: buildBookingIcs({ config: deps.config, booking, now }),
          },
        ]
      : undefined;
  return deps.mailer.send({
    to: booking.patient.email ?? '',
    subject: email.subject,
    text: email.text,
    html: email.html,
    kind,
    bookingId: booking.bookingId,
    deliveryId,
    ...(attachments ? { attachments } : {}),
  });
}

/**
 * Completes the booking use case's deps with the messages it sends at once:
 * `sendDue` delivers through `deliverMessage` with these same deps.
 */
export function withDueMessageSender<T extends MessagingDeps & BookingEventBaseDeps & ReadinessDeps>(
  deps: T,
): T & Pick<BookingEventDeps, 'sendDue' | 'checkReadiness'> {
  // Assigned, not spread: a composition root may give some deps as getters.
  return Object.assign(deps, {
    sendDue: (ref: MessageRef, current: BookingRecord) => deliverMessage(deps, ref, current),
    checkReadiness: (record: BookingRecord, deadline: string) =>
      checkReadinessAtDeadline(deps, record, deadline),
  });
}
