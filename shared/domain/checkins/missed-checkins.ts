import { DateTime } from 'luxon';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { CHECKIN_KINDS, type CheckinKind } from '../../contracts/vocabulary';
import type { BookingRecord } from '../booking-record';
import type {
  Clock,
  Log,
  MessageLog,
  MessageLogEntry,
  Metrics,
  MissedCheckin,
  MissedCheckinStore,
  ReplyStore,
} from '../ports';

/** A check-in with no reply this long after it went counts as missed (DESIGN section 7). */
export const MISSED_AFTER_HOURS: Readonly<Record<CheckinKind, number>> = {
  'checkin-same-day': 12,
  'checkin-next-day': 12,
  'checkin-week': 72,
};

/** When a check-in was sent: the first channel that went, for the message the booking's plan holds now. */
export function checkinSentAt(
  kind: CheckinKind,
  record: BookingRecord,
  log: readonly MessageLogEntry[],
): string | undefined {
  const planned = record.plan[kind];
  if (!planned || planned.status === 'skipped') return undefined;
  const sent = log
    .filter(
      (entry) =>
        entry.kind === kind &&
        entry.status === 'sent' &&
        Date.parse(entry.at) === Date.parse(planned.plannedAt),
    )
    .map((entry) => entry.updatedAt)
    .sort();
  return sent[0];
}

/**
 * The check-ins of a booking that went out and got no reply of their kind
 * within their window (12 hours for the same-day and next-day ones, 3 days
 * for the week one), as of `now`. Pure.
 */
export function missedCheckins(
  record: BookingRecord,
  log: readonly MessageLogEntry[],
  replyKinds: ReadonlySet<string>,
  now: string,
): { kind: CheckinKind; sentAt: string }[] {
  if (record.status !== 'active') return [];
  return CHECKIN_KINDS.flatMap((kind) => {
    const sentAt = checkinSentAt(kind, record, log);
    if (sentAt === undefined || replyKinds.has(kind)) return [];
    const overdue = Date.parse(now) - Date.parse(sentAt) > MISSED_AFTER_HOURS[kind] * 3_600_000;
    return overdue ? [{ kind, sentAt }] : [];
  });
}

export interface MissedCheckinDeps {
  config: ClinicConfig;
  clock: Clock;
  bookings: { sessionsOn(day: string, limit: number): Promise<BookingRecord[]> };
  messageLog: Pick<MessageLog, 'list'>;
  replies: Pick<ReplyStore, 'listForBooking'>;
  missed: MissedCheckinStore;
  metrics: Metrics;
  log: Log;
}

/** Sessions looked at per day; a clinic sees far fewer. */
const SESSIONS_PER_DAY = 500;

/** Days back whose sessions may still have a check-in whose window ends: the week check-in plus its 3 days. */
const LOOK_BACK_DAYS = 11;

/**
 * Records every check-in that went unanswered past its window (DESIGN
 * section 7) for the sessions of the last days, once each (a conditional
 * write, so runs may overlap). A patient who missed both the same-day and
 * the next-day check-in of a session is marked for review on the next-day
 * record. Returns how many were newly recorded.
 */
export async function recordMissedCheckins(deps: MissedCheckinDeps): Promise<number> {
  const now = deps.clock.now();
  const today = DateTime.fromISO(now).setZone(deps.config.clinic.timeZone);
  let recorded = 0;
  for (let back = LOOK_BACK_DAYS; back >= 0; back--) {
    const day = today.minus({ days: back }).toISODate();
    if (!day) continue;
    for (const record of await deps.bookings.sessionsOn(day, SESSIONS_PER_DAY)) {
      if (!record.booking || record.status !== 'active') continue;
      const [log, replies] = await Promise.all([
        deps.messageLog.list(record.bookingId),
        deps.replies.listForBooking(record.bookingId),
      ]);
      const missed = missedCheckins(record, log, new Set(replies.map((reply) => reply.kind)), now);
      const kinds = new Set(missed.map((m) => m.kind));
      const bothEarly = kinds.has('checkin-same-day') && kinds.has('checkin-next-day');
      for (const { kind, sentAt } of missed) {
        const entry: MissedCheckin = {
          bookingId: record.bookingId,
          patientId: record.booking.patient.id,
          kind,
          sentAt,
          missedAt: new Date(Date.parse(sentAt) + MISSED_AFTER_HOURS[kind] * 3_600_000).toISOString(),
          recordedAt: now,
          bothEarlyMissed: bothEarly && kind === 'checkin-next-day',
        };
        if (await deps.missed.record(entry)) recorded++;
      }
    }
  }
  if (recorded > 0) {
    deps.metrics.count('MissedCheckins', recorded);
    deps.log.info('missed check-ins recorded', { count: recorded });
  }
  return recorded;
}
