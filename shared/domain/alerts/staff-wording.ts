import { DateTime } from 'luxon';
import type { ReplyKind } from '../../contracts/vocabulary';
import { formatZoneLabel } from '../messages/templates';

/*
 * How staff read times, days and check-ins: shared by the alert message, the
 * review digest and the staff pages, so all three say the same thing.
 */

/** DESIGN section 8: an alert escalates at most this many times. */
export const MAX_ESCALATIONS = 4;

const CHECKIN_LABELS: Readonly<Record<ReplyKind, string>> = {
  'checkin-same-day': 'same-day check-in',
  'checkin-next-day': 'next-day check-in',
  'checkin-week': 'one-week check-in',
  text: 'text message',
};

/** Which check-in (or a text to the clinic's number), in words: "next-day check-in". */
export function checkinKindLabel(kind: ReplyKind): string {
  return CHECKIN_LABELS[kind];
}

/** ICU puts narrow no-break spaces in "2:05 PM"; plain spaces keep text, HTML and SMS alike. */
function plainSpaces(text: string): string {
  return text.replace(/[\u00A0\u202F]/g, ' ');
}

/**
 * An instant as staff read it, in the clinic's time zone: "Thu 26 Nov 2026,
 * 2:05 PM EST" (`withYear: false`: "Thu 26 Nov, 2:05 PM EST"). Day before
 * month and a named month, so it cannot be misread; text that is not an ISO
 * instant is returned as it is.
 */
export function formatStaffTime(iso: string, timeZone: string, options: { withYear?: boolean } = {}): string {
  const at = DateTime.fromISO(iso).setZone(timeZone).setLocale('en-US');
  if (!at.isValid) return iso;
  const date = at.toFormat(options.withYear === false ? 'ccc d LLL' : 'ccc d LLL yyyy');
  return plainSpaces(`${date}, ${at.toFormat('h:mm a')} ${formatZoneLabel(at, 'en')}`.trim());
}

/** A calendar day (ISO date) as staff read it: "Thu 26 Nov"; text that is not an ISO date is returned as it is. */
export function formatStaffDay(isoDate: string, options: { withYear?: boolean } = {}): string {
  const day = DateTime.fromISO(isoDate, { zone: 'utc' }).setLocale('en-US');
  if (!day.isValid) return isoDate;
  return day.toFormat(options.withYear ? 'cccc d LLLL yyyy' : 'ccc d LLL');
}
