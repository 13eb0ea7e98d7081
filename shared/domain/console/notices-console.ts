import type { FullBooking } from '../../contracts/booking-events';
import { type FrontDeskNotice, NOTICE_REASONS, type NoticeReason } from '../alerts/front-desk-notices';
import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';

/** Notices listed on the page, oldest first. */
export const NOTICES_PER_PAGE = 50;

/** A page of open notices, and the cursor of the next when more follow (`<raised at>|<noticeId>`). */
export interface NoticesPage {
  items: NoticeItem[];
  next?: string;
}

/** Reads a cursor the page made; anything else starts at the oldest. */
export function noticeCursor(value: string | undefined): { at: string; noticeId: string } | undefined {
  const match =
    value && value.length <= 300 ? /^(\d{4}-\d{2}-\d{2}T[\d:.]+Z)\|(.+\/[a-z-]+)$/.exec(value) : null;
  return match?.[1] && match[2] ? { at: match[1], noticeId: match[2] } : undefined;
}

/** One open notice with its booking: the patient's name and contact details, so the desk can call. */
export interface NoticeItem {
  notice: FrontDeskNotice;
  booking?: FullBooking;
}

/**
 * The front desk's notices (DESIGN section 11; front desk and clinicians): patients no channel reached before
 * their session, and check-ins that reached nobody, oldest first, each until someone marks it dealt with.
 * Contacts and message kinds only, never answers.
 */
export async function listNotices(
  deps: ConsoleDeps,
  request: StaffRequest,
  after?: string,
): Promise<ConsoleResult<NoticesPage>> {
  if (!(await allowed(deps, request, 'notices', 'PAGE#notices'))) return { ok: false, reason: 'forbidden' };
  const [page] = await Promise.all([
    deps.notices.openPage(NOTICES_PER_PAGE, noticeCursor(after)),
    record(deps, request, 'view', 'PAGE#notices'),
  ]);
  const bookings = await deps.bookings.getMany(page.notices.map((notice) => notice.bookingId));
  const last = page.notices.at(-1);
  return {
    ok: true,
    value: {
      items: page.notices.map((notice) => {
        const booking = bookings.get(notice.bookingId);
        return { notice, ...(booking ? { booking } : {}) };
      }),
      ...(page.more && last ? { next: `${last.at}|${last.noticeId}` } : {}),
    },
  };
}

/** Marks one notice dealt with in the signed-in name; again, or one not open, is a conflict. */
export async function markNoticeDone(
  deps: ConsoleDeps,
  request: StaffRequest,
  bookingId: string,
  reason: string,
): Promise<ConsoleResult<null>> {
  if (!(NOTICE_REASONS as readonly string[]).includes(reason)) return { ok: false, reason: 'not-found' };
  const noticeId = `${bookingId}/${reason as NoticeReason}`;
  const subject = `NOTICE#${noticeId}`;
  if (!(await allowed(deps, request, 'notices', subject))) return { ok: false, reason: 'forbidden' };
  const done = await deps.notices.markDone(noticeId, {
    now: deps.clock.now(),
    by: { name: request.staff.name, subject: request.staff.subject },
  });
  if (!done) return { ok: false, reason: 'conflict' };
  await record(deps, request, 'review', subject);
  return { ok: true, value: null };
}
