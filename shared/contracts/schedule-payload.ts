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
