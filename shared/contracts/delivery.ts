import type { MessageKind } from './vocabulary';

/**
 * What became of a message after a provider took it (DESIGN section 11): one
 * list for email and SMS, shown in the delivery log, `/local/outbox` and the
 * console. `sent` is the provider's acceptance; the rest come from its events.
 */
export const DELIVERY_STATUSES = [
  'sent',
  'delivered',
  'failed',
  'bounced',
  'complained',
  'blocked',
  'unreachable',
  'spam',
  'expired',
  'opted-out',
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * The message did not reach the patient on this channel and never will: the fallback may take over. A
 * complaint is not one (the message arrived; the address is marked, nothing is sent again).
 */
export const FAILED_FOR_GOOD: ReadonlySet<DeliveryStatus> = new Set(
  DELIVERY_STATUSES.filter(
    (status) => status !== 'sent' && status !== 'delivered' && status !== 'complained',
  ),
);

/** The address or phone itself is no use for this patient any more (not just this message). */
export const ADDRESS_UNREACHABLE: ReadonlySet<DeliveryStatus> = new Set([
  'bounced',
  'complained',
  'opted-out',
]);

/** Kinds that go by the other channel when theirs failed for good; the day-of text does not (DESIGN section 11). */
export const FALLBACK_KINDS: ReadonlySet<MessageKind> = new Set([
  'prep-instructions',
  'prep-reminder',
  'checkin-same-day',
  'checkin-next-day',
  'checkin-week',
]);
