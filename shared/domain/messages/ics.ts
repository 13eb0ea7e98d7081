import { DateTime } from 'luxon';
import type { FullBooking, Language } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';

export interface SessionIcsInput {
  /** Stable across reschedules so calendar apps update the event instead of adding one. */
  uid: string;
  /** ISO-8601 with offset. */
  startsAt: string;
  durationMinutes: number;
  /** Shown on lock screens and shared calendars: name no drug or diagnosis ("Appointment at Riverside Clinic"). */
  summary: string;
  location?: string;
  description?: string;
  organizerName?: string;
  /** ORGANIZER is written only with an address, since its value must be a `mailto:` URI. */
  organizerEmail?: string;
  /** When the file is made (DTSTAMP), ISO-8601. */
  now: string;
  /** Grows with each change of the event (the booking version), so the newest copy wins. @default 0 */
  sequence?: number;
  /** Adds a display alarm this many minutes before the start (1440 = one day). @default no alarm */
  reminderMinutesBefore?: number;
  /** Calendar apps keep it with the event, so it must not name the treatment either. @default '-//clinic-followup//appointment//EN' */
  prodId?: string;
}

const CRLF = '\r\n';
/** RFC 5545 section 3.1: lines longer than 75 octets, excluding the line break, must be folded. */
const MAX_LINE_OCTETS = 75;

/** Escapes a TEXT value (RFC 5545 section 3.3.11); control characters other than line breaks are not allowed in TEXT. */
export function escapeIcsText(text: string): string {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[^\P{Cc}\n\t]/gu, '')
    .replace(/[\\;,]/g, (char) => `\\${char}`)
    .replace(/\n/g, '\\n');
}

/**
 * Folds one content line at 75 octets: continuation lines start with a space,
 * which counts toward their 75. Splits between code points, never inside a
 * UTF-8 sequence.
 */
export function foldIcsLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Octets(char.codePointAt(0) ?? 0);
    if (octets + size > MAX_LINE_OCTETS) {
      out.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join(CRLF);
}

/** UTF-8 length of one code point (RFC 3629). */
function utf8Octets(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  return codePoint < 0x10000 ? 3 : 4;
}

function parseInstant(iso: string, field: string): DateTime {
  const at = DateTime.fromISO(iso, { setZone: true });
  if (!at.isValid) throw new RangeError(`${field} is not a valid ISO-8601 date-time: ${iso}`);
  return at;
}

function utcStamp(at: DateTime): string {
  return at.toUTC().toFormat("yyyyMMdd'T'HHmmss'Z'");
}

/** Quoted parameter values may hold anything but DQUOTE and control characters. */
function quoteParam(value: string): string {
  return `"${value.replace(/["\p{Cc}]/gu, ' ')}"`;
}

/**
 * Builds an iCalendar (RFC 5545) file with one event for a session: CRLF line
 * breaks, escaped TEXT values, lines folded at 75 octets, times in UTC (so no
 * VTIMEZONE is needed and every client shows the right local time),
 * `METHOD:PUBLISH`, and an optional display alarm.
 */
export function buildSessionIcs(input: SessionIcsInput): string {
  if (!Number.isInteger(input.durationMinutes) || input.durationMinutes <= 0) {
    throw new RangeError(`durationMinutes must be a positive integer: ${input.durationMinutes}`);
  }
  const start = parseInstant(input.startsAt, 'startsAt');
  const stamp = parseInstant(input.now, 'now');
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${input.prodId ?? '-//clinic-followup//appointment//EN'}`,
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${escapeIcsText(input.uid)}`,
    `SEQUENCE:${input.sequence ?? 0}`,
    `DTSTAMP:${utcStamp(stamp)}`,
    `DTSTART:${utcStamp(start)}`,
    `DTEND:${utcStamp(start.plus({ minutes: input.durationMinutes }))}`,
    `SUMMARY:${escapeIcsText(input.summary)}`,
  ];
  if (input.location) lines.push(`LOCATION:${escapeIcsText(input.location)}`);
  if (input.description) lines.push(`DESCRIPTION:${escapeIcsText(input.description)}`);
  if (input.organizerEmail) {
    const cn = input.organizerName ? `;CN=${quoteParam(input.organizerName)}` : '';
    lines.push(`ORGANIZER${cn}:mailto:${input.organizerEmail}`);
  }
  lines.push('STATUS:CONFIRMED', 'TRANSP:OPAQUE');
  if (input.reminderMinutesBefore !== undefined) {
    const minutes = Math.round(input.reminderMinutesBefore);
    const trigger = minutes % 60 === 0 ? `-PT${minutes / 60}H` : `-PT${minutes}M`;
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${escapeIcsText(input.summary)}`,
      `TRIGGER:${trigger}`,
      'END:VALARM',
    );
  }
  lines.push('END:VEVENT', 'END:VCALENDAR');
  return lines.map(foldIcsLine).join(CRLF) + CRLF;
}

const ICS_WORDS: Record<
  Language,
  { summary: (clinic: string) => string; description: (phone: string) => string }
> = {
  en: {
    summary: (clinic) => `Appointment at ${clinic}`,
    description: (phone) => `Questions or need to change your appointment? Call ${phone}.`,
  },
  es: {
    summary: (clinic) => `Cita en ${clinic}`,
    description: (phone) => `¿Preguntas o necesita cambiar su cita? Llame al ${phone}.`,
  },
};

/**
 * The calendar file for a booking, in the patient's language: summary names
 * only the clinic, UID `<bookingId>@<sender domain>` and SEQUENCE the booking
 * version (so a reschedule updates the event), alarm one day before.
 */
export function buildBookingIcs(input: { config: ClinicConfig; booking: FullBooking; now: string }): string {
  const { config, booking, now } = input;
  const words = ICS_WORDS[booking.patient.language];
  const domain = config.sender.email.split('@')[1] ?? 'localhost';
  return buildSessionIcs({
    uid: `${booking.bookingId}@${domain}`,
    startsAt: booking.session.startsAt,
    durationMinutes: booking.session.durationMinutes,
    summary: words.summary(config.clinic.name),
    location: booking.session.location ?? config.clinic.address,
    description: words.description(config.clinic.phone),
    organizerName: config.clinic.name,
    organizerEmail: config.sender.email,
    now,
    sequence: booking.version,
    reminderMinutesBefore: 24 * 60,
  });
}
