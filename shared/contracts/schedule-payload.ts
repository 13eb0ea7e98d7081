import { MESSAGE_KINDS } from './vocabulary';
import * as z from './zod';

/** What a message schedule hands the send function: opaque ids only, never contact details. */
export const schedulePayloadSchema = z.strictObject({
  bookingId: z.string().check(z.minLength(1), z.maxLength(128)),
  kind: z.enum(MESSAGE_KINDS),
  at: z.iso.datetime({ offset: true }),
  version: z.number().check(z.int(), z.minimum(1)),
  // A re-send to new contact details: an opaque tag, never the details themselves.
  resend: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,32}$/))),
});

/** What the readiness deadline's schedule hands the send function (DESIGN section 11): the booking and the deadline. */
export const readinessCheckPayloadSchema = z.strictObject({
  bookingId: z.string().check(z.minLength(1), z.maxLength(128)),
  check: z.literal('readiness'),
  at: z.iso.datetime({ offset: true }),
});

/** Everything the send function's schedules hand it. */
export const sendFunctionPayloadSchema = z.union([schedulePayloadSchema, readinessCheckPayloadSchema]);
