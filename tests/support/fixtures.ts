import { DateTime } from 'luxon';
import { type FullBooking, fullBookingSchema } from '../../shared/contracts/booking-events';
import { DEFAULT_PLAN } from '../../shared/contracts/clinic-config';
import { type PlanPolicy, planMessages } from '../../shared/domain/booking/plan';
import type { BookingRecord } from '../../shared/domain/booking-record';

type Session = FullBooking['session'];
type Patient = FullBooking['patient'];

/** Overrides for `aBooking`; `session` and `patient` are merged field by field, `undefined` removes a field. */
export interface BookingOverrides {
  bookingId?: string;
  version?: number;
  session?: Partial<Session>;
  patient?: Partial<Patient>;
}

/** A valid booking: a one-hour IV session on Tue 2026-11-03 10:00 in New York, a patient with email and phone. */
export const BASE_BOOKING = {
  bookingId: 'bk-0001',
  version: 1,
  session: {
    startsAt: '2026-11-03T10:00:00-05:00',
    durationMinutes: 60,
    timeZone: 'America/New_York',
    treatment: 'iv-ketamine',
    location: 'Suite 200',
    clinicianName: 'Dr. Rivera',
  },
  patient: {
    id: 'pt-0001',
    firstName: 'Ana',
    email: 'ana@example.org',
    phone: '+15555550123',
    preferredChannel: 'both',
    language: 'en',
  },
} as const satisfies FullBooking;

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * Builds a booking from `BASE_BOOKING` and the overrides, and validates it
 * with the contract's schema, so a test can never start from an invalid booking.
 */
export function aBooking(overrides: BookingOverrides = {}): FullBooking {
  const candidate = {
    bookingId: overrides.bookingId ?? BASE_BOOKING.bookingId,
    version: overrides.version ?? BASE_BOOKING.version,
    session: withoutUndefined({ ...BASE_BOOKING.session, ...overrides.session }),
    patient: withoutUndefined({ ...BASE_BOOKING.patient, ...overrides.patient }),
  };
  return fullBookingSchema.parse(candidate);
}

/** The raw event detail of a booking, as the booking system would publish it (a fresh copy each call). */
export function aBookingDetail(overrides: BookingOverrides = {}): Record<string, unknown> {
  return structuredClone(aBooking(overrides)) as unknown as Record<string, unknown>;
}

/** DESIGN section 3's defaults: the default plan, quiet hours 21:00 up to 08:00, one hour of grace. */
export const DEFAULT_POLICY = {
  rules: DEFAULT_PLAN,
  quietHours: { start: '21:00', end: '08:00' },
  graceMinutes: 60,
  smsPerDay: 3,
  readinessHours: 3,
} as const satisfies PlanPolicy;

/** The UTC instant (ISO, milliseconds) of a local wall-clock time such as `2026-11-02T10:00` in `zone`. */
export function localToUtc(local: string, zone: string): string {
  const at = DateTime.fromISO(local, { zone });
  if (!at.isValid) throw new RangeError(`invalid local time ${local} in ${zone}`);
  return at.toUTC().toISO() as string;
}

/** The local wall-clock time (`yyyy-MM-dd'T'HH:mm`) of an instant in `zone`. */
export function utcToLocal(iso: string, zone: string): string {
  return DateTime.fromISO(iso, { zone: 'utc' }).setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm");
}

/** The same instant as ISO UTC with milliseconds, the format the plan stores. */
export function isoUtc(iso: string): string {
  return DateTime.fromISO(iso, { setZone: true }).toUTC().toISO() as string;
}

/** An active stored booking planned at `now` by the default policy, as the booking handler stores it. */
export function aPlannedRecord(booking: FullBooking, now: string, revision = 1): BookingRecord {
  const plan = planMessages({ booking, activatedAt: now, now, policy: DEFAULT_POLICY });
  return {
    bookingId: booking.bookingId,
    version: booking.version,
    status: 'active',
    booking,
    activatedAt: now,
    plan: Object.fromEntries(plan.map((m) => [m.kind, m])),
    revision,
    updatedAt: now,
  };
}
