import { createHash } from 'node:crypto';
import type { Channel } from '../../contracts/vocabulary';
import type { MessageRef } from '../ports';

/**
 * The opaque id of one message on one channel (DESIGN section 11): the same
 * message always gets the same id, so a retried send carries the id its
 * first attempt registered. Providers hand it back with each delivery event
 * (SES tags, End User Messaging's `Context`); it says nothing of the booking
 * or the patient.
 */
export function deliveryIdOf(ref: MessageRef, channel: Channel): string {
  const parts = [ref.bookingId, ref.kind, String(Date.parse(ref.at)), ref.resend ?? '', channel];
  return `d_${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 22)}`;
}
