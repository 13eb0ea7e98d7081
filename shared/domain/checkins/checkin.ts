import type { FieldError, FullBooking, Language } from '../../contracts/booking-events';
import { parseCheckinForm, parseCheckinJson } from '../../contracts/checkin-reply';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { METRIC } from '../../contracts/metrics';
import { type CheckinKind, isCheckinKind } from '../../contracts/vocabulary';
import { verifyLinkToken } from '../messages/tokens';
import type {
  BookingStore,
  Clock,
  LinkRecord,
  LinkStore,
  Log,
  Metrics,
  ReplyStore,
  SigningKeySource,
} from '../ports';
import { crisisResources } from './crisis-resources';
import { triageReply } from './triage';

export interface CheckinDeps {
  config: ClinicConfig;
  clock: Clock;
  bookings: BookingStore;
  links: LinkStore;
  replies: ReplyStore;
  signingKey: SigningKeySource;
  newId: () => string;
  metrics: Metrics;
  log: Log;
}

/** A request to a patient link, as the HTTP edge hands it over. */
export interface LinkRequest {
  method: string;
  /** `c`: check-in form; `i`: instructions page. */
  page: 'c' | 'i';
  token: string;
  contentType?: string;
  body?: string;
}

/**
 * What went wrong with a patient link: tampered or malformed (`invalid`),
 * past its expiry (`expired`), pointing at nothing (`not-found`), or a
 * non-urgent answer that could not be stored (`not-saved`).
 */
export type LinkProblem = 'invalid' | 'expired' | 'not-found' | 'not-saved';

/** The page a patient link answers with; the web layer renders it. */
export type PatientView =
  | {
      view: 'checkin-form';
      kind: CheckinKind;
      /** Where the form posts: the check-in link itself. */
      action: string;
      /** After a rejected post: what the patient sent, and what was wrong with it. */
      values?: Record<string, string>;
      errors?: FieldError[];
    }
  | { view: 'reply-received'; level: 'routine' | 'review' }
  | { view: 'crisis'; saved: boolean }
  | { view: 'link-problem'; problem: LinkProblem }
  | { view: 'instructions'; booking: FullBooking };

/**
 * The answer to a patient link: a page in the patient's language (none when
 * the link cannot be read: the page is then in English and Spanish), a JSON
 * body, or a method the link does not take.
 */
export type LinkOutcome =
  | { status: number; page: PatientView; language?: Language }
  | { status: number; json: unknown }
  | { status: 405; allow: string };

/**
 * Serves a patient link: checks the link before anything else (tampered 403,
 * expired 410), then shows the form or the instructions, or takes a reply:
 * validated, triaged and stored in one write. An urgent answer always gets
 * the crisis resources, even when the reply could not be stored.
 */
export async function answerPatientLink(deps: CheckinDeps, request: LinkRequest): Promise<LinkOutcome> {
  const wantsJson = (request.contentType ?? '').startsWith('application/json');
  let resolved: Resolved;
  try {
    resolved = await resolveLink(deps, request);
  } catch (error) {
    return unavailable(deps, request, wantsJson, error);
  }
  if (!resolved.ok) return linkProblem(deps, resolved.problem, wantsJson, resolved.booking);
  const { link, booking } = resolved;
  const language = booking.patient.language;
  const html = (status: number, page: PatientView): LinkOutcome => ({ status, page, language });

  if (request.page === 'i') {
    if (request.method !== 'GET') return { status: 405, allow: 'GET' };
    return html(200, { view: 'instructions', booking });
  }
  const kind = link.kind as CheckinKind;
  const action = `/c/${request.token}`;
  if (request.method === 'GET') return html(200, { view: 'checkin-form', kind, action });
  if (request.method !== 'POST') return { status: 405, allow: 'GET, POST' };

  const form = !wantsJson;
  const parsed = form
    ? parseCheckinForm(formFields(request.body ?? ''), kind)
    : parseJsonBody(request.body, kind);
  if (!parsed.ok) {
    deps.log.info('check-in reply rejected', { kind, fields: parsed.errors.map((e) => e.field) });
    // An answer that reports self-harm thoughts or asks for a call gets the crisis resources even when
    // another field is wrong: the reply is not stored, so nobody else knows yet.
    if (!form) {
      const resources = soundsUrgent(request.body)
        ? { crisisResources: crisisResources(language, deps.config.clinic) }
        : {};
      return json(400, { errors: parsed.errors, ...resources });
    }
    return html(400, {
      view: 'checkin-form',
      kind,
      action,
      values: formValues(request.body ?? ''),
      errors: parsed.errors,
    });
  }

  const triage = triageReply(parsed.value, kind, deps.config.triage);
  const urgent = triage.level === 'urgent';
  const replyId = deps.newId();
  const resources = urgent ? crisisResources(language, deps.config.clinic) : undefined;
  try {
    await deps.replies.record({
      replyId,
      bookingId: link.bookingId,
      kind,
      receivedAt: deps.clock.now(),
      answers: parsed.value,
      triage: triage.level,
      rules: triage.rules,
      scores: triage.scores,
      ...(urgent ? { alertId: deps.newId() } : {}),
    });
  } catch (error) {
    deps.metrics.count(METRIC.replyStoreFailures);
    deps.log.error('check-in reply not stored', { kind, triage: triage.level, error: errorName(error) });
    if (!form) {
      return json(503, {
        error: 'Your answer could not be saved. Please call the clinic.',
        clinicPhone: deps.config.clinic.phone,
        ...(resources ? { crisisResources: resources } : {}),
      });
    }
    return html(
      503,
      urgent ? { view: 'crisis', saved: false } : { view: 'link-problem', problem: 'not-saved' },
    );
  }
  deps.metrics.count(`Replies${triage.level[0]?.toUpperCase()}${triage.level.slice(1)}`);
  deps.log.info('check-in reply stored', { kind, replyId, triage: triage.level, rules: triage.rules });
  if (!form) {
    return json(201, {
      replyId,
      triage: triage.level,
      rules: triage.rules,
      ...(resources ? { crisisResources: resources } : {}),
    });
  }
  return html(
    200,
    triage.level === 'urgent'
      ? { view: 'crisis', saved: true }
      : { view: 'reply-received', level: triage.level },
  );
}

/**
 * The link could not be checked because a dependency failed (DynamoDB, the
 * signing key). Nothing can be stored, so a reply gets the crisis page that
 * says the answer was not saved and gives the clinic's number; a page view
 * gets the page that says how to reach the clinic.
 */
function unavailable(
  deps: CheckinDeps,
  request: LinkRequest,
  wantsJson: boolean,
  error: unknown,
): LinkOutcome {
  deps.metrics.count(METRIC.replyStoreFailures);
  deps.log.error('patient link unavailable', {
    page: request.page,
    error: error instanceof Error ? error.name : 'unknown',
  });
  if (wantsJson) {
    return json(503, {
      error: 'Your answer could not be saved. Please call the clinic.',
      clinicPhone: deps.config.clinic.phone,
      crisisResources: crisisResources('en', deps.config.clinic),
    });
  }
  return {
    status: 503,
    language: 'en',
    page:
      request.method === 'POST'
        ? { view: 'crisis', saved: false }
        : { view: 'link-problem', problem: 'not-saved' },
  };
}

/** Whether a JSON body says yes to the self-harm question or asks for a call, whatever else it holds. */
function soundsUrgent(body: string | undefined): boolean {
  try {
    const value = JSON.parse(body ?? '') as { selfHarm?: unknown; wantsCall?: unknown } | null;
    return value?.selfHarm === 'yes' || value?.wantsCall === true;
  } catch {
    return false;
  }
}

type Resolved =
  | { ok: true; link: LinkRecord; booking: FullBooking }
  | { ok: false; problem: 'invalid' | 'expired' | 'not-found'; booking?: FullBooking };

async function resolveLink(deps: CheckinDeps, request: LinkRequest): Promise<Resolved> {
  const linkId = verifyLinkToken(await deps.signingKey.get(), request.token);
  if (!linkId) return { ok: false, problem: 'invalid' };
  const link = await deps.links.get(linkId);
  // A genuine token for the other page (a check-in token on /i/) is as good as tampered.
  const expectedPurpose = request.page === 'c' ? 'checkin' : 'instructions';
  if (!link || link.purpose !== expectedPurpose || (request.page === 'c' && !isCheckinKind(link.kind))) {
    return { ok: false, problem: link ? 'invalid' : 'not-found' };
  }
  const booking = (await deps.bookings.get(link.bookingId))?.booking;
  if (!booking) return { ok: false, problem: 'not-found' };
  if (Date.parse(deps.clock.now()) > Date.parse(link.expiresAt))
    return { ok: false, problem: 'expired', booking };
  return { ok: true, link, booking };
}

const PROBLEM_STATUS = { invalid: 403, expired: 410, 'not-found': 404 } as const;

function linkProblem(
  deps: CheckinDeps,
  problem: keyof typeof PROBLEM_STATUS,
  wantsJson: boolean,
  booking?: FullBooking,
): LinkOutcome {
  const status = PROBLEM_STATUS[problem];
  deps.log.info('patient link refused', { problem });
  if (wantsJson) {
    return json(status, {
      error: problem === 'expired' ? 'This link has expired.' : 'This link is not valid.',
      clinicPhone: deps.config.clinic.phone,
    });
  }
  return {
    status,
    page: { view: 'link-problem', problem },
    ...(booking ? { language: booking.patient.language } : {}),
  };
}

function parseJsonBody(body: string | undefined, kind: CheckinKind) {
  try {
    return parseCheckinJson(JSON.parse(body ?? ''), kind);
  } catch {
    return {
      ok: false as const,
      errors: [{ field: 'body', message: 'must be a JSON object' } satisfies FieldError],
    };
  }
}

/** Urlencoded fields; a repeated name becomes a list, which the parser rejects. */
function formFields(body: string): Record<string, string | string[]> {
  // No prototype: a field named `__proto__` is then a field like any other, and is rejected as unknown.
  const fields: Record<string, string | string[]> = Object.create(null);
  for (const [name, value] of new URLSearchParams(body)) {
    const existing = fields[name];
    fields[name] =
      existing === undefined ? value : [...(Array.isArray(existing) ? existing : [existing]), value];
  }
  return fields;
}

function formValues(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

function json(status: number, value: unknown): LinkOutcome {
  return { status, json: value };
}
