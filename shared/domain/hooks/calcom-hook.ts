import { DETAIL_TYPES, type FieldError, parseBookingEvent } from '../../contracts/booking-events';
import type { Clock, DeadLetterSink, Log, Metrics } from '../ports';
import { deliveryDigest, type HookBookingStore, versionDelivery } from './booking-versions';
import { type CalcomEventTypes, readCalcomDelivery, verifyCalcomSignature } from './calcom-delivery';

/** The largest delivery a hook reads (DESIGN section 12). */
export const MAX_HOOK_BODY_BYTES = 64 * 1024;

/** One booking event as it goes on the bus: the source, detail-type and detail of the contract. */
export interface HookEvent {
  source: string;
  detailType: string;
  detail: Record<string, unknown>;
}

export interface CalcomHookDeps {
  clock: Clock;
  /** The webhook's secret (Secrets Manager on AWS, `local-calcom-secret` locally). */
  secret: string;
  /** Keys the patient id's hash of the attendee's email. */
  patientIdKey: string;
  eventTypes: CalcomEventTypes;
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

const PROVIDER = 'calcom';

/**
 * One Cal.com delivery (DESIGN section 12): checked, read and turned into the booking event of the contract,
 * numbered per booking and put on the bus; 2xx only once the bus took it. A wrong signature is 401, too big
 * 413, unmappable 422 naming the field (and kept with its reason); a trigger we do not use is 200 `ignored`.
 */
export async function receiveCalcomDelivery(
  deps: CalcomHookDeps,
  request: { rawBody: string; signature?: string },
): Promise<HookAnswer> {
  if (Buffer.byteLength(request.rawBody) > MAX_HOOK_BODY_BYTES) {
    return { status: 413, body: { error: `body: must be at most ${MAX_HOOK_BODY_BYTES} bytes` } };
  }
  if (!verifyCalcomSignature(request.rawBody, request.signature, deps.secret)) {
    deps.metrics.count('HookSignatureRefused');
    return { status: 401, body: { error: 'X-Cal-Signature-256: does not sign this body' } };
  }
  let body: unknown;
  try {
    body = JSON.parse(request.rawBody);
  } catch {
    return reject(deps, request.rawBody, [{ field: 'body', message: 'must be JSON' }]);
  }
  const read = readCalcomDelivery(body, deps.eventTypes, deps.patientIdKey);
  if (read.type === 'ignored') {
    deps.metrics.count('HookIgnored');
    return { status: 200, body: { ignored: read.trigger } };
  }
  if (read.type === 'unmappable') return reject(deps, body, read.errors);

  // A reschedule is a new Cal.com booking: it keeps the id of the one it moves.
  const previous = read.type === 'booking' && read.previousUid ? read.previousUid : undefined;
  const bookingId =
    (await deps.versions.bookingOf(PROVIDER, read.uid)) ??
    (previous ? await deps.versions.bookingOf(PROVIDER, previous) : undefined) ??
    `calcom:${previous ?? read.uid}`;
  await deps.versions.alias(PROVIDER, read.uid, bookingId);

  if (read.type === 'ended') {
    // Not versioned: the same end twice changes nothing downstream.
    const event = {
      source: deps.source,
      detailType: DETAIL_TYPES.completed,
      detail: { bookingId, endedAt: read.endedAt },
    };
    await deps.publish([event]);
    return { status: 200, body: { bookingId } };
  }
  const build = (version: number): { detailType: string; detail: Record<string, unknown> } =>
    read.type === 'cancelled'
      ? {
          detailType: DETAIL_TYPES.cancelled,
          detail: { bookingId, version, ...(read.reason ? { reason: read.reason } : {}) },
        }
      : {
          detailType:
            read.trigger === 'BOOKING_RESCHEDULED' ? DETAIL_TYPES.rescheduled : DETAIL_TYPES.created,
          detail: { bookingId, version, session: read.session, patient: read.patient },
        };
  // The same validation as an event put on the bus directly: a booking that breaks the contract is 422.
  const probe = build(1);
  const valid = parseBookingEvent({
    source: deps.source,
    detailType: probe.detailType,
    detail: probe.detail,
    allowedSources: [deps.source],
  });
  if (!valid.ok) return reject(deps, body, valid.errors);

  const versioned = await versionDelivery(deps.versions, {
    provider: PROVIDER,
    bookingId,
    at: read.at,
    digest: deliveryDigest(body),
    build,
  });
  if (versioned.outcome === 'older') {
    deps.metrics.count('HookOlderIgnored');
    return { status: 200, body: { ignored: 'older than the last delivery', bookingId } };
  }
  const { event, version } = versioned.state;
  await deps.publish([{ source: deps.source, detailType: event.detailType, detail: event.detail }]);
  deps.log.info('booking webhook delivered', { provider: PROVIDER, type: event.detailType, version });
  return { status: 200, body: { bookingId, version } };
}

/** 422 naming the field; the delivery is kept with its reason, never dropped. */
async function reject(deps: CalcomHookDeps, detail: unknown, errors: FieldError[]): Promise<HookAnswer> {
  const reason = errors.map((error) => `${error.field}: ${error.message}`).join('; ');
  await deps.deadLetters.keep({ source: 'hooks/calcom', reason, at: deps.clock.now(), detail });
  deps.metrics.count('HookRejected');
  return { status: 422, body: { errors } };
}
