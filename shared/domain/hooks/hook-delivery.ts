import { type FieldError, parseBookingEvent } from '../../contracts/booking-events';
import { METRIC } from '../../contracts/metrics';
import type { Clock, DeadLetterSink, Log, Metrics } from '../ports';
import { type HookBookingStore, versionDelivery } from './booking-versions';

/*
 * What every booking webhook shares (DESIGN section 12): the size cap, the answer, the rejected-delivery sink,
 * and the step that numbers a booking event and puts it on the bus under the booking event contract.
 */

/** The largest delivery a hook reads. */
export const MAX_HOOK_BODY_BYTES = 64 * 1024;

/** One booking event as it goes on the bus: the source, detail-type and detail of the contract. */
export interface HookEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

/** What every provider's hook needs. */
export interface HookDeps {
  clock: Clock;
  /** The event source the bus accepts from the hook. */
  source: string;
  versions: HookBookingStore;
  /** Puts the events on the bus; throws unless every entry was taken. */
  publish: (events: HookEvent[]) => Promise<void>;
  deadLetters: DeadLetterSink;
  metrics: Metrics;
  log: Log;
}

export interface HookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export const tooLarge = (rawBody: string): HookAnswer | undefined =>
  Buffer.byteLength(rawBody) > MAX_HOOK_BODY_BYTES
    ? { status: 413, body: { error: `body: must be at most ${MAX_HOOK_BODY_BYTES} bytes` } }
    : undefined;

/** 422 naming the field; the delivery is kept with its reason, never dropped. */
export async function rejectDelivery(
  deps: HookDeps,
  provider: string,
  detail: unknown,
  errors: FieldError[],
): Promise<HookAnswer> {
  const reason = errors.map((error) => `${error.field}: ${error.message}`).join('; ');
  await deps.deadLetters.keep({ source: `hooks/${provider}`, reason, at: deps.clock.now(), detail });
  deps.metrics.count(METRIC.hookRejected);
  return { status: 422, body: { errors } };
}

export type PutOutcome =
  | { outcome: 'put'; bookingId: string; version: number }
  | { outcome: 'older'; bookingId: string }
  | { outcome: 'invalid'; errors: FieldError[] };

/**
 * Validates the event `build` makes under the booking event contract (a booking that breaks it is no event),
 * gives it its version and puts it; a repeated delivery puts the same event with the same version again.
 */
export async function putVersionedBooking(
  deps: HookDeps,
  input: Parameters<typeof versionDelivery>[1],
): Promise<PutOutcome> {
  const probe = input.build(1);
  const valid = parseBookingEvent({
    source: deps.source,
    detailType: probe.detailType,
    detail: probe.detail,
    allowedSources: [deps.source],
  });
  if (!valid.ok) return { outcome: 'invalid', errors: valid.errors };

  const versioned = await versionDelivery(deps.versions, input);
  if (versioned.outcome === 'older') {
    deps.metrics.count(METRIC.hookOlderIgnored);
    return { outcome: 'older', bookingId: input.bookingId };
  }
  const { event, version } = versioned.state;
  await deps.publish([{ source: deps.source, detailType: event.detailType, detail: event.detail }]);
  deps.log.info('booking webhook delivered', { provider: input.provider, type: event.detailType, version });
  return { outcome: 'put', bookingId: input.bookingId, version };
}
