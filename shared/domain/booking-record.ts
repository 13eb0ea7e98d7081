import type { FullBooking } from '../contracts/booking-events';
import type { Channel, MessageKind } from '../contracts/vocabulary';

/**
 * One message of a booking's current plan.
 * - `scheduled`: a schedule fires it at `at`;
 * - `due`: sent at once, while the event is processed;
 * - `skipped`: not sent, `reason` says why.
 */
export interface PlannedMessage {
  kind: MessageKind;
  /**
   * The message's identity: its time by the plan's rules (anchor, offset,
   * quiet hours). A re-plan that lands on the same time is the same message,
   * so it is never sent twice.
   */
  plannedAt: string;
  /** When it goes out: `plannedAt`, or now for a message caught within the grace period. */
  at: string;
  status: 'scheduled' | 'due' | 'skipped';
  channels: Channel[];
  /** The booking version that planned it. */
  version: number;
  reason?: SkipReason;
  /**
   * The SMS cap (DESIGN section 3) took this message's text: it goes by email only (`email`), or it waits
   * for the cap to clear (`waits`: `at` is later than `plannedAt`).
   */
  smsCapped?: 'email' | 'waits';
}

export type SkipReason =
  | 'quiet-hours'
  | 'past'
  | 'after-session-start'
  | 'no-channel'
  | 'before-earliest-allowed'
  /** The SMS cap was reached, the patient has no email, and waiting would make the message useless. */
  | 'capped';

/**
 * The stored state of one booking.
 * - `active`: a booking to follow up;
 * - `cancelled`: cancelled (a tombstone when no snapshot was ever seen);
 * - `pending`: only a Session Completed has arrived; applied when the booking does.
 */
export interface BookingRecord {
  bookingId: string;
  /** The opaque surrogate staff SMS, schedule names and logs use (`newBookingRef`), made at the first write. */
  ref?: string;
  /** 0 while only a Session Completed is known. */
  version: number;
  status: 'active' | 'cancelled' | 'pending';
  booking?: FullBooking;
  /** When the create that (re)activated the booking arrived: the anchor of `prep-instructions`. */
  activatedAt?: string;
  /** The real end of the session, from Session Completed. */
  endedAt?: string;
  cancelledAt?: string;
  cancelReason?: string;
  plan: Partial<Record<MessageKind, PlannedMessage>>;
  /** Grows with every write; the optimistic lock of `BookingStore.save`. */
  revision: number;
  updatedAt: string;
}
