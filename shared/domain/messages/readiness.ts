import type { YesNo } from '../../contracts/vocabulary';
import { type NoticeDeps, type NoticeReason, raiseNotice } from '../alerts/front-desk-notices';
import { readinessDeadline } from '../booking/plan';
import type { BookingRecord } from '../booking-record';
import { bookingRefOf } from '../booking-ref';
import type { MessageLog } from '../ports';

/*
 * The readiness check (DESIGN section 11): the day-before reminder asks whether the ride home is arranged,
 * the eating and drinking times are understood, and any medicine is new since the last visit. An SMS YES
 * or NO answers the first two together; the form on the instructions page answers all three.
 */

/** One channel's latest answer; a later answer on the same channel replaces it (a correction). */
export type ReadinessAnswer = (
  | { via: 'sms'; at: string; ready: boolean }
  | { via: 'form'; at: string; rideHome: YesNo; fasting: YesNo; newMedicine: YesNo }
) & {
  /** The session the answer is about: a moved session asks again, and an answer about the old one no longer counts. */
  sessionStartsAt?: string;
};

export type ReadinessConcern = 'ride-or-fasting' | 'ride-home' | 'fasting' | 'new-medicine';

export interface Readiness {
  state: 'confirmed' | 'concern' | 'unanswered';
  concerns: ReadinessConcern[];
  /** Nobody has answered the medicine question yet (an SMS YES leaves it open). */
  medicineOpen: boolean;
}

/**
 * What the answers about the session starting at `sessionStartsAt` say together: any "no" (or a new medicine)
 * on any channel wins over a "yes" on another.
 */
export function readinessOf(answers: readonly ReadinessAnswer[], sessionStartsAt?: string): Readiness {
  const about = (answer: ReadinessAnswer) =>
    sessionStartsAt === undefined ||
    (answer.sessionStartsAt !== undefined &&
      Date.parse(answer.sessionStartsAt) === Date.parse(sessionStartsAt));
  const sms = answers.find(
    (answer): answer is Extract<ReadinessAnswer, { via: 'sms' }> => answer.via === 'sms' && about(answer),
  );
  const form = answers.find(
    (answer): answer is Extract<ReadinessAnswer, { via: 'form' }> => answer.via === 'form' && about(answer),
  );
  const concerns: ReadinessConcern[] = [];
  if (sms?.ready === false) concerns.push('ride-or-fasting');
  if (form?.rideHome === 'no') concerns.push('ride-home');
  if (form?.fasting === 'no') concerns.push('fasting');
  if (form?.newMedicine === 'yes') concerns.push('new-medicine');
  const state = concerns.length > 0 ? 'concern' : sms || form ? 'confirmed' : 'unanswered';
  return { state, concerns, medicineOpen: form === undefined };
}

/** The readiness form's questions, in the order the page asks them. */
export const READINESS_FIELDS = ['rideHome', 'fasting', 'newMedicine'] as const;
export type ReadinessField = (typeof READINESS_FIELDS)[number];

/** Reads the posted form: every question answered yes or no, or the fields left unanswered (in page order). */
export function readReadinessForm(
  fields: Readonly<Record<string, string | undefined>>,
  at: string,
): { ok: true; answer: ReadinessAnswer } | { ok: false; missing: ReadinessField[] } {
  const value = (field: ReadinessField) => {
    const raw = fields[field];
    return raw === 'yes' || raw === 'no' ? raw : undefined;
  };
  const missing = READINESS_FIELDS.filter((field) => value(field) === undefined);
  const [rideHome, fasting, newMedicine] = READINESS_FIELDS.map(value);
  if (missing.length > 0 || !rideHome || !fasting || !newMedicine) return { ok: false, missing };
  return { ok: true, answer: { via: 'form', at, rideHome, fasting, newMedicine } };
}

/** What the readiness form shows: nothing yet, the answers just taken, or the questions left unanswered. */
export type ReadinessFormState =
  | { step: 'ask' }
  /** The booking is cancelled or its session began: no question to answer. */
  | { step: 'closed' }
  | { step: 'answered'; concern: boolean; values: Partial<Record<ReadinessField, YesNo>> }
  | { step: 'missing'; missing: readonly ReadinessField[]; values: Partial<Record<ReadinessField, YesNo>> };

/** Each channel's latest readiness answer, beside its booking. */
export interface ReadinessStore {
  record(bookingId: string, answer: ReadinessAnswer): Promise<void>;
  answersOf(bookingId: string): Promise<ReadinessAnswer[]>;
}

export interface ReadinessDeps extends NoticeDeps {
  readiness: ReadinessStore;
}

/** Whether the patient can still answer for this booking: it is active and its session has not started. */
export function readinessAskable(record: Pick<BookingRecord, 'status' | 'booking'>, now: string): boolean {
  return (
    record.status === 'active' &&
    record.booking !== undefined &&
    Date.parse(now) < Date.parse(record.booking.session.startsAt)
  );
}

/**
 * Records one answer about the booking's current session; a concern is a front-desk notice at once (the desk
 * has time to call before the session). `undefined` when the booking is no longer askable (cancelled, or the
 * session started): nothing is recorded. With `deferEmail`, a notice whose email fails is left for the
 * deadline check to send (the notice is raised again there), so the patient's answer is never refused.
 */
export async function answerReadiness(
  deps: ReadinessDeps,
  record: BookingRecord,
  answer: ReadinessAnswer,
  opts: { deferEmail?: boolean } = {},
): Promise<Readiness | undefined> {
  const booking = record.booking;
  if (!booking || !readinessAskable(record, deps.clock.now())) return undefined;
  const startsAt = booking.session.startsAt;
  await deps.readiness.record(record.bookingId, { ...answer, sessionStartsAt: startsAt });
  const readiness = readinessOf(await deps.readiness.answersOf(record.bookingId), startsAt);
  if (readiness.state === 'concern') {
    const raising = raiseNotice(deps, {
      bookingId: record.bookingId,
      reason: 'readiness-concern',
      kind: 'prep-reminder',
    });
    if (!opts.deferEmail) await raising;
    else
      await raising.catch((error: unknown) => {
        deps.metrics.count('ReadinessNoticeDeferred');
        deps.log.warn('readiness notice left for the deadline', {
          error: error instanceof Error ? error.name : 'unknown',
        });
      });
  }
  deps.metrics.count(`Readiness_${answer.via}_${readiness.state}`);
  return readiness;
}

export type DeadlineOutcome =
  | 'confirmed'
  | 'concern'
  | 'missing'
  | 'not-asked'
  /** The booking moved, ended or was cancelled since the check was scheduled: nothing to do. */
  | 'stale';

/**
 * At the deadline: no answer is a notice, `readiness-missing` when the reminder reached the patient and
 * `readiness-not-asked` when it never went (a booking made too late, or a reminder skipped or refused).
 */
export async function checkReadinessAtDeadline(
  deps: ReadinessDeps & { messageLog: Pick<MessageLog, 'entryOf'> },
  record: BookingRecord | undefined,
  deadline: string,
): Promise<DeadlineOutcome> {
  const booking = record?.booking;
  if (!record || !booking || record.status !== 'active') return 'stale';
  if (readinessDeadline(booking, deps.config.readiness.deadlineHours) !== deadline) return 'stale';
  const readiness = readinessOf(await deps.readiness.answersOf(record.bookingId), booking.session.startsAt);
  if (readiness.state === 'concern') {
    // Raised with the answer; raising again finishes an email a crash left unsent.
    await raiseNotice(deps, {
      bookingId: record.bookingId,
      reason: 'readiness-concern',
      kind: 'prep-reminder',
    });
    return 'concern';
  }
  if (readiness.state === 'confirmed') return 'confirmed';
  const asked = await reminderReached(deps, record);
  const reason: NoticeReason = asked ? 'readiness-missing' : 'readiness-not-asked';
  await raiseNotice(deps, { bookingId: record.bookingId, reason, kind: 'prep-reminder' });
  deps.log.info('readiness unanswered at the deadline', { booking: bookingRefOf(record), asked });
  return asked ? 'missing' : 'not-asked';
}

/** Whether the day-before reminder of the booking's current plan went out on some channel. */
async function reminderReached(
  deps: { messageLog: Pick<MessageLog, 'entryOf'> },
  record: BookingRecord,
): Promise<boolean> {
  const planned = record.plan['prep-reminder'];
  if (!planned || planned.status === 'skipped') return false;
  const ref = { bookingId: record.bookingId, kind: 'prep-reminder' as const, at: planned.plannedAt };
  const entries = await Promise.all([
    deps.messageLog.entryOf(ref, 'email'),
    deps.messageLog.entryOf(ref, 'sms'),
  ]);
  return entries.some((entry) => entry?.status === 'sent');
}
