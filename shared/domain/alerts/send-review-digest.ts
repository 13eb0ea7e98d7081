import { DateTime } from 'luxon';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { type MissedCheckinDeps, recordMissedCheckins } from '../checkins/missed-checkins';
import type { DigestEntry, DigestQueue, Mailer, ScreenerHistory, StoredReply } from '../ports';
import { nextLocalTimeAfter } from '../time';
import { replyConsoleUrl, reviewConsoleUrl } from './console-links';
import { type DigestItem, type DigestScores, renderReviewDigest } from './review-digest';

export interface DigestDeps extends MissedCheckinDeps {
  config: ClinicConfig;
  queue: DigestQueue;
  screeners: Pick<ScreenerHistory, 'baseline'>;
  mailer: Mailer;
  /** Base of console links. */
  linkBaseUrl: string;
  /** Names this run's claims. */
  newId: () => string;
}

/**
 * The daily staff digest (DESIGN section 8). First records the check-ins
 * that went unanswered past their window; then lists, each once and each
 * linking to the console: call requests, every week check-in's PHQ-9 and
 * GAD-7 totals with the change from the patient's first, the other replies
 * triaged review, and the missed check-ins. No answer and no rule id is in
 * the email. Nothing is sent on a day with nothing new. Entries are claimed
 * before they are listed, so overlapping runs never list one twice, and
 * leave the queue only after the email went out, so a failed send puts them
 * in the next digest instead.
 */
export async function sendReviewDigest(deps: DigestDeps): Promise<{ sent: boolean; entries: number }> {
  const to = deps.config.staff.digestEmail;
  const now = deps.clock.now();
  await recordMissedCheckins(deps);
  if (!to) return { sent: false, entries: 0 };
  const entries = await deps.queue.claimForDigest(now, { run: deps.newId(), now });
  if (entries.length === 0) return { sent: false, entries: 0 };

  const sections = await digestSections(deps, entries);
  const date = DateTime.fromISO(now).setZone(deps.config.clinic.timeZone).toISODate() ?? now.slice(0, 10);
  const digest = renderReviewDigest({ clinic: deps.config.clinic, date, ...sections });
  await deps.mailer.send({
    to,
    subject: digest.subject,
    text: digest.text,
    html: digest.html,
    kind: 'review-digest',
  });
  for (const entry of entries) await deps.queue.markDigested(entry, now);
  deps.metrics.count('ReviewDigestReplies', entries.length);
  deps.log.info('review digest sent', { entries: entries.length });
  return { sent: true, entries: entries.length };
}

/** Sorts entries into the digest's lists: a reply goes in exactly one of the first three. */
async function digestSections(deps: DigestDeps, entries: readonly DigestEntry[]) {
  const calls: DigestItem[] = [];
  const scores: (DigestItem & DigestScores)[] = [];
  const reviews: DigestItem[] = [];
  const missed: DigestItem[] = [];
  const baselines = new Map<string, Awaited<ReturnType<ScreenerHistory['baseline']>>>();
  for (const entry of entries) {
    if (entry.type === 'missed') {
      const { bookingId, kind, sentAt, bothEarlyMissed } = entry.missed;
      missed.push({
        id: `missed-${bookingId}-${kind}`,
        bookingId,
        kind,
        at: sentAt,
        link: reviewConsoleUrl(deps.linkBaseUrl),
        ...(bothEarlyMissed ? { note: 'missed the same-day check-in too: review' } : {}),
      });
      continue;
    }
    const { reply } = entry;
    const item = replyItem(deps, reply);
    if (reply.answers.wantsCall) calls.push(item);
    else if (reply.scores.phq9 !== undefined || reply.scores.gad7 !== undefined) {
      const patientId = reply.patientId;
      let baseline = patientId ? baselines.get(patientId) : {};
      if (patientId && baseline === undefined) {
        baseline = await deps.screeners.baseline(patientId);
        baselines.set(patientId, baseline);
      }
      scores.push({ ...item, ...screenerScores(reply, baseline ?? {}) });
    } else reviews.push(item);
  }
  return { calls, scores, reviews, missed };
}

function replyItem(deps: DigestDeps, reply: StoredReply): DigestItem {
  return {
    id: reply.replyId,
    bookingId: reply.bookingId,
    kind: reply.kind,
    at: reply.receivedAt,
    link: replyConsoleUrl(deps.linkBaseUrl, reply.bookingId, reply.replyId),
    ...(reply.triage === 'review' ? { note: 'flagged for review' } : {}),
  };
}

/** The reply's totals with the change from the patient's first (none when this is the first). */
function screenerScores(reply: StoredReply, baseline: { phq9?: number; gad7?: number }): DigestScores {
  const score = (name: 'phq9' | 'gad7') => {
    const own = reply.scores[name];
    if (!own) return undefined;
    const first = baseline[name];
    return {
      total: own.total,
      band: own.band,
      ...(first === undefined ? {} : { change: own.total - first }),
    };
  };
  const phq9 = score('phq9');
  const gad7 = score('gad7');
  return { ...(phq9 ? { phq9 } : {}), ...(gad7 ? { gad7 } : {}) };
}

/** The next time the digest goes, strictly after `after`: `staff.digestTime` in the clinic's zone. */
export function nextDigestAt(config: ClinicConfig, after: string): string {
  return nextLocalTimeAfter(config.staff.digestTime, config.clinic.timeZone, after);
}
