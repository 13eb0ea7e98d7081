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

  return rules.map((rule): PlannedMessage => {
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
}

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
