import type { ReplyKind } from '../../contracts/vocabulary';
import { checkinKindLabel, formatStaffTime, MAX_ESCALATIONS } from './staff-wording';

/*
 * The message published to the staff alert topics (DESIGN section 8). SNS
 * sends email subscribers the subject and the text, SMS subscribers the text
 * only. Minimum necessary PHI: no patient name, no answer, no symptom, no
 * drug or diagnosis; only that an urgent check-in waits, which one, and the
 * console link to the alert (which shows the rest after sign-in).
 */

/** SMS subscribers get `text`: at most this many characters (two SMS segments of GSM-7 text). */
export const STAFF_ALERT_TEXT_MAX = 300;

/** SNS rejects a subject of 100 characters or more, or one that is not printable ASCII. */
export const STAFF_ALERT_SUBJECT_MAX = 99;

export interface StaffAlertMessageInput {
  /** The first alert, an escalation of one nobody acknowledged, or a further urgent reply added to an open one. */
  kind: 'alert' | 'escalation' | 'update';
  alertId: string;
  /** The booking's opaque surrogate (`bookingRefOf`), never the booking system's id. */
  bookingRef: string;
  /** Which check-in the urgent reply answered. */
  replyKind: ReplyKind;
  /** When the reply arrived, ISO. */
  receivedAt: string;
  clinic: { name: string; timeZone: string };
  /** The alert in the console: shows the answers and takes the acknowledgement, after sign-in. */
  link: string;
  /** For an escalation: which one, from 1. */
  escalation?: number;
  /**
   * For an escalation: minutes since the alert was raised.
   * @default derived from the default schedule: 15 minutes, then every 30 (DESIGN section 8)
   */
  minutesUnacknowledged?: number;
  /** @default 4 */
  maxEscalations?: number;
}

export interface StaffAlertMessage {
  /** Printable ASCII, under 100 characters (the SNS limit). */
  subject: string;
  /** Plain text for email and SMS; at most 300 characters unless the link alone is longer. */
  text: string;
}

/** Printable ASCII on one line: accents dropped ("Clínica" -> "Clinica"), anything else replaced. */
function asciiLine(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201C\u201D]/g, '"')
    .replace(/[\u2013\u2014]/g, '-')
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7E]/g, '?')
    .trim();
}

/** One line, no control characters, at most `max` characters (an ellipsis marks a cut). */
function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, Math.max(0, max - 3)).trimEnd()}...`;
}

function subjectFor(input: StaffAlertMessageInput, max: number): string {
  const head =
    input.kind === 'alert'
      ? 'URGENT patient check-in needs a response'
      : input.kind === 'update'
        ? 'URGENT update: new answer on an open alert'
        : `URGENT escalation${input.escalation === undefined ? '' : ` ${input.escalation} of ${max}`}: check-in not acknowledged`;
  const clinic = asciiLine(input.clinic.name);
  const room = STAFF_ALERT_SUBJECT_MAX - head.length - ' ()'.length;
  return clinic === '' || room < 4 ? head : `${head} (${oneLine(clinic, room)})`;
}

function minutesFor(input: StaffAlertMessageInput): number | undefined {
  if (input.minutesUnacknowledged !== undefined) return Math.round(input.minutesUnacknowledged);
  if (input.escalation === undefined || input.escalation < 1) return undefined;
  return 15 + 30 * (input.escalation - 1);
}

/**
 * The staff alert (or escalation) message for SNS: `subject` for email
 * subscribers, plain `text` for both email and SMS subscribers. It carries
 * the level (URGENT), the alert id (so a rare repeat is recognisable), the
 * booking reference, which check-in, when it arrived (clinic time zone), for
 * an escalation how long it has waited and which escalation it is, and the
 * acknowledge link. It never names the patient or what they answered.
 *
 * `text` is kept to 300 characters by dropping the nice-to-haves first (the
 * clinic name, the time, the check-in) and then shortening the booking
 * reference. The link and the alert id are never cut, so only a link of
 * more than about 170 characters (ours are about 95) can make it longer.
 */
export function staffAlertMessage(input: StaffAlertMessageInput): StaffAlertMessage {
  const max = input.maxEscalations ?? MAX_ESCALATIONS;
  const clinic = oneLine(input.clinic.name, 40);
  const checkin = checkinKindLabel(input.replyKind);
  const received = formatStaffTime(input.receivedAt, input.clinic.timeZone, { withYear: false });
  const minutes = minutesFor(input);
  const alertId = oneLine(input.alertId, 64);
  const link = input.link.trim();

  const step = input.escalation === undefined ? '' : ` ${input.escalation} of ${max}`;
  const waited = minutes === undefined ? '' : ` after ${minutes} min`;
  const shortHeadline =
    input.kind === 'alert'
      ? 'URGENT: patient check-in needs a response.'
      : input.kind === 'update'
        ? 'URGENT update: a new urgent answer was added to an open alert.'
        : `URGENT, escalation${step}: not acknowledged${waited}.`;
  const headline = clinic === '' ? shortHeadline : `${shortHeadline.slice(0, -1)} (${clinic}).`;

  const details = (booking: string, withCheckin: boolean, withTime: boolean) =>
    `Alert ${alertId}. Booking ${booking}${withCheckin ? `, ${checkin}` : ''}${withTime ? `, received ${received}` : ''}.`;
  const booking = oneLine(input.bookingRef, 128);
  // From the most complete to the most compact; the first that fits is sent.
  const candidates = [
    [headline, details(booking, true, true), `Acknowledge: ${link}`],
    [shortHeadline, details(booking, true, true), `Acknowledge: ${link}`],
    [shortHeadline, details(booking, true, false), `Acknowledge: ${link}`],
  ].map((lines) => lines.join('\n'));
  let text = candidates.find((candidate) => candidate.length <= STAFF_ALERT_TEXT_MAX);
  if (text === undefined) {
    const compact = (ref: string) => [`${shortHeadline} ${details(ref, false, false)}`, link].join('\n');
    const room = booking.length - (compact(booking).length - STAFF_ALERT_TEXT_MAX);
    text = compact(oneLine(booking, Math.max(8, room)));
  }
  return { subject: subjectFor(input, max), text };
}
