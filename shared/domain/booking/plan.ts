import { DateTime } from 'luxon';
import type { FullBooking } from '../../contracts/booking-events';
import type { Offset, PlanRule } from '../../contracts/clinic-config';
import { CHANNELS, type Channel, type MessageKind } from '../../contracts/vocabulary';
import type { PlannedMessage, SkipReason } from '../booking-record';
import { rememberingZone } from '../time';

/** The clinic's plan settings (DESIGN section 3). */
export interface PlanPolicy {
  rules: readonly PlanRule[];
  quietHours: { start: string; end: string };
  graceMinutes: number;
  /** At most this many SMS to a patient in any rolling 24 hours (DESIGN section 3). */
  smsPerDay: number;
  /** Hours before the session the readiness answer is due: a reminder held back by the cap never goes later. */
  readinessHours: number;
}

export interface PlanInput {
  booking: FullBooking;
  /** When the create that activated the booking arrived (anchor `received`). */
  activatedAt: string;
  /** The real end of the session, when known (anchor `end`). */
  endedAt?: string;
  now: string;
  policy: PlanPolicy;
  /** Plan only these kinds; default every kind of the policy. */
  kinds?: readonly MessageKind[];
  /** The plan's messages of the other kinds, kept as they are: the SMS cap counts them. */
  fixed?: readonly PlannedMessage[];
}

/** The zone a patient's times are computed in. */
export function patientZone(booking: FullBooking): string {
  return booking.patient.timeZone ?? booking.session.timeZone;
}

/**
 * When the readiness check's deadline falls (DESIGN section 11): `hours` before the session starts. A missing
 * answer then is a front-desk notice.
 */
export function readinessDeadline(booking: FullBooking, hours: number): string {
  return DateTime.fromISO(booking.session.startsAt, { zone: 'utc' }).minus({ hours }).toISO() ?? '';
}

/** The session's end: the reported end when known, else start + duration. */
export function sessionEnd(booking: FullBooking, endedAt?: string): DateTime {
  return endedAt
    ? DateTime.fromISO(endedAt, { zone: 'utc' })
    : DateTime.fromISO(booking.session.startsAt, { zone: 'utc' }).plus({
        minutes: booking.session.durationMinutes,
      });
}

/**
 * Plans the messages of one booking. Rules apply in DESIGN's order:
 * (1) anchor + offset in the patient's zone (days keep wall-clock time,
 * hours are elapsed); (2) the kind's quiet-hours policy; (3) a time already
 * past is due now within the grace period (quiet hours apply again to now),
 * else skipped; (4) a pre-session message at or after the start is dropped.
 */
export function planMessages(input: PlanInput): PlannedMessage[] {
  const { booking, policy } = input;
  const zone = rememberingZone(patientZone(booking));
  const now = DateTime.fromISO(input.now, { zone: 'utc' }).setZone(zone);
  const start = DateTime.fromISO(booking.session.startsAt, { zone: 'utc' });
  // In the patient's zone once: each conversion asks the zone for its offset.
  const anchors = {
    received: DateTime.fromISO(input.activatedAt, { zone: 'utc' }).setZone(zone),
    start: start.setZone(zone),
    end: sessionEnd(booking, input.endedAt).setZone(zone),
  };
  const quiet = parseQuietHours(policy.quietHours);
  const rules = input.kinds ? policy.rules.filter((rule) => input.kinds?.includes(rule.kind)) : policy.rules;

  const planned = rules.map((rule): PlannedMessage => {
    const anchor = anchors[rule.anchor];
    const channels = pickChannels(rule.channels, booking.patient);
    const planned = (
      at: DateTime,
      status: PlannedMessage['status'],
      reason?: SkipReason,
      plannedAt: DateTime = at,
    ): PlannedMessage => ({
      kind: rule.kind,
      plannedAt: toUtcIso(plannedAt),
      at: toUtcIso(at),
      status,
      channels,
      version: booking.version,
      ...(reason ? { reason } : {}),
    });
    const nominal = anchor.plus(toDuration(rule.offset));
    if (channels.length === 0) return planned(nominal, 'skipped', 'no-channel');

    const earliest = rule.notBefore ? anchor.plus(toDuration(rule.notBefore)) : undefined;
    const plannedAt = applyQuietHours(nominal, rule.quietHours, quiet, earliest);
    if (plannedAt === undefined) return planned(nominal, 'skipped', 'quiet-hours');

    let at: DateTime | undefined = plannedAt;
    if (plannedAt < now) {
      if (now.diff(plannedAt, 'minutes').minutes > policy.graceMinutes)
        return planned(plannedAt, 'skipped', 'past');
      at = applyQuietHours(
        now,
        rule.quietHours === 'later' || rule.quietHours === 'send' ? rule.quietHours : 'skip',
        quiet,
      );
      if (at === undefined) return planned(now, 'skipped', 'quiet-hours', plannedAt);
    }
    if (rule.anchor !== 'end' && at >= start) return planned(at, 'skipped', 'after-session-start', plannedAt);
    return planned(at, at <= now ? 'due' : 'scheduled', undefined, plannedAt);
  });
  return capSms(planned, {
    perDay: policy.smsPerDay,
    start: anchors.start,
    reminderUntil: anchors.start.minus({ hours: policy.readinessHours }),
    fixed: input.fixed ?? [],
    hasEmail: booking.patient.email !== undefined,
    quiet,
  });
}

/** Kinds whose text may go by email instead (the day-of text is the SMS itself: it waits or is skipped). */
const EMAIL_INSTEAD: ReadonlySet<MessageKind> = new Set([
  'prep-instructions',
  'prep-reminder',
  'checkin-same-day',
  'checkin-next-day',
  'checkin-week',
]);

/** How long after its planned time a message that waits for the cap is still worth sending. */
const WAIT_USEFUL_HOURS = 24;

/**
 * DESIGN section 3's SMS cap: a text that would make more than `perDay` in any rolling 24 hours goes by email
 * where the kind allows it and the patient has an address, else waits for the earliest time it fits (out of
 * quiet hours) if that is before the session (pre-session kinds; the reminder before the readiness deadline)
 * and within a day of its planned time, else is skipped with reason `capped`. `fixed` are the plan's other
 * messages (a re-plan of some kinds keeps the rest): they count, and never move.
 */
function capSms(
  messages: PlannedMessage[],
  opts: {
    perDay: number;
    start: DateTime;
    reminderUntil: DateTime;
    hasEmail: boolean;
    quiet: QuietHours;
    fixed: readonly PlannedMessage[];
  },
): PlannedMessage[] {
  const isText = (m: PlannedMessage) =>
    m.status !== 'skipped' && m.channels.includes('sms') && m.smsCapped !== 'email';
  const placed = opts.fixed.filter(isText).map((m) => Date.parse(m.at));
  // Every window holding `t` (those ending at a text in [t, t + 24 h)) stays within the cap.
  const fits = (t: number) => {
    const all = [...placed, t];
    return all
      .filter((u) => u >= t && u < t + DAY_MS)
      .every((u) => all.filter((v) => v > u - DAY_MS && v <= u).length <= opts.perDay);
  };
  const result = new Map(messages.map((message) => [message.kind, message]));
  const texts = messages.filter(isText).sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  for (const next of texts) {
    const at = Date.parse(next.at);
    if (fits(at)) {
      placed.push(at);
      continue;
    }
    if (next.channels.includes('email') || (EMAIL_INSTEAD.has(next.kind) && opts.hasEmail)) {
      result.set(next.kind, { ...next, channels: ['email'], smsCapped: 'email' });
      continue;
    }
    // The reminder asks the readiness question: after its deadline the answer could not count.
    const usefulUntil = Math.min(
      Date.parse(next.plannedAt) + WAIT_USEFUL_HOURS * HOUR_MS,
      next.kind.startsWith('prep-') ? opts.start.toMillis() : Number.POSITIVE_INFINITY,
      next.kind === 'prep-reminder' ? opts.reminderUntil.toMillis() : Number.POSITIVE_INFINITY,
    );
    // A text leaves the window a day after it went: the times it can wait for, earliest first.
    const waited = placed
      .map((t) => t + DAY_MS + 60_000)
      .filter((t) => t > at)
      .sort((a, b) => a - b)
      .map((t) => {
        const local = DateTime.fromMillis(t, { zone: opts.start.zone }).startOf('minute');
        return (applyQuietHours(local, 'later', opts.quiet) ?? local).toMillis();
      })
      .find((t) => t < usefulUntil && fits(t));
    if (waited !== undefined) {
      placed.push(waited);
      result.set(next.kind, {
        ...next,
        at: toUtcIso(DateTime.fromMillis(waited)),
        status: 'scheduled',
        smsCapped: 'waits',
      });
    } else result.set(next.kind, { ...next, status: 'skipped', reason: 'capped', smsCapped: 'waits' });
  }
  return messages.map((message) => result.get(message.kind) ?? message);
}

const DAY_MS = 86_400_000;

const HOUR_MS = 3_600_000;

/**
 * The channels one message goes by. The patient's `preferredChannel`
 * (email or sms) overrides the rule; `both` follows it. A preferred
 * channel the patient lacks falls back to the other.
 */
export function pickChannels(
  rule: PlanRule['channels'],
  patient: Pick<FullBooking['patient'], 'email' | 'phone' | 'preferredChannel'>,
): Channel[] {
  const has: Record<Channel, boolean> = {
    email: patient.email !== undefined,
    sms: patient.phone !== undefined,
  };
  const mode =
    patient.preferredChannel === 'email' || patient.preferredChannel === 'sms'
      ? patient.preferredChannel
      : rule;
  if (mode === 'both') return CHANNELS.filter((channel) => has[channel]);
  const fallback: Channel = mode === 'email' ? 'sms' : 'email';
  if (has[mode]) return [mode];
  return has[fallback] ? [fallback] : [];
}

interface QuietHours {
  start: number;
  end: number;
}

function parseQuietHours(hours: { start: string; end: string }): QuietHours {
  const minutes = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    return (h ?? 0) * 60 + (m ?? 0);
  };
  return { start: minutes(hours.start), end: minutes(hours.end) };
}

function minuteOfDay(at: DateTime): number {
  return at.hour * 60 + at.minute;
}

/** True when the local time of `at` falls in quiet hours (`HH:MM`, may wrap past midnight). */
export function isQuietTime(at: DateTime, quietHours: { start: string; end: string }): boolean {
  return inQuietHours(at, parseQuietHours(quietHours));
}

function inQuietHours(at: DateTime, quiet: QuietHours): boolean {
  const m = minuteOfDay(at);
  if (quiet.start === quiet.end) return false;
  return quiet.start > quiet.end ? m >= quiet.start || m < quiet.end : m >= quiet.start && m < quiet.end;
}

function atMinuteOfDay(day: DateTime, minutes: number): DateTime {
  return day.set({ hour: Math.floor(minutes / 60), minute: minutes % 60, second: 0, millisecond: 0 });
}

/** Applies a quiet-hours policy to a local time; `undefined` means the message is skipped. */
function applyQuietHours(
  at: DateTime,
  policy: PlanRule['quietHours'],
  quiet: QuietHours,
  earliest?: DateTime,
): DateTime | undefined {
  if (policy === 'send' || !inQuietHours(at, quiet)) return at;
  if (policy === 'skip') return undefined;
  // Quiet hours that wrap midnight began the evening before when we are past midnight.
  const wraps = quiet.start > quiet.end;
  const inEveningPart = minuteOfDay(at) >= quiet.start;
  if (policy === 'earlier') {
    const quietBegan = wraps && !inEveningPart ? at.minus({ days: 1 }) : at;
    const moved = atMinuteOfDay(quietBegan, quiet.start).minus({ minutes: 1 });
    return earliest && moved < earliest ? undefined : moved;
  }
  const quietEnds = wraps && inEveningPart ? at.plus({ days: 1 }) : at;
  return atMinuteOfDay(quietEnds, quiet.end);
}

function toDuration(offset: Offset): { days: number; hours: number; minutes: number } {
  return { days: offset.days ?? 0, hours: offset.hours ?? 0, minutes: offset.minutes ?? 0 };
}

/** ISO-8601 in UTC with milliseconds: the one format times are stored and compared in. */
export function toUtcIso(at: DateTime): string {
  const iso = at.toUTC().toISO();
  if (iso === null) throw new RangeError('invalid time');
  return iso;
}
