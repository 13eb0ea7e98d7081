import { DateTime } from 'luxon';
import type { BookingRecord } from '../booking-record';
import type { StoredReply } from '../ports';

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

/** Each booking with something in the window (its session, or a reply), day by day in session order. */
export async function* bookingsInWindow(
  source: ExportSource,
  window: ExportWindow,
  opts: { timeZone: string; lookbackDays: number },
): AsyncGenerator<ExportedBooking> {
  for (const day of exportDays(window, opts.timeZone, opts.lookbackDays)) {
    for (const record of await source.allSessionsOn(day)) {
      const startsAt = record.booking?.session.startsAt;
      const sessionInWindow = startsAt !== undefined && within(startsAt, window);
      const replies = (await source.repliesOf(record.bookingId))
        .filter((reply) => within(reply.receivedAt, window))
        .sort((a, b) => a.receivedAt.localeCompare(b.receivedAt));
      if (sessionInWindow || replies.length > 0) yield { day, record, replies, sessionInWindow };
    }
  }
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

/** How far before a window a session can still have a reply in it: the week check-in and its link's life. */
export const replyLookbackDays = (linkTtlDays: number) => 8 + linkTtlDays;

/** What an export's audit item names: the types and the window (`EXPORT#fhir:Observation:<since>/<until>`). */
export const exportAuditSubject = (types: readonly string[], window: ExportWindow) =>
  `EXPORT#fhir:${types.join(',')}:${window.since}/${window.until}`;
