import { createHash } from 'node:crypto';

/*
 * Providers do not number their changes (DESIGN section 12): per booking, the hook keeps a counter and the
 * last event it produced, moved by a conditional update, and orders deliveries by the provider's own time.
 * A delivery repeated by the provider re-puts the same event with the same version, so a PutEvents that
 * failed after the counter moved is healed by the provider's retry; an older delivery changes nothing.
 */

/** What the hook last produced for a booking. */
export interface HookBookingState {
  bookingId: string;
  version: number;
  /** The provider's time of the delivery that produced it. */
  at: string;
  /** A digest of that delivery's content: the same delivery again re-puts the same event. */
  deliveryDigest: string;
  /** The event produced (detail-type and detail), put again as it was on a repeat. */
  event: { detailType: string; detail: Record<string, unknown> };
  /** Digests of the deliveries before it, newest first: one of them again is an older delivery retried. */
  earlier?: string[];
}

/** How many earlier deliveries a booking remembers: a provider retries for hours, not for dozens of changes. */
const EARLIER_KEPT = 20;

export interface HookBookingStore {
  /** The booking an id of the provider names (a rescheduled booking's new id points at the original's). */
  bookingOf(provider: string, providerId: string): Promise<string | undefined>;
  /** Makes `providerId` name `bookingId` from now on; naming it again changes nothing. */
  alias(provider: string, providerId: string, bookingId: string): Promise<void>;
  state(provider: string, bookingId: string): Promise<HookBookingState | undefined>;
  /** Writes the new state if the stored version is still `expected` (`0`: none); false when another won. */
  advance(provider: string, state: HookBookingState, expected: number): Promise<boolean>;
}

export type VersionedDelivery =
  | { outcome: 'new'; state: HookBookingState }
  /** The provider sent it again: the same event, the same version, to put again. */
  | { outcome: 'repeat'; state: HookBookingState }
  /** Older than what the booking already had: nothing to put. */
  | { outcome: 'older'; state: HookBookingState };

/** A digest of a delivery's content, whatever the key order. */
export function deliveryDigest(value: unknown): string {
  return createHash('sha256').update(stableJson(value)).digest('base64url').slice(0, 22);
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const MAX_ATTEMPTS = 5;

/**
 * Gives a delivery its place in the booking's history: a new version when it is newer than the last one, the
 * last event again when it is that same delivery, nothing when it is older. `build` makes the event for a
 * version; a race with another delivery of the same booking is retried from a fresh read.
 */
export async function versionDelivery(
  store: HookBookingStore,
  input: {
    provider: string;
    bookingId: string;
    at: string;
    digest: string;
    build: (version: number) => HookBookingState['event'];
  },
): Promise<VersionedDelivery> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const current = await store.state(input.provider, input.bookingId);
    if (current) {
      if (current.deliveryDigest === input.digest) return { outcome: 'repeat', state: current };
      // A delivery applied before and since overtaken, retried: whatever its time says, it is older.
      if (current.earlier?.includes(input.digest)) return { outcome: 'older', state: current };
      if (Date.parse(input.at) < Date.parse(current.at)) return { outcome: 'older', state: current };
    }
    const version = (current?.version ?? 0) + 1;
    const state: HookBookingState = {
      bookingId: input.bookingId,
      version,
      at: input.at,
      deliveryDigest: input.digest,
      event: input.build(version),
      ...(current
        ? { earlier: [current.deliveryDigest, ...(current.earlier ?? [])].slice(0, EARLIER_KEPT) }
        : {}),
    };
    if (await store.advance(input.provider, state, current?.version ?? 0)) return { outcome: 'new', state };
  }
  throw new Error(`the hook's version of booking ${input.bookingId} kept moving`);
}
