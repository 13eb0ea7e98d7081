import type { FullBooking } from '../../contracts/booking-events';
import type { CheckinKind } from '../../contracts/vocabulary';
import { ruleDescription } from '../checkins/triage';
import type { MissedCheckin, StoredReply } from '../ports';
import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';

/** Replies listed per page of the review queue, oldest first. */
export const REVIEW_PAGE_SIZE = 50;

/** One reply waiting for review, as the list shows it. */
export interface ReviewItem {
  reply: StoredReply;
  booking?: FullBooking;
  /** The descriptions of the rules that fired, in one line. */
  reason: string;
  /** The patient asked for a call ("please call me"). */
  callRequested: boolean;
}

/** One missed check-in waiting for review, with its booking for the patient's name and phone. */
export interface MissedItem {
  missed: MissedCheckin;
  booking?: FullBooking;
}

/** The review reason in one line: the rules' descriptions, else their ids. */
function reviewReason(reply: StoredReply, deps: ConsoleDeps): string {
  const words = reply.rules.map((id) => ruleDescription(deps.config.triage, id));
  return words.length > 0 ? words.join('; ') : 'Review';
}

/**
 * The review queue (clinicians): replies triaged `review`, oldest first, call
 * requests marked, and missed check-ins, each until a clinician marks it
 * reviewed.
 */
export async function listReview(
  deps: ConsoleDeps,
  request: StaffRequest,
): Promise<ConsoleResult<{ items: ReviewItem[]; missed: MissedItem[] }>> {
  if (!(await allowed(deps, request, 'review', 'PAGE#review'))) return { ok: false, reason: 'forbidden' };
  const [replies, missedList] = await Promise.all([
    deps.reviews.listToReview(REVIEW_PAGE_SIZE),
    deps.missed.listMissed(REVIEW_PAGE_SIZE),
  ]);
  const bookings = await deps.bookings.getMany([
    ...replies.map((reply) => reply.bookingId),
    ...missedList.map((missed) => missed.bookingId),
  ]);
  const items = replies.map((reply): ReviewItem => {
    const booking = bookings.get(reply.bookingId);
    return {
      reply,
      reason: reviewReason(reply, deps),
      callRequested: reply.answers.wantsCall,
      ...(booking ? { booking } : {}),
    };
  });
  const missed = missedList.map((entry): MissedItem => {
    const booking = bookings.get(entry.bookingId);
    return { missed: entry, ...(booking ? { booking } : {}) };
  });
  await record(deps, request, 'view', 'PAGE#review');
  return { ok: true, value: { items, missed } };
}

/** Marks one missed check-in reviewed in the signed-in name; again, or one not waiting, is a conflict. */
export async function markMissedReviewed(
  deps: ConsoleDeps,
  request: StaffRequest,
  bookingId: string,
  kind: CheckinKind,
): Promise<ConsoleResult<{ bookingId: string; kind: CheckinKind }>> {
  const subject = `MISSED#${bookingId}#${kind}`;
  if (!(await allowed(deps, request, 'review', subject))) return { ok: false, reason: 'forbidden' };
  const marked = await deps.missed.markMissedReviewed(
    { bookingId, kind },
    { now: deps.clock.now(), by: { name: request.staff.name, subject: request.staff.subject } },
  );
  if (!marked) return { ok: false, reason: 'conflict' };
  await record(deps, request, 'review', subject);
  return { ok: true, value: { bookingId, kind } };
}

/**
 * Marks one reply reviewed in the signed-in name. Marking it again, or a
 * reply that was never waiting, changes nothing (a conflict).
 */
export async function markReviewed(
  deps: ConsoleDeps,
  request: StaffRequest,
  bookingId: string,
  replyId: string,
): Promise<ConsoleResult<StoredReply>> {
  const subject = `REPLY#${bookingId}#${replyId}`;
  if (!(await allowed(deps, request, 'review', subject))) return { ok: false, reason: 'forbidden' };
  const reply = (await deps.replies.listForBooking(bookingId)).find(
    (candidate) => candidate.replyId === replyId,
  );
  if (!reply) return { ok: false, reason: 'not-found' };
  const now = deps.clock.now();
  const marked = await deps.reviews.markReviewed(reply, {
    now,
    by: { name: request.staff.name, subject: request.staff.subject },
  });
  if (!marked) return { ok: false, reason: 'conflict' };
  await record(deps, request, 'review', subject);
  return {
    ok: true,
    value: {
      ...reply,
      reviewedAt: now,
      reviewedBy: request.staff.name,
      reviewedBySubject: request.staff.subject,
    },
  };
}
