import { DateTime } from 'luxon';
import { withoutFormatCharacters } from './plain-text';
import { timeZoneSchema as timeZone } from './time-zone';
import * as z from './zod';

/** The detail-types of the public booking event contract (DESIGN section 2). */
export const DETAIL_TYPES = {
  created: 'Booking Created',
  rescheduled: 'Booking Rescheduled',
  cancelled: 'Booking Cancelled',
  completed: 'Session Completed',
} as const;

/**
 * The source of the events the booking webhooks put (DESIGN section 12): the bus takes it from the hook function
 * alone, and the booking-events function beside the configured booking sources.
 */
export const HOOK_EVENT_SOURCE = 'clinic.booking-hooks';

export const TREATMENTS = ['iv-ketamine', 'im-ketamine', 'esketamine-nasal', 'kap', 'other'] as const;
export type Treatment = (typeof TREATMENTS)[number];

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

const bookingId = z
  .string()
  .check(
    z.minLength(1),
    z.maxLength(128),
    z.regex(/^[A-Za-z0-9_.:-]+$/, 'must use only letters, digits and _ . : -'),
  );

const version = z.number().check(z.int(), z.minimum(1));

/** ISO-8601 instant with an explicit offset or Z; a bare local time is ambiguous. */
const instantWithOffset = z.iso.datetime({ offset: true, local: false });

const e164 = z
  .string()
  .check(z.regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number such as +15551234567'));

export const sessionSchema = z.strictObject({
  startsAt: instantWithOffset,
  durationMinutes: z.number().check(z.int(), z.minimum(15), z.maximum(600)),
  timeZone,
  treatment: z.enum(TREATMENTS),
  location: z.optional(z.string().check(withoutFormatCharacters, z.minLength(1), z.maxLength(200))),
  clinicianName: z.optional(z.string().check(withoutFormatCharacters, z.minLength(1), z.maxLength(100))),
});

export const patientSchema = z
  .strictObject({
    id: z.string().check(z.minLength(1), z.maxLength(128)),
    firstName: z.string().check(withoutFormatCharacters, z.trim(), z.minLength(1), z.maxLength(100)),
    email: z.optional(z.email().check(z.maxLength(254))),
    phone: z.optional(e164),
    preferredChannel: z._default(z.enum(['email', 'sms', 'both']), 'both'),
    language: z._default(z.enum(LANGUAGES), 'en'),
    timeZone: z.optional(timeZone),
  })
  .check(
    z.refine((patient) => patient.email !== undefined || patient.phone !== undefined, {
      message: 'needs at least one of email or phone',
      path: ['email'],
    }),
  );

export const fullBookingSchema = z.strictObject({
  bookingId,
  version,
  session: sessionSchema,
  patient: patientSchema,
});

export const bookingCancelledSchema = z.strictObject({
  bookingId,
  version,
  reason: z.optional(z.string().check(withoutFormatCharacters, z.maxLength(500))),
});

export const sessionCompletedSchema = z.strictObject({
  bookingId,
  endedAt: instantWithOffset,
});

export type FullBooking = z.infer<typeof fullBookingSchema>;
export type BookingCancelled = z.infer<typeof bookingCancelledSchema>;
export type SessionCompleted = z.infer<typeof sessionCompletedSchema>;

/** A booking event after validation: the detail-type decides the shape of the detail. */
export type BookingEvent =
  | { type: 'created'; booking: FullBooking }
  | { type: 'rescheduled'; booking: FullBooking }
  | { type: 'cancelled'; cancel: BookingCancelled }
  | { type: 'completed'; completion: SessionCompleted };

/** One rejected field: `field` is a dotted path inside the event, e.g. `detail.patient.email`. */
export interface FieldError {
  field: string;
  message: string;
}

export type ParseResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

/** Turns zod issues into field errors whose path starts at `prefix`. */
export function toFieldErrors(error: z.core.$ZodError, prefix: string): FieldError[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.'),
    message: issue.message,
  }));
}

/** EventBridge's limit for one PutEvents entry, which the local runtime enforces too. */
export const MAX_EVENT_BYTES = 256 * 1024;

/**
 * Validates one booking event envelope (`source`, `detail-type`, `detail`).
 * The caller decides which sources are allowed; this checks the contract only.
 */
export function parseBookingEvent(input: {
  source: unknown;
  detailType: unknown;
  detail: unknown;
  allowedSources: readonly string[];
}): ParseResult<BookingEvent> {
  const { source, detailType, detail, allowedSources } = input;
  if (typeof source !== 'string' || !allowedSources.includes(source)) {
    return fail('source', `must be one of ${allowedSources.join(', ')}`);
  }
  const parsedDetail = typeof detail === 'string' ? parseJson(detail) : { ok: true as const, value: detail };
  if (!parsedDetail.ok) return fail('detail', 'must be a JSON object');
  const body = parsedDetail.value;
  switch (detailType) {
    case DETAIL_TYPES.created:
    case DETAIL_TYPES.rescheduled: {
      const result = fullBookingSchema.safeParse(body);
      if (!result.success) return { ok: false, errors: toFieldErrors(result.error, 'detail') };
      const startError = checkInstant(result.data.session.startsAt, 'detail.session.startsAt');
      if (startError) return { ok: false, errors: [startError] };
      const type = detailType === DETAIL_TYPES.created ? 'created' : 'rescheduled';
      return { ok: true, value: { type, booking: result.data } };
    }
    case DETAIL_TYPES.cancelled: {
      const result = bookingCancelledSchema.safeParse(body);
      if (!result.success) return { ok: false, errors: toFieldErrors(result.error, 'detail') };
      return { ok: true, value: { type: 'cancelled', cancel: result.data } };
    }
    case DETAIL_TYPES.completed: {
      const result = sessionCompletedSchema.safeParse(body);
      if (!result.success) return { ok: false, errors: toFieldErrors(result.error, 'detail') };
      return { ok: true, value: { type: 'completed', completion: result.data } };
    }
    default:
      return fail('detail-type', `must be one of ${Object.values(DETAIL_TYPES).join(', ')}`);
  }
}

function checkInstant(iso: string, field: string): FieldError | undefined {
  return DateTime.fromISO(iso, { setZone: true }).isValid
    ? undefined
    : { field, message: 'is not a real date' };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function fail(field: string, message: string): ParseResult<never> {
  return { ok: false, errors: [{ field, message }] };
}
