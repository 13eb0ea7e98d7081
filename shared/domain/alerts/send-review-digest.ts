import { DateTime } from 'luxon';
import type { ClinicConfig } from '../../contracts/clinic-config';
import type { Clock, Log, Mailer, Metrics, ReviewQueue } from '../ports';
import { replyConsoleUrl } from './console-links';
import { renderReviewDigest } from './review-digest';

export interface DigestDeps {
  config: ClinicConfig;
  clock: Clock;
  reviews: ReviewQueue;
  mailer: Mailer;
  /** Base of console links. */
  linkBaseUrl: string;
  metrics: Metrics;
  log: Log;
}

/**
 * Sends the daily staff digest of replies triaged `review`: each reply once,
 * each line a link to the reply in the console (shown after sign-in), and nothing at all
 * on a day with nothing new. A reply leaves the queue only after the email
 * went out, so a failed send puts it in the next digest instead.
 */
export async function sendReviewDigest(deps: DigestDeps): Promise<{ sent: boolean; replies: number }> {
  const to = deps.config.staff.digestEmail;
  const now = deps.clock.now();
  if (!to) return { sent: false, replies: 0 };
  const replies = await deps.reviews.dueForDigest(now);
  if (replies.length === 0) return { sent: false, replies: 0 };

  const items = replies.map((reply) => ({
    replyId: reply.replyId,
    bookingId: reply.bookingId,
    replyKind: reply.kind,
    receivedAt: reply.receivedAt,
    rules: reply.rules,
    link: replyConsoleUrl(deps.linkBaseUrl, reply.bookingId, reply.replyId),
  }));
  const date = DateTime.fromISO(now).setZone(deps.config.clinic.timeZone).toISODate() ?? now.slice(0, 10);
  const digest = renderReviewDigest({ clinic: deps.config.clinic, date, items });
  await deps.mailer.send({
    to,
    subject: digest.subject,
    text: digest.text,
    html: digest.html,
    kind: 'review-digest',
  });
  for (const reply of replies) await deps.reviews.markDigested(reply, now);
  deps.metrics.count('ReviewDigestReplies', replies.length);
  deps.log.info('review digest sent', { replies: replies.length });
  return { sent: true, replies: replies.length };
}

/** The next time the digest goes, strictly after `after`: `staff.digestTime` in the clinic's zone. */
export function nextDigestAt(config: ClinicConfig, after: string): string {
  const [hour, minute] = config.staff.digestTime.split(':').map(Number);
  const local = DateTime.fromISO(after).setZone(config.clinic.timeZone);
  let next = local.set({ hour: hour ?? 8, minute: minute ?? 0, second: 0, millisecond: 0 });
  if (next <= local) next = next.plus({ days: 1 });
  return next.toUTC().toISO() ?? after;
}
