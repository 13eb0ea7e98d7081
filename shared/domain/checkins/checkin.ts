import type { FieldError, FullBooking, Language } from '../../contracts/booking-events';
import { type CheckinParseResult, parseCheckinForm, parseCheckinJson } from '../../contracts/checkin-reply';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { METRIC } from '../../contracts/metrics';
import {
  type Advice,
  asksScreeners,
  type CheckinAnswers,
  type CheckinKind,
  isCheckinKind,
} from '../../contracts/vocabulary';
import type { BookingRecord } from '../booking-record';
import { bookingRefOf } from '../booking-ref';
import { stillReachesPatient } from '../contacts';
import {
  answerReadiness,
  READINESS_FIELDS,
  type ReadinessDeps,
  type ReadinessFormState,
  readinessAskable,
  readReadinessForm,
} from '../messages/readiness';
import { verifyLinkToken } from '../messages/tokens';
import type {
  AlertState,
  AlertStore,
  BookingStore,
  Clock,
  LinkRecord,
  LinkStore,
  Log,
  Metrics,
  ReplyCounter,
  ReplyStore,
  ScreenerHistory,
  SigningKeySource,
  StoredReply,
} from '../ports';
import { isoWeekIn } from '../time';
import { crisisResources } from './crisis-resources';
import { hasRedFlag } from './red-flags';
import { type ScreenerBaseline, triagePolicy, triageReply } from './triage';
import { containsUrgentPhrase } from './urgent-phrases';

export interface CheckinDeps extends ReadinessDeps {
  config: ClinicConfig;
  clock: Clock;
  bookings: BookingStore;
  links: LinkStore;
  replies: ReplyStore;
  /** To find the booking's open alert, which a further urgent reply joins. */
  alerts: Pick<AlertStore, 'get'>;
  /** The patient's first screener totals (by-patient index). */
  screeners: ScreenerHistory;
  /** The clinic's replies by week and triage level (the console's outcomes page). */
  replyCounts: ReplyCounter;
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

/** Replies one check-in link takes (DESIGN section 7); an urgent answer is stored past it all the same. */
export const MAX_REPLIES_PER_LINK = 10;

/**
 * The largest body a patient link reads, in bytes (DESIGN section 8): a full
 * form with a 2,000-character note in Spanish, urlencoded, is under 13 KB.
 */
export const MAX_REPLY_BODY_BYTES = 16 * 1024;

/**
 * What went wrong with a patient link: tampered or malformed (`invalid`),
 * past its expiry (`expired`), of a cancelled booking (`revoked`), pointing at nothing (`not-found`), a
 * non-urgent answer that could not be stored (`not-saved`), a link that
 * took all its replies (`too-many`), a body too large to read (`too-large`).
 */
export type LinkProblem =
  | 'invalid'
  | 'expired'
  | 'revoked'
  | 'not-found'
  | 'not-saved'
  | 'too-many'
  | 'too-large';

/** Whether the patient said they may act on self-harm thoughts now: yes, no, or not answered after a yes. */
export type ActingNow = 'yes' | 'no' | 'unknown';

/** The advice of an urgent page. */
export type UrgentAdvice = Extract<Advice, 'emergency' | 'crisis' | 'call-us'>;

/** The page a patient link answers with; the web layer renders it. */
export type PatientView =
  | {
      view: 'checkin-form';
      kind: CheckinKind;
      /** Whether the PHQ-9 and GAD-7 are asked. */
      screeners: boolean;
      /** Where the form posts: the check-in link itself. */
      action: string;
      /** After a rejected post: what the patient sent, and what was wrong with it. */
      values?: Record<string, string>;
      errors?: FieldError[];
    }
  | {
      view: 'reply-received';
      kind: CheckinKind;
      level: 'routine' | 'review';
      callback: boolean;
      /** Fields of a reply stored for its red flag that could not be read. */
      unread?: FieldError[];
    }
  | {
      view: 'urgent';
      kind: CheckinKind;
      advice: UrgentAdvice;
      actingNow: ActingNow;
      /** Whether the reply was stored (and so the staff alert is on its way). */
      saved: boolean;
      /** Fields of a stored reply that could not be read. */
      unread?: FieldError[];
    }
  | { view: 'link-problem'; problem: LinkProblem }
  | {
      view: 'instructions';
      booking: FullBooking;
      /** Where the readiness form posts: the page's own path. */
      action: string;
      readiness: ReadinessFormState;
    };

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
 * the crisis resources, even when the reply could not be stored; a reply
 * carrying a red flag or an urgent phrase is stored even when other fields
 * are invalid or the link took all its replies (DESIGN section 7).
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
  const { link, booking, bookingRef, record } = resolved;
  const language = booking.patient.language;
  const html = (status: number, page: PatientView): LinkOutcome => ({ status, page, language });

  if (request.page === 'i') {
    const page = (status: number, readiness: ReadinessFormState) =>
      html(status, { view: 'instructions', booking, action: `/i/${request.token}`, readiness });
    // Only an active booking whose session is still to come is asked (DESIGN section 11).
    const askable = readinessAskable(record, deps.clock.now());
    if (request.method === 'GET') return page(200, askable ? { step: 'ask' } : { step: 'closed' });
    if (request.method !== 'POST') return { status: 405, allow: 'GET, POST' };
    if (!askable) return page(409, { step: 'closed' });
    if (Buffer.byteLength(request.body ?? '') > MAX_REPLY_BODY_BYTES)
      return html(413, { view: 'link-problem', problem: 'too-large' });
    const fields = formFields(request.body ?? '');
    const single = Object.fromEntries(
      Object.entries(fields).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]),
    );
    const values = Object.fromEntries(
      READINESS_FIELDS.flatMap((field) =>
        single[field] === 'yes' || single[field] === 'no' ? [[field, single[field]]] : [],
      ),
    );
    const read = readReadinessForm(single, deps.clock.now());
    if (!read.ok) return page(400, { step: 'missing', missing: read.missing, values });
    // The answer is the patient's to give: a notice email that fails is sent at the deadline instead.
    const readiness = await answerReadiness(deps, record, read.answer, { deferEmail: true });
    if (!readiness) return page(409, { step: 'closed' });
    deps.log.info('readiness answered', { booking: bookingRef, via: 'form' });
    return page(200, { step: 'answered', concern: readiness.state === 'concern', values });
  }
  const kind = link.kind as CheckinKind;
  const action = `/c/${request.token}`;
  const screeners = await asksScreenersNow(deps, kind, booking, link.bookingId);
  if (request.method === 'GET') return html(200, { view: 'checkin-form', kind, screeners, action });
  if (request.method !== 'POST') return { status: 405, allow: 'GET, POST' };

  const form = !wantsJson;
  const refuse = (status: number, problem: LinkProblem, errors: FieldError[]): LinkOutcome =>
    form
      ? html(status, { view: 'link-problem', problem })
      : json(status, { errors, crisisResources: crisisResources(language, deps.config.clinic) });
  if (Buffer.byteLength(request.body ?? '') > MAX_REPLY_BODY_BYTES) {
    deps.log.info('check-in reply refused', { kind, reason: 'too-large' });
    return refuse(413, 'too-large', [
      { field: 'body', message: `must be at most ${MAX_REPLY_BODY_BYTES} bytes` },
    ]);
  }

  const parsed = form
    ? parseCheckinForm(formFields(request.body ?? ''), kind, screeners)
    : parseJsonBody(request.body, kind, screeners);
  const answers = parsed.ok ? parsed.value : parsed.salvaged;
  const policy = triagePolicy(deps.config);
  // Stored whatever else is wrong: a red flag, or a note with an urgent phrase.
  const mustStore =
    hasRedFlag(answers, kind) ||
    (answers.note !== undefined && containsUrgentPhrase(answers.note, policy.urgentPhrases));
  if (!parsed.ok && !mustStore) {
    // Counted, never listed: a hostile body can name thousands of fields.
    deps.log.info('check-in reply rejected', { kind, badFields: parsed.errors.length });
    if (!form) {
      return json(400, {
        errors: parsed.errors.slice(0, 20),
        crisisResources: crisisResources(language, deps.config.clinic),
      });
    }
    return html(400, {
      view: 'checkin-form',
      kind,
      screeners,
      action,
      values: formValues(request.body ?? ''),
      errors: parsed.errors,
    });
  }
  const unread = parsed.ok ? [] : parsed.errors.slice(0, 20);

  let earlier: StoredReply[];
  let baseline: ScreenerBaseline;
  try {
    [earlier, baseline] = await Promise.all([
      deps.replies.listForBooking(link.bookingId),
      // Only a PHQ-9 is compared with the patient's first one: other replies skip the read.
      answers.phq9 === undefined ? Promise.resolve({}) : deps.screeners.baseline(booking.patient.id),
    ]);
  } catch (error) {
    // Triage needs no store: without the baseline it still gives the right advice for what is known.
    const known = triageReply(answers, kind, policy);
    const urgent = known.level === 'urgent' || mustStore;
    return notStored(deps, { form, kind, language, urgent, advice: known.advice, answers, error });
  }
  if (!mustStore && earlier.filter((reply) => reply.kind === kind).length >= MAX_REPLIES_PER_LINK) {
    deps.log.info('check-in reply refused', { kind, reason: 'too-many' });
    return refuse(429, 'too-many', [
      { field: 'body', message: `this link took ${MAX_REPLIES_PER_LINK} replies already` },
    ]);
  }

  const triage = triageReply(answers, kind, policy, baseline);
  const urgent = triage.level === 'urgent';
  const reply: StoredReply = {
    replyId: deps.newId(),
    bookingId: link.bookingId,
    bookingRef,
    patientId: booking.patient.id,
    kind,
    receivedAt: deps.clock.now(),
    answers,
    triage: triage.level,
    rules: triage.rules,
    advice: triage.advice,
    scores: triage.scores,
    ...(unread.length > 0 ? { unread: unread.map((error) => error.field) } : {}),
  };
  try {
    await storeReply(deps, reply, urgent ? earlier : undefined);
  } catch (error) {
    return notStored(deps, { form, kind, language, urgent, advice: triage.advice, answers, error });
  }
  await Promise.all([enterScreeners(deps, reply, booking.patient.id), countReply(deps, reply)]);
  deps.metrics.count(`Replies${triage.level[0]?.toUpperCase()}${triage.level.slice(1)}`);
  deps.log.info('check-in reply stored', { kind, replyId: reply.replyId });
  const advice = urgentAdvice(triage.advice);
  if (!form) {
    return json(201, {
      replyId: reply.replyId,
      triage: triage.level,
      rules: triage.rules,
      advice: triage.advice,
      ...(urgent
        ? { crisisResources: crisisResources(language, deps.config.clinic, advice, actingNow(answers)) }
        : {}),
      ...(unread.length > 0 ? { errors: unread } : {}),
    });
  }
  if (urgent) {
    return html(200, {
      view: 'urgent',
      kind,
      advice,
      actingNow: actingNow(answers),
      saved: true,
      ...(unread.length > 0 ? { unread } : {}),
    });
  }
  return html(200, {
    view: 'reply-received',
    kind,
    level: triage.level === 'review' ? 'review' : 'routine',
    callback: triage.advice === 'callback',
    ...(unread.length > 0 ? { unread } : {}),
  });
}

/**
 * Stores the reply. An urgent reply names the booking's open alert (not yet
 * acknowledged, or still being created) when there is one, and the rules it
 * adds: the alert path then adds it to that alert instead of starting a
 * second escalation chain.
 */
export async function storeReply(
  deps: Pick<CheckinDeps, 'replies' | 'alerts' | 'newId'>,
  reply: StoredReply,
  earlier?: StoredReply[],
): Promise<void> {
  if (earlier === undefined) return deps.replies.record(reply);
  const open = await openAlert(deps, earlier);
  const joining = open
    ? {
        joinsAlertId: open.alertId,
        joinsAlertOf: open.owner,
      }
    : {};
  await deps.replies.record({ ...reply, alertId: deps.newId(), ...joining });
}

interface OpenAlert {
  alertId: string;
  /** The rules the alert has so far. */
  rules: string[];
  /** The reply that owes the alert. */
  owner: NonNullable<StoredReply['joinsAlertOf']>;
}

/**
 * The booking's alert nobody has acknowledged yet: the one the newest urgent
 * reply joined, or its own (which exists only if that join found the alert
 * acknowledged), or, for a reply that joined nothing, its own alert even
 * while it is still being created (its dispatch may be on the way).
 */
async function openAlert(
  deps: Pick<CheckinDeps, 'alerts'>,
  earlier: StoredReply[],
): Promise<OpenAlert | undefined> {
  const newest = earlier
    .filter((reply) => reply.alertId !== undefined)
    .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt))[0];
  if (newest?.alertId === undefined) return undefined;
  const own = {
    replyId: newest.replyId,
    kind: newest.kind,
    receivedAt: newest.receivedAt,
    rules: newest.rules,
  };
  if (newest.joinsAlertId !== undefined && newest.joinsAlertOf !== undefined) {
    const joined = await deps.alerts.get(newest.joinsAlertId);
    if (joined && OPEN_STATES.includes(joined.state)) {
      return { alertId: joined.alertId, owner: newest.joinsAlertOf, rules: joined.rules };
    }
    if (!joined) {
      const pending = [...newest.joinsAlertOf.rules, ...newest.rules];
      return { alertId: newest.joinsAlertId, owner: newest.joinsAlertOf, rules: pending };
    }
    // The alert it meant to join was acknowledged: it has its own, if its dispatch has run.
    const ownAlert = await deps.alerts.get(newest.alertId);
    if (ownAlert && OPEN_STATES.includes(ownAlert.state)) {
      return { alertId: ownAlert.alertId, owner: own, rules: ownAlert.rules };
    }
    return undefined;
  }
  const alert = await deps.alerts.get(newest.alertId);
  if (!alert) return { alertId: newest.alertId, owner: own, rules: newest.rules };
  return OPEN_STATES.includes(alert.state)
    ? { alertId: alert.alertId, owner: own, rules: alert.rules }
    : undefined;
}

/** Enters the reply's screener totals in the patient's history; the reply is stored already, so a failure is logged, not shown. */
async function enterScreeners(deps: CheckinDeps, reply: StoredReply, patientId: string): Promise<void> {
  const { phq9, gad7 } = reply.scores;
  if (phq9 === undefined && gad7 === undefined) return;
  try {
    await deps.screeners.add({
      patientId,
      replyId: reply.replyId,
      bookingId: reply.bookingId,
      at: reply.receivedAt,
      ...(phq9 ? { phq9: phq9.total } : {}),
      ...(gad7 ? { gad7: gad7.total } : {}),
    });
  } catch (error) {
    deps.metrics.count(METRIC.replyStoreFailures);
    deps.log.error('screener history not updated', { replyId: reply.replyId, error: errorName(error) });
  }
}

/** Counts the reply in its week in the clinic's zone; the reply is stored already, so a failure is logged, not shown. */
async function countReply(deps: CheckinDeps, reply: StoredReply): Promise<void> {
  try {
    await deps.replyCounts.count(reply, isoWeekIn(reply.receivedAt, deps.config.clinic.timeZone));
  } catch (error) {
    deps.log.error('weekly reply count not updated', { replyId: reply.replyId, error: errorName(error) });
  }
}

const OPEN_STATES: readonly AlertState[] = ['pending', 'open', 'escalated'];

/** The advice of an urgent page: an urgent reply's own, `crisis` when its rules gave none. */
function urgentAdvice(advice: Advice): UrgentAdvice {
  return advice === 'emergency' || advice === 'call-us' ? advice : 'crisis';
}

/** `selfHarmNow` as the crisis page needs it: unanswered after a yes shows 911 and 988 together. */
export function actingNow(answers: CheckinAnswers): ActingNow {
  if (answers.selfHarmNow === 'yes') return 'yes';
  if (answers.selfHarm === 'yes' && answers.selfHarmNow === undefined) return 'unknown';
  return 'no';
}

/** The reply could not be stored: an urgent answer still gets its advice and the crisis resources, never a claim that anyone was told. */
function notStored(
  deps: CheckinDeps,
  opts: {
    form: boolean;
    kind: CheckinKind;
    language: Language;
    urgent: boolean;
    advice: Advice;
    answers: CheckinAnswers;
    error: unknown;
  },
): LinkOutcome {
  deps.metrics.count(METRIC.replyStoreFailures);
  deps.log.error('check-in reply not stored', { error: errorName(opts.error) });
  const advice = urgentAdvice(opts.advice);
  if (!opts.form) {
    return json(503, {
      error: 'Your answer could not be saved. Please call the clinic.',
      clinicPhone: deps.config.clinic.phone,
      ...(opts.urgent
        ? {
            advice,
            crisisResources: crisisResources(
              opts.language,
              deps.config.clinic,
              advice,
              actingNow(opts.answers),
            ),
          }
        : {}),
    });
  }
  return {
    status: 503,
    language: opts.language,
    page: opts.urgent
      ? { view: 'urgent', kind: opts.kind, advice, actingNow: actingNow(opts.answers), saved: false }
      : { view: 'link-problem', problem: 'not-saved' },
  };
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
      crisisResources: crisisResources('en', deps.config.clinic, 'crisis', 'unknown'),
    });
  }
  return {
    status: 503,
    language: 'en',
    page:
      request.method === 'POST'
        ? { view: 'urgent', kind: 'checkin-same-day', advice: 'crisis', actingNow: 'unknown', saved: false }
        : { view: 'link-problem', problem: 'not-saved' },
  };
}

type Resolved =
  | { ok: true; link: LinkRecord; booking: FullBooking; bookingRef: string; record: BookingRecord }
  | { ok: false; problem: 'invalid' | 'expired' | 'revoked' | 'not-found'; booking?: FullBooking };

async function resolveLink(deps: CheckinDeps, request: LinkRequest): Promise<Resolved> {
  // A token that does not verify may be signed with a key rotated in since the keys were fetched.
  const linkId =
    verifyLinkToken(await deps.signingKey.get(), request.token) ??
    (deps.signingKey.refresh ? verifyLinkToken(await deps.signingKey.refresh(), request.token) : undefined);
  if (!linkId) return { ok: false, problem: 'invalid' };
  const link = await deps.links.get(linkId);
  // A genuine token for the other page (a check-in token on /i/) is as good as tampered.
  const expectedPurpose = request.page === 'c' ? 'checkin' : 'instructions';
  if (!link || link.purpose !== expectedPurpose || (request.page === 'c' && !isCheckinKind(link.kind))) {
    return { ok: false, problem: link ? 'invalid' : 'not-found' };
  }
  const record = await deps.bookings.get(link.bookingId);
  const booking = record?.booking;
  if (!booking) return { ok: false, problem: 'not-found' };
  // A cancel revokes the booking's links, unless the session happened (its check-ins go on).
  if (record?.status === 'cancelled' && record.endedAt === undefined) {
    return { ok: false, problem: 'revoked', booking };
  }
  // A new email or phone revokes the links sent to the old one (the current check-in went again).
  if (!stillReachesPatient(link.sentTo, booking.patient)) {
    return { ok: false, problem: 'revoked', booking };
  }
  // Fail closed: an expiry that cannot be read counts as past.
  const expires = Date.parse(link.expiresAt);
  if (!Number.isFinite(expires) || Date.parse(deps.clock.now()) > expires) {
    return { ok: false, problem: 'expired', booking };
  }
  return { ok: true, link, booking, bookingRef: bookingRefOf(record), record };
}

const PROBLEM_STATUS = { invalid: 403, expired: 410, revoked: 410, 'not-found': 404 } as const;

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
      error:
        problem === 'expired'
          ? 'This link has expired.'
          : problem === 'revoked'
            ? 'This appointment was cancelled.'
            : 'This link is not valid.',
      clinicPhone: deps.config.clinic.phone,
    });
  }
  return {
    status,
    page: { view: 'link-problem', problem },
    ...(booking ? { language: booking.patient.language } : {}),
  };
}

function parseJsonBody(body: string | undefined, kind: CheckinKind, screeners: boolean): CheckinParseResult {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
  } catch {
    return {
      ok: false,
      errors: [{ field: 'body', message: 'must be a JSON object' }],
      salvaged: { sideEffects: {}, wantsCall: false },
    };
  }
  return parseCheckinJson(value, kind, screeners);
}

/**
 * Whether this check-in asks the PHQ-9 and GAD-7: the week check-in, unless
 * the patient answered them for another session within
 * `screeners.minIntervalDays` (DESIGN section 3). When the history cannot be
 * read, they are asked: an extra questionnaire is harmless.
 */
async function asksScreenersNow(
  deps: CheckinDeps,
  kind: CheckinKind,
  booking: FullBooking,
  bookingId: string,
): Promise<boolean> {
  if (!asksScreeners(kind)) return false;
  try {
    const last = await deps.screeners.lastAnsweredAt(booking.patient.id, bookingId);
    if (last === undefined) return true;
    const days = (Date.parse(deps.clock.now()) - Date.parse(last)) / 86_400_000;
    return days >= deps.config.screeners.minIntervalDays;
  } catch (error) {
    deps.log.warn('screener history unavailable', { error: errorName(error) });
    return true;
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
