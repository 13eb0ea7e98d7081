import { DateTime } from 'luxon';
import type { BookingRecord } from '../booking-record';
import type { StoredReply } from '../ports';
import { isoWeekIn } from '../time';

/*
 * What an export of a time window reads (DESIGN section 12): the bookings whose sessions could have replies in
 * it, found by session day on the list index (no scan), each with its replies. Replies come at most the
 * week check-in's offset plus a link's life after the session, so the walk starts that many days before.
 */

/** The resource types of an export, one NDJSON file each (FHIR Bulk Data). */
export const FHIR_EXPORT_TYPES = [
  'Patient',
  'Appointment',
  'Questionnaire',
  'QuestionnaireResponse',
  'Observation',
] as const;
export type FhirExportType = (typeof FHIR_EXPORT_TYPES)[number];

export interface ExportSource {
  /** Every booking whose session starts on `day` (clinic zone, `2026-11-29`), by start time. */
  allSessionsOn(day: string): Promise<BookingRecord[]>;
  /** The bookings with a reply counted in the ISO weeks `from` to `to` (`2026-W45`), clinic zone. */
  bookingsAnswered(fromWeek: string, toWeek: string): Promise<string[]>;
  booking(bookingId: string): Promise<BookingRecord | undefined>;
  repliesOf(bookingId: string): Promise<StoredReply[]>;
}

/** A half-open window of instants, `since` included, `until` not. */
export interface ExportWindow {
  since: string;
  until: string;
}

export interface ExportedBooking {
  /** The session day the booking was found on. */
  day: string;
  record: BookingRecord;
  /** Its replies received within the window, oldest first. */
  replies: StoredReply[];
  /** Whether the session itself starts within the window. */
  sessionInWindow: boolean;
}

export const within = (at: string, window: ExportWindow) => {
  const time = Date.parse(at);
  return time >= Date.parse(window.since) && time < Date.parse(window.until);
};

/** The session days (clinic zone) the walk covers: `lookbackDays` before the window's first day to its last. */
export function exportDays(window: ExportWindow, timeZone: string, lookbackDays: number): string[] {
  const first = DateTime.fromISO(window.since, { zone: timeZone })
    .startOf('day')
    .minus({ days: lookbackDays });
  const last = DateTime.fromMillis(Date.parse(window.until) - 1, { zone: timeZone }).startOf('day');
  const days: string[] = [];
  for (let day = first; day <= last; day = day.plus({ days: 1 })) days.push(day.toISODate() ?? '');
  return days;
}

/**
 * Each booking with something in the window (its session, or a reply), each once: the sessions of the window's
 * days and of the days before it a reply can still come from, in session order, then every other booking a
 * reply of the window's weeks was counted for (a session moved far away, or a link sent again), by id. A reply
 * is missed only if its count failed and its session lies outside the days walked.
 */
export async function* bookingsInWindow(
  source: ExportSource,
  window: ExportWindow,
  opts: { timeZone: string; lookbackDays: number },
): AsyncGenerator<ExportedBooking> {
  const seen = new Set<string>();
  const visit = async (day: string, record: BookingRecord): Promise<ExportedBooking | undefined> => {
    seen.add(record.bookingId);
    const startsAt = record.booking?.session.startsAt;
    const sessionInWindow = startsAt !== undefined && within(startsAt, window);
    const replies = (await source.repliesOf(record.bookingId))
      .filter((reply) => within(reply.receivedAt, window))
      .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
    return sessionInWindow || replies.length > 0 ? { day, record, replies, sessionInWindow } : undefined;
  };
  for (const day of exportDays(window, opts.timeZone, opts.lookbackDays)) {
    const records = (await source.allSessionsOn(day)).filter((record) => !seen.has(record.bookingId));
    for (const found of await inBatches(records, (record) => visit(day, record))) if (found) yield found;
  }
  const [firstWeek, lastWeek] = [window.since, new Date(Date.parse(window.until) - 1).toISOString()].map(
    (at) => isoWeekIn(at, opts.timeZone),
  );
  const answered = (await source.bookingsAnswered(firstWeek ?? '', lastWeek ?? '')).filter(
    (id) => !seen.has(id),
  );
  const more = await inBatches(answered, async (bookingId) => {
    const record = await source.booking(bookingId);
    const startsAt = record?.booking?.session.startsAt;
    if (!record || !startsAt) return undefined;
    return visit(DateTime.fromISO(startsAt, { zone: opts.timeZone }).toISODate() ?? '', record);
  });
  for (const found of more) if (found) yield found;
}

/** Reads in parallel, this many at a time: a busy clinic's month is a thousand bookings, one query each. */
const READS_AT_ONCE = 16;

async function inBatches<T, R>(items: readonly T[], read: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let start = 0; start < items.length; start += READS_AT_ONCE) {
    out.push(...(await Promise.all(items.slice(start, start + READS_AT_ONCE).map(read))));
  }
  return out;
}

/** The longest window a console download takes (DESIGN section 12). */
export const MAX_CONSOLE_WINDOW_DAYS = 31;

/**
 * A window from what a person typed: `since` a day (`2026-01-01`, its start in the clinic's zone) or an instant
 * with an offset; `until` the same, a day counting whole (default now). Errors name the field.
 */
export function parseExportWindow(
  input: { since?: string | undefined; until?: string | undefined },
  timeZone: string,
  now: string,
): { ok: true; window: ExportWindow } | { ok: false; errors: { field: string; message: string }[] } {
  const read = (field: 'since' | 'until', value: string | undefined) => {
    if (value === undefined || value === '') return field === 'until' ? now : undefined;
    const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? DateTime.fromISO(value, { zone: timeZone }) : undefined;
    if (day?.isValid) return (field === 'since' ? day : day.plus({ days: 1 })).toUTC().toISO() ?? undefined;
    const instant = /(Z|[+-]\d{2}:?\d{2})$/.test(value)
      ? DateTime.fromISO(value, { setZone: true })
      : undefined;
    return instant?.isValid ? (instant.toUTC().toISO() ?? undefined) : undefined;
  };
  const since = read('since', input.since);
  const until = read('until', input.until);
  const errors = [
    ...(since ? [] : [{ field: 'since', message: 'must be a date (2026-01-01) or a time with an offset' }]),
    ...(until ? [] : [{ field: 'until', message: 'must be a date (2026-01-31) or a time with an offset' }]),
  ];
  if (!since || !until) return { ok: false, errors };
  if (Date.parse(until) <= Date.parse(since)) {
    return { ok: false, errors: [{ field: 'until', message: 'must come after since' }] };
  }
  return { ok: true, window: { since, until } };
}

/**
 * How far before a window a session can still have a reply in it: the latest check-in's offset from the session
 * (its length included), and a link's life twice over (a check-in sent again to a new address gets a fresh link).
 */
export function replyLookbackDays(config: {
  plan: readonly { kind: string; offset: { days?: number; hours?: number; minutes?: number } }[];
  links: { ttlDays: number };
}): number {
  const minutes = config.plan
    .filter((rule) => rule.kind.startsWith('checkin-'))
    .map(({ offset }) => (offset.days ?? 0) * 1440 + (offset.hours ?? 0) * 60 + (offset.minutes ?? 0));
  const latest = Math.ceil(Math.max(0, ...minutes) / 1440);
  // A session lasts at most 600 minutes: one day more covers it.
  return latest + 1 + 2 * config.links.ttlDays;
}

/** What an export's audit item names: the types and the window (`EXPORT#fhir:Observation:<since>/<until>`). */
export const exportAuditSubject = (types: readonly string[], window: ExportWindow) =>
  `EXPORT#fhir:${types.join(',')}:${window.since}/${window.until}`;
