import { DETAIL_TYPES, type FieldError } from '../../contracts/booking-events';
import { METRIC } from '../../contracts/metrics';
import { parseJsonWithin } from '../json';
import { deliveryDigest } from './booking-versions';
import { type CalcomEventTypes, readCalcomDelivery, verifyCalcomSignature } from './calcom-delivery';
import {
  type HookAnswer,
  type HookDeps,
  putVersionedBooking,
  rejectDelivery,
  tooLarge,
} from './hook-delivery';

export interface CalcomHookDeps extends HookDeps {
  /** The webhook's secret (Secrets Manager on AWS, `local-calcom-secret` locally). */
  secret: string;
  /** Keys the patient id's hash of the attendee's email. */
  patientIdKey: string;
  eventTypes: CalcomEventTypes;
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
  const oversized = tooLarge(request.rawBody);
  if (oversized) return oversized;
  if (!verifyCalcomSignature(request.rawBody, request.signature, deps.secret)) {
    deps.metrics.count(METRIC.hookRefused);
    return { status: 401, body: { error: 'X-Cal-Signature-256: does not sign this body' } };
  }
  const parsed = parseJsonWithin(request.rawBody);
  if (!parsed.ok) return reject(deps, request.rawBody, [{ field: 'body', message: parsed.message }]);
  const body = parsed.value;
  const read = readCalcomDelivery(body, deps.eventTypes, deps.patientIdKey);
  if (read.type === 'ignored') {
    deps.metrics.count(METRIC.hookIgnored);
    return { status: 200, body: { ignored: read.trigger } };
  }
  if (read.type === 'unmappable') return reject(deps, body, read.errors);

  // A reschedule is a new Cal.com booking: it keeps the id of the one it moves.
  const previous = read.type === 'booking' && read.previousUid ? read.previousUid : undefined;
  const prior = previous ? await deps.versions.bookingOf(PROVIDER, previous) : undefined;
  const bookingId =
    (await deps.versions.bookingOf(PROVIDER, read.uid)) ?? prior ?? `calcom:${previous ?? read.uid}`;
  await deps.versions.alias(PROVIDER, read.uid, bookingId);
  // The uid it moves names this booking from now on too (unless it named one already).
  if (previous) await deps.versions.alias(PROVIDER, previous, bookingId);

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
  const put = await putVersionedBooking(deps, {
    provider: PROVIDER,
    bookingId,
    at: read.at,
    digest: deliveryDigest(body),
    build,
  });
  if (put.outcome === 'invalid') return reject(deps, body, put.errors);
  // Two reschedules that came out of order made two bookings of one chain: the one the older uid named is
  // superseded by this one, and cancelled, so the patient is not followed up twice.
  const superseded =
    prior !== undefined && prior !== bookingId
      ? await putVersionedBooking(deps, {
          provider: PROVIDER,
          bookingId: prior,
          at: read.at,
          digest: deliveryDigest({ supersededBy: bookingId, delivery: body }),
          build: (version) => ({
            detailType: DETAIL_TYPES.cancelled,
            detail: { bookingId: prior, version, reason: 'rescheduled' },
          }),
        })
      : undefined;
  const also = superseded?.outcome === 'put' ? { superseded: prior } : {};
  if (put.outcome === 'older') {
    return { status: 200, body: { ignored: 'older than the last delivery', bookingId, ...also } };
  }
  return { status: 200, body: { bookingId, version: put.version, ...also } };
}

const reject = (deps: HookDeps, detail: unknown, errors: FieldError[]) =>
  rejectDelivery(deps, PROVIDER, detail, errors);
