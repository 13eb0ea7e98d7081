import type { ClinicConfig } from '../../contracts/clinic-config';
import { isCheckinKind, type MessageKind } from '../../contracts/vocabulary';
import { contactDigest } from '../contacts';
import type { Clock, Log, Mailer, Metrics } from '../ports';

/** Why the front desk is told about a booking (DESIGN section 11); one notice per booking and reason. */
export const NOTICE_REASONS = [
  /** The instructions or the reminder reached the patient on no channel. */
  'unreached-before-session',
  /** A check-in reached the patient on no channel. */
  'checkin-unreached',
  /** The patient texted STOP: their texts go by email from now on, and a phone-only patient gets nothing. */
  'sms-opted-out',
  /** The readiness answer says no ride home, fasting not understood, or a new medicine. */
  'readiness-concern',
  /** No readiness answer by the deadline although the reminder reached the patient. */
  'readiness-missing',
  /** The reminder never reached the patient (booked too late, skipped, refused): nobody was asked. */
  'readiness-not-asked',
] as const;
export type NoticeReason = (typeof NOTICE_REASONS)[number];

export interface FrontDeskNotice {
  /** `<bookingId>/<reason>`: there is at most one. */
  noticeId: string;
  bookingId: string;
  reason: NoticeReason;
  /** The message that could not reach the patient. */
  kind: MessageKind;
  at: string;
  state: 'open' | 'done';
  /** When the front desk's email went to every address (absent until it did). */
  emailedAt?: string;
  /** Digests of the addresses it went to so far: a retry after one address refused emails only the rest. */
  emailedTo?: string[];
  /** Who dealt with it, and when (a done notice). */
  doneBy?: string;
  doneAt?: string;
}

export interface NoticeStore {
  /** Stores the notice unless the booking has one for this reason; answers the one that stands. */
  raise(notice: FrontDeskNotice): Promise<{ created: boolean; notice: FrontDeskNotice }>;
  /** Records that the notice's email went to one address (by its digest). */
  markEmailedTo(noticeId: string, addressDigest: string): Promise<void>;
  /** Records that every address has it. */
  markEmailed(noticeId: string, at: string): Promise<void>;
  /** Open notices, oldest first, at most `limit`. */
  open(limit: number): Promise<FrontDeskNotice[]>;
  /** A page of open notices, oldest first, after the one `after` names; `more` when others follow. */
  openPage(
    limit: number,
    after?: Pick<FrontDeskNotice, 'at' | 'noticeId'>,
  ): Promise<{ notices: FrontDeskNotice[]; more: boolean }>;
  /** Marks an open notice dealt with in a staff member's name; false when it was not open. */
  markDone(noticeId: string, opts: { now: string; by: { name: string; subject: string } }): Promise<boolean>;
}

export interface NoticeDeps {
  config: ClinicConfig;
  clock: Clock;
  notices: NoticeStore;
  mailer: Mailer;
  /** The console's base URL: the email points into it and carries nothing about the patient. */
  consoleBaseUrl: string;
  metrics: Metrics;
  log: Log;
}

const SUBJECTS: Readonly<Record<NoticeReason, string>> = {
  'unreached-before-session': 'A patient could not be reached before their session',
  'checkin-unreached': 'A check-in reached no one',
  'sms-opted-out': 'A patient opted out of text messages',
  'readiness-concern': 'A patient may not be ready for their session',
  'readiness-missing': 'A patient did not confirm they are ready for their session',
  'readiness-not-asked': 'A patient could not be asked whether they are ready for their session',
};

export const noticeIdOf = (bookingId: string, reason: NoticeReason) => `${bookingId}/${reason}`;

/** Why the front desk hears of a message that reached the patient on no channel; the day-of text has none. */
export function unreachedReason(kind: MessageKind): NoticeReason | undefined {
  if (isCheckinKind(kind)) return 'checkin-unreached';
  return kind === 'prep-instructions' || kind === 'prep-reminder' ? 'unreached-before-session' : undefined;
}

/** What a notice tells the front desk, in words they read. */
export function noticeWords(reason: NoticeReason): string {
  return SUBJECTS[reason];
}

/**
 * Tells the front desk once per booking and reason: the notice is stored (the console lists it), then each
 * address in `staff.frontDeskEmails` is emailed a link to the console, with nothing about the patient in it.
 * A notice that exists but was never emailed (a crash, a refused send) is emailed when raised again, so a
 * retried invocation finishes the job; one already emailed is left alone.
 */
export async function raiseNotice(
  deps: NoticeDeps,
  input: { bookingId: string; reason: NoticeReason; kind: MessageKind },
): Promise<FrontDeskNotice> {
  const now = deps.clock.now();
  const { created, notice } = await deps.notices.raise({
    noticeId: noticeIdOf(input.bookingId, input.reason),
    bookingId: input.bookingId,
    reason: input.reason,
    kind: input.kind,
    at: now,
    state: 'open',
  });
  if (created) deps.metrics.count('FrontDeskNotices');
  if (notice.emailedAt) return notice;
  const link = `${deps.consoleBaseUrl.replace(/\/$/, '')}/console/notices`;
  const already = new Set(notice.emailedTo ?? []);
  for (const to of deps.config.staff.frontDeskEmails) {
    const digest = contactDigest('email', to);
    if (already.has(digest)) continue;
    await deps.mailer.send({
      to,
      subject: `${SUBJECTS[notice.reason]} (${deps.config.clinic.name})`,
      text: `${SUBJECTS[notice.reason]}. See the notice and the patient's contact details in the console: ${link}`,
      kind: 'front-desk-notice',
    });
    await deps.notices.markEmailedTo(notice.noticeId, digest);
  }
  await deps.notices.markEmailed(notice.noticeId, deps.clock.now());
  deps.log.info('front-desk notice', { reason: notice.reason, kind: notice.kind, created });
  return { ...notice, emailedAt: deps.clock.now() };
}
