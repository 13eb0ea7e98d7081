import { createHash, timingSafeEqual } from 'node:crypto';
import { DETAIL_TYPES, type FieldError } from '../../contracts/booking-events';
import { METRIC } from '../../contracts/metrics';
import { parseJsonWithin } from '../json';
import { deliveryDigest } from './booking-versions';
import { type FhirDelivery, type FhirTreatments, readFhirAppointments } from './fhir-appointment';
import {
  type HookAnswer,
  type HookDeps,
  putVersionedBooking,
  rejectDelivery,
  tooLarge,
} from './hook-delivery';

export interface FhirHookDeps extends HookDeps {
  /** Each source (an EHR) and the bearer token it posts with (Secrets Manager on AWS). */
  tokens: Readonly<Record<string, string>>;
  treatments: FhirTreatments;
  /** The clinic's zone: FHIR carries none. */
  timeZone: string;
}

const PROVIDER = 'fhir';

/** The source whose token `authorization` (`Bearer <token>`) carries, compared in constant time. */
export function fhirSourceOf(
  authorization: string | undefined,
  tokens: Readonly<Record<string, string>>,
): string | undefined {
  const given = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];
  if (!given) return undefined;
  // Equal-length digests, so the comparison takes as long whatever the token's length or first difference.
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  const givenDigest = digest(given);
  let found: string | undefined;
  for (const [source, token] of Object.entries(tokens)) {
    if (token.length > 0 && timingSafeEqual(givenDigest, digest(token))) found ??= source;
  }
  return found;
}

type Result = { appointmentId: string } & (
  | { bookingId: string; version: number }
  | { bookingId: string; completed: string }
  | { ignored: string; bookingId?: string }
);

/**
 * One FHIR post (DESIGN section 12): an `Appointment`, or a Subscription notification bundle of them, from a
 * source known by its bearer token. Each appointment is numbered per booking and put on the bus under the
 * booking event contract; `fulfilled` completes the session at receipt, when that lies within its window. A
 * missing or unknown token is 401, too big 413; any appointment that cannot be mapped makes the answer 422
 * naming its field (the others are still applied, and a retry of the whole post changes nothing more).
 */
export async function receiveFhirDelivery(
  deps: FhirHookDeps,
  request: { rawBody: string; authorization?: string },
): Promise<HookAnswer> {
  const oversized = tooLarge(request.rawBody);
  if (oversized) return oversized;
  const source = fhirSourceOf(request.authorization, deps.tokens);
  if (!source) {
    deps.metrics.count(METRIC.hookRefused);
    return { status: 401, body: { error: 'Authorization: must carry a known bearer token' } };
  }
  const parsed = parseJsonWithin(request.rawBody);
  if (!parsed.ok) {
    return rejectDelivery(deps, PROVIDER, request.rawBody, [{ field: 'body', message: parsed.message }]);
  }
  const body = parsed.value;
  const receivedAt = deps.clock.now();
  const deliveries = readFhirAppointments(body, {
    treatments: deps.treatments,
    timeZone: deps.timeZone,
    receivedAt,
    patientIdPrefix: `fhir:${source}:`,
  });
  const results: Result[] = [];
  const errors: FieldError[] = [];
  for (const delivery of deliveries) {
    if (delivery.type === 'unmappable') errors.push(...delivery.errors);
    else {
      const outcome = await applyAppointment(deps, source, delivery, receivedAt);
      if ('errors' in outcome) errors.push(...outcome.errors);
      else results.push(outcome);
    }
  }
  if (errors.length > 0) {
    const answer = await rejectDelivery(deps, PROVIDER, body, errors);
    return { status: answer.status, body: { ...answer.body, results } };
  }
  return { status: 200, body: { results } };
}

async function applyAppointment(
  deps: FhirHookDeps,
  source: string,
  delivery: Exclude<FhirDelivery, { type: 'unmappable' }>,
  receivedAt: string,
): Promise<Result | { errors: FieldError[] }> {
  const { appointmentId } = delivery;
  const bookingId = `fhir:${source}:${appointmentId}`;
  if (delivery.type === 'ignored') {
    deps.metrics.count(METRIC.hookIgnored);
    return { appointmentId, ignored: delivery.status };
  }
  if (delivery.type === 'fulfilled') return complete(deps, bookingId, appointmentId, receivedAt);

  const build = (version: number) =>
    delivery.type === 'cancelled'
      ? {
          detailType: DETAIL_TYPES.cancelled,
          detail: { bookingId, version, ...(delivery.reason ? { reason: delivery.reason } : {}) },
        }
      : {
          detailType: DETAIL_TYPES.created,
          detail: { bookingId, version, session: delivery.session, patient: delivery.patient },
        };
  const put = await putVersionedBooking(deps, {
    provider: PROVIDER,
    bookingId,
    at: delivery.at,
    digest: deliveryDigest(identityOf(delivery)),
    build,
  });
  if (put.outcome === 'invalid') return { errors: put.errors };
  if (put.outcome === 'older') return { appointmentId, bookingId, ignored: 'older than the last delivery' };
  return { appointmentId, bookingId, version: put.version };
}

/**
 * `fulfilled`: the visit took place. It completes the session at receipt when that lies between the session's
 * start and its planned end; later, the planned end has completed it already, and earlier it cannot be true.
 */
async function complete(
  deps: FhirHookDeps,
  bookingId: string,
  appointmentId: string,
  receivedAt: string,
): Promise<Result> {
  const state = await deps.versions.state(PROVIDER, bookingId);
  const session = state?.event.detail.session as { startsAt: string; durationMinutes: number } | undefined;
  const ignored = (reason: string): Result => {
    deps.metrics.count(METRIC.hookIgnored);
    return { appointmentId, bookingId, ignored: reason };
  };
  if (!state || state.event.detailType === DETAIL_TYPES.cancelled || !session) {
    return ignored('no booked session to complete');
  }
  const start = Date.parse(session.startsAt);
  const end = start + session.durationMinutes * 60_000;
  const now = Date.parse(receivedAt);
  if (now < start) return ignored('the session has not started');
  if (now > end) return ignored('after the planned end, which completed the session');
  await deps.publish([
    { source: deps.source, detailType: DETAIL_TYPES.completed, detail: { bookingId, endedAt: receivedAt } },
  ]);
  return { appointmentId, bookingId, completed: receivedAt };
}

/** What makes two posts the same delivery: all of it, but for a time that is only when we received it. */
function identityOf(delivery: Exclude<FhirDelivery, { type: 'unmappable' | 'ignored' }>): unknown {
  if (!delivery.untimed) return delivery;
  const { at: _received, ...content } = delivery;
  return content;
}
