import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FieldError, FullBooking, Treatment } from '../../contracts/booking-events';
import * as z from '../../contracts/zod';

/*
 * Cal.com's booking webhooks (version 2021-10-20, DESIGN section 12), read into what the booking event
 * contract needs. Stateless: which booking a delivery belongs to across reschedules, and its version, are
 * the webhook use case's to keep.
 */

/** Whether `header` (`X-Cal-Signature-256`) is the hex HMAC-SHA256 of the raw body under `secret`. */
export function verifyCalcomSignature(rawBody: string, header: string | undefined, secret: string): boolean {
  if (!header || !/^[0-9a-f]{64}$/i.test(header.trim())) return false;
  const expected = createHmac('sha256', secret).update(rawBody, 'utf8').digest();
  // Constant time: the comparison takes as long whichever byte differs.
  return timingSafeEqual(expected, Buffer.from(header.trim(), 'hex'));
}

/** How a Cal.com event type (its slug or numeric id) becomes a treatment, and the session's length if fixed. */
export type CalcomEventTypes = Readonly<Record<string, { treatment: Treatment; durationMinutes?: number }>>;

/** What one delivery means for us. */
export type CalcomDelivery =
  | {
      type: 'booking';
      trigger: 'BOOKING_CREATED' | 'BOOKING_RESCHEDULED';
      /** Cal.com's id of this booking, and of the one it reschedules (a reschedule is a new uid). */
      uid: string;
      previousUid?: string;
      /** When Cal.com made the delivery: deliveries are ordered by it. */
      at: string;
      session: Pick<
        FullBooking['session'],
        'startsAt' | 'durationMinutes' | 'timeZone' | 'treatment' | 'location'
      >;
      patient: Pick<FullBooking['patient'], 'id' | 'firstName' | 'email' | 'phone' | 'language' | 'timeZone'>;
    }
  | { type: 'cancelled'; uid: string; at: string; reason?: string }
  /** A Cal.com video meeting ended: the session's real end. */
  | { type: 'ended'; uid: string; at: string; endedAt: string }
  /** A trigger we do not use (PING, BOOKING_REQUESTED, ...): answered 200 and counted. */
  | { type: 'ignored'; trigger: string }
  /** Readable, but not a booking we can follow: 422 naming the field, and kept. */
  | { type: 'unmappable'; errors: FieldError[] };

const USED = ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED', 'MEETING_ENDED'] as const;

const responseValue = z.optional(z.object({ value: z.optional(z.unknown()) }));
const attendeeSchema = z.object({
  name: z.optional(z.string()),
  email: z.optional(z.string()),
  timeZone: z.optional(z.string()),
  phoneNumber: z.optional(z.nullable(z.string())),
  language: z.optional(z.object({ locale: z.optional(z.string()) })),
});
const deliverySchema = z.object({
  triggerEvent: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  payload: z.object({
    uid: z.string().check(z.minLength(1), z.maxLength(100)),
    rescheduleUid: z.optional(z.nullable(z.string())),
    type: z.optional(z.string()),
    eventTypeId: z.optional(z.nullable(z.number())),
    startTime: z.optional(z.string()),
    endTime: z.optional(z.string()),
    location: z.optional(z.nullable(z.string())),
    cancellationReason: z.optional(z.nullable(z.string())),
    organizer: z.optional(z.object({ timeZone: z.optional(z.string()) })),
    attendees: z.optional(z.array(attendeeSchema)),
    responses: z.optional(
      z.object({
        name: responseValue,
        email: responseValue,
        attendeePhoneNumber: responseValue,
        phone: responseValue,
      }),
    ),
  }),
});

const unmappable = (field: string, message: string): CalcomDelivery => ({
  type: 'unmappable',
  errors: [{ field, message }],
});

/** The patient id of a Cal.com attendee: `calcom:` and a keyed hash of the lower-cased email (never the email). */
export function calcomPatientId(email: string, key: string): string {
  return `calcom:${createHmac('sha256', key).update(email.trim().toLowerCase()).digest('base64url').slice(0, 22)}`;
}

/** Reads one Cal.com delivery; `patientIdKey` keys the patient id's hash. */
export function readCalcomDelivery(
  body: unknown,
  eventTypes: CalcomEventTypes,
  patientIdKey: string,
): CalcomDelivery {
  const trigger = (body as { triggerEvent?: unknown } | null)?.triggerEvent;
  if (typeof trigger === 'string' && !(USED as readonly string[]).includes(trigger)) {
    return { type: 'ignored', trigger: trigger.slice(0, 60) };
  }
  const parsed = deliverySchema.safeParse(body);
  if (!parsed.success) {
    const [first] = parsed.error.issues;
    return unmappable(
      first?.path.map(String).join('.') || 'body',
      first?.message ?? 'not a Cal.com delivery',
    );
  }
  const { triggerEvent, createdAt, payload } = parsed.data;
  const at = new Date(createdAt).toISOString();
  if (triggerEvent === 'BOOKING_CANCELLED') {
    const reason = payload.cancellationReason?.trim();
    return { type: 'cancelled', uid: payload.uid, at, ...(reason ? { reason: reason.slice(0, 500) } : {}) };
  }
  if (triggerEvent === 'MEETING_ENDED') return { type: 'ended', uid: payload.uid, at, endedAt: at };

  const kind = eventTypes[payload.type ?? ''] ?? eventTypes[String(payload.eventTypeId ?? '')];
  if (!kind)
    return unmappable(
      'payload.type',
      `event type ${JSON.stringify(payload.type ?? null)} maps to no treatment`,
    );
  const start = payload.startTime ? new Date(payload.startTime) : undefined;
  if (!start || Number.isNaN(start.getTime())) return unmappable('payload.startTime', 'must be a time');
  const end = payload.endTime ? new Date(payload.endTime) : undefined;
  const minutes =
    kind.durationMinutes ?? (end ? Math.round((end.getTime() - start.getTime()) / 60_000) : NaN);
  if (!Number.isFinite(minutes)) return unmappable('payload.endTime', 'must be a time after startTime');

  const attendee = payload.attendees?.[0];
  const answer = (value: { value?: unknown } | undefined) =>
    typeof value?.value === 'string' && value.value.trim() !== '' ? value.value.trim() : undefined;
  const email = attendee?.email?.trim() || answer(payload.responses?.email);
  if (!email) return unmappable('payload.attendees.0.email', 'is required (the patient id is made from it)');
  const phone =
    attendee?.phoneNumber?.trim() ||
    answer(payload.responses?.attendeePhoneNumber) ||
    answer(payload.responses?.phone);
  const name = attendee?.name?.trim() || answer(payload.responses?.name) || '';
  const timeZone = attendee?.timeZone ?? payload.organizer?.timeZone;
  if (!timeZone) return unmappable('payload.attendees.0.timeZone', 'is required');
  const location = payload.location?.trim();
  return {
    type: 'booking',
    trigger: triggerEvent as 'BOOKING_CREATED' | 'BOOKING_RESCHEDULED',
    uid: payload.uid,
    ...(payload.rescheduleUid ? { previousUid: payload.rescheduleUid } : {}),
    at,
    session: {
      startsAt: start.toISOString(),
      durationMinutes: minutes,
      timeZone: payload.organizer?.timeZone ?? timeZone,
      treatment: kind.treatment,
      // A Cal.com video link is not a place.
      ...(location && !/^https?:/i.test(location) && !location.startsWith('integrations:')
        ? { location }
        : {}),
    },
    patient: {
      id: calcomPatientId(email, patientIdKey),
      firstName: name.split(/\s+/)[0] ?? '',
      email,
      ...(phone ? { phone } : {}),
      language: attendee?.language?.locale?.toLowerCase().startsWith('es') ? 'es' : 'en',
      timeZone,
    },
  };
}
