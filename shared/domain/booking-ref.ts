import { createHash, randomBytes } from 'node:crypto';

/**
 * The opaque surrogate of a booking (DESIGN section 8): staff SMS, schedule
 * names and logs name a booking by it, never by the booking system's id, so
 * none of them can be joined to that system's records. Random, made once
 * when the booking is first stored, and kept on it.
 */
export function newBookingRef(): string {
  return `bk_${randomBytes(9).toString('base64url')}`;
}

/** The booking's surrogate; a record stored before surrogates existed gets one derived from its id. */
export function bookingRefOf(record: { bookingId: string; ref?: string | undefined }): string {
  return (
    record.ref ??
    `bk_${createHash('sha256').update(`booking-ref\n${record.bookingId}`).digest('base64url').slice(0, 12)}`
  );
}
