import { z } from 'zod';
import { MESSAGE_KINDS } from '../domain/message-kinds';

/** What a message schedule hands the send function: opaque ids only, never contact details. */
export const schedulePayloadSchema = z.strictObject({
  bookingId: z.string().min(1).max(128),
  kind: z.enum(MESSAGE_KINDS),
  at: z.iso.datetime({ offset: true }),
  version: z.number().int().min(1),
});
