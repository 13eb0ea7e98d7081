import { DateTime } from 'luxon';
import type { FullBooking } from '../../contracts/booking-events';
import type { DeliveryStatus } from '../../contracts/delivery';
import { CHECKIN_KINDS, type CheckinKind, MESSAGE_KINDS, type MessageKind } from '../../contracts/vocabulary';
import type { BookingRecord } from '../booking-record';
import { MISSED_AFTER_HOURS } from '../checkins/missed-checkins';
import { type Readiness, type ReadinessAnswer, readinessOf } from '../messages/readiness';
import type { MessageLogEntry } from '../ports';
import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';

/** Sessions listed per day at most. */
export const SESSIONS_PER_DAY = 100;

/** Where one planned message stands: its plan, and what each channel did. */
export interface MessageStatus {
  kind: MessageKind;
  /** When it goes (or went) out, ISO. */
  at: string;
  /** `planned` until sent; `skipped` with the plan's or the sender's reason. */
  state: 'planned' | 'sending' | 'sent' | 'failed' | 'skipped';
  reason?: string;
  /** Per channel, when something was sent or tried, and what the provider reported of it since. */
  channels: { channel: string; status: string; reason?: string; delivery?: DeliveryStatus }[];
}

/** Where one check-in of the session stands. */
export interface CheckinStatus {
  kind: CheckinKind;
  state: 'answered' | 'waiting' | 'missed' | 'not-sent-yet' | 'skipped';
}

export interface SessionRow {
  booking: FullBooking;
  status: BookingRecord['status'];
  messages: MessageStatus[];
  checkins: CheckinStatus[];
  /** What the patient answered to the readiness check (DESIGN section 11), and by which channels. */
  readiness: Readiness & { via: ReadinessAnswer['via'][] };
}

export interface TodayView {
  /** The clinic's today and tomorrow, each with its sessions by start time. */
  days: { day: string; sessions: SessionRow[] }[];
}

export function messageStatus(
  kind: MessageKind,
  record: BookingRecord,
  log: MessageLogEntry[],
): MessageStatus | undefined {
  const planned = record.plan[kind];
  if (!planned) return undefined;
  const entries = log.filter((e) => e.kind === kind && Date.parse(e.at) === Date.parse(planned.plannedAt));
  const channels = entries
    .filter((e) => e.channel !== 'none')
    .map((e) => ({
      channel: e.channel,
      status: e.status,
      ...(e.reason ? { reason: e.reason } : {}),
      ...(e.delivery ? { delivery: e.delivery.status } : {}),
    }));
  const skip = entries.find((e) => e.channel === 'none' && e.status === 'skipped');
  const base = { kind, at: planned.at, channels };
  if (planned.status === 'skipped')
    return { ...base, state: 'skipped', reason: planned.reason ?? 'not-planned' };
  if (skip) return { ...base, state: 'skipped', ...(skip.reason ? { reason: skip.reason } : {}) };
  if (channels.some((c) => c.status === 'sent')) return { ...base, state: 'sent' };
  if (channels.some((c) => c.status === 'failed')) return { ...base, state: 'failed' };
  if (channels.some((c) => c.status === 'sending')) return { ...base, state: 'sending' };
  return { ...base, state: 'planned' };
}

/** The readiness of the session starting at `startsAt`, and the channels that answered about it. */
function readinessFor(answers: ReadinessAnswer[], startsAt: string): SessionRow['readiness'] {
  const about = answers.filter(
    (answer) =>
      answer.sessionStartsAt !== undefined && Date.parse(answer.sessionStartsAt) === Date.parse(startsAt),
  );
  return { ...readinessOf(about, startsAt), via: about.map((answer) => answer.via) };
}

/**
 * Today and tomorrow in the clinic's time zone (everyone but admins-only):
 * each session with its messages (planned, sent, failed, skipped and why)
 * and check-ins (answered, waiting, missed). No answers are shown, so the
 * front desk sees it too.
 */
export async function showToday(deps: ConsoleDeps, request: StaffRequest): Promise<ConsoleResult<TodayView>> {
  if (!(await allowed(deps, request, 'today', 'PAGE#today'))) return { ok: false, reason: 'forbidden' };
  const now = DateTime.fromISO(deps.clock.now()).setZone(deps.config.clinic.timeZone);
  const dayKeys = [now.toISODate(), now.plus({ days: 1 }).toISODate()].filter((d): d is string => d !== null);
  const days = await Promise.all(
    dayKeys.map(async (day) => {
      const records = (await deps.bookings.sessionsOn(day, SESSIONS_PER_DAY)).filter((r) => r.booking);
      const sessions = await Promise.all(
        records.map(async (stored): Promise<SessionRow> => {
          const { log, replies, readiness } = await deps.activity.activityOf(stored.bookingId);
          // In the order a patient receives them.
          const messages = MESSAGE_KINDS.map((kind) => messageStatus(kind, stored, log)).filter(
            (m): m is MessageStatus => m !== undefined,
          );
          const checkins = CHECKIN_KINDS.flatMap((kind): CheckinStatus[] => {
            const message = messages.find((m) => m.kind === kind);
            if (!message) return [];
            if (replies.some((r) => r.kind === kind)) return [{ kind, state: 'answered' }];
            if (message.state === 'skipped') return [{ kind, state: 'skipped' }];
            if (message.state !== 'sent') return [{ kind, state: 'not-sent-yet' }];
            const overdue = now.toMillis() - Date.parse(message.at) > MISSED_AFTER_HOURS[kind] * 3_600_000;
            return [{ kind, state: overdue ? 'missed' : 'waiting' }];
          });
          return {
            booking: stored.booking as FullBooking,
            status: stored.status,
            messages,
            checkins,
            readiness: readinessFor(readiness, (stored.booking as FullBooking).session.startsAt),
          };
        }),
      );
      return { day, sessions };
    }),
  );
  await record(deps, request, 'view', 'PAGE#today');
  return { ok: true, value: { days } };
}
