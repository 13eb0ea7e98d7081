import type { VNode } from 'preact';
import type { CheckinKind } from '../../contracts/vocabulary';
import { EmailDocument, renderEmailDocument } from '../messages/email-html';
import { checkinKindLabel, formatStaffDay, formatStaffTime } from './staff-wording';

/*
 * The daily staff email of replies triaged "review" (DESIGN section 8,
 * `kind: "review-digest"`). Minimum necessary PHI: a booking reference,
 * which check-in, when and which rule ids per reply, and a console link to
 * the reply (the answers show after sign-in). No patient name, no answer.
 */

/** One reply in the digest. */
export interface ReviewDigestItem {
  replyId: string;
  bookingId: string;
  replyKind: CheckinKind;
  /** When the reply arrived, ISO. */
  receivedAt: string;
  /** Ids of the triage rules that fired. */
  rules: readonly string[];
  /** The reply in the console. */
  link: string;
}

export interface ReviewDigestInput {
  clinic: { name: string; timeZone: string };
  /** The digest's day in the clinic's time zone, ISO date (`2026-11-26`). */
  date: string;
  items: readonly ReviewDigestItem[];
}

export interface ReviewDigest {
  subject: string;
  text: string;
  html: string;
}

/** One line, no control characters (a subject or a value that must not break the layout). */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

interface DigestLine {
  item: ReviewDigestItem;
  checkin: string;
  received: string;
  rules: string;
}

function lines(input: ReviewDigestInput): DigestLine[] {
  return [...input.items]
    .sort((a, b) => Date.parse(a.receivedAt) - Date.parse(b.receivedAt) || a.replyId.localeCompare(b.replyId))
    .map((item) => ({
      item,
      checkin: checkinKindLabel(item.replyKind),
      received: formatStaffTime(item.receivedAt, input.clinic.timeZone, { withYear: false }),
      rules: item.rules.length > 0 ? item.rules.map(oneLine).join(', ') : 'none',
    }));
}

function plural(count: number): string {
  return count === 1 ? '1 check-in reply' : `${count} check-in replies`;
}

const INTRO =
  'These replies were triaged "review": nothing urgent, but someone on the care team should look at them. Each link opens the reply in the staff console once you sign in.';
const PRIVACY = 'This email holds no answers. Do not forward it: its links open patient information.';

function textBody(input: ReviewDigestInput, rows: DigestLine[], day: string): string {
  const items = rows.map(({ item, checkin, received, rules }, index) =>
    [
      `${index + 1}. Booking ${oneLine(item.bookingId)}, ${checkin}, received ${received}`,
      `   Rules: ${rules}`,
      `   ${item.link.trim()}`,
    ].join('\n'),
  );
  return [
    `${plural(rows.length)} to review at ${oneLine(input.clinic.name)}, ${day}`,
    '',
    rows.length > 0 ? INTRO : 'No replies to review.',
    '',
    ...items.flatMap((item) => [item, '']),
    PRIVACY,
    '',
  ].join('\n');
}

const LINK_STYLE = 'color:#0b5394;text-decoration:underline';

const PARAGRAPH_STYLE = 'margin:0 0 16px';

function DigestEmail(props: {
  input: ReviewDigestInput;
  rows: DigestLine[];
  subject: string;
  day: string;
}): VNode {
  const { input, rows } = props;
  return (
    <EmailDocument language="en" subject={props.subject}>
      <h1 style="font-size:22px;line-height:1.3;margin:0 0 16px">{plural(rows.length)} to review</h1>
      <p style={PARAGRAPH_STYLE}>
        {oneLine(input.clinic.name)}, {props.day}
      </p>
      {rows.length > 0 ? (
        <>
          <p style={PARAGRAPH_STYLE}>{INTRO}</p>
          <ol style="margin:0 0 16px;padding-left:24px">
            {rows.map(({ item, checkin, received, rules }) => (
              <li style={PARAGRAPH_STYLE}>
                <a href={item.link.trim()} style={`${LINK_STYLE};font-weight:700`}>
                  Booking {oneLine(item.bookingId)}, {checkin}
                </a>
                <br />
                Received {received}
                <br />
                Rules: {rules}
              </li>
            ))}
          </ol>
        </>
      ) : (
        <p style={PARAGRAPH_STYLE}>No replies to review.</p>
      )}
      <p style="margin:0 0 16px;color:#4a5561">{PRIVACY}</p>
    </EmailDocument>
  );
}

/**
 * The daily review digest email for staff: subject ("Check-in replies to
 * review: 3 (Riverside Clinic, Thu 26 Nov)"), plain text and an accessible
 * HTML document, one entry per reply (oldest first) with its booking
 * reference, which check-in, when it arrived (clinic time zone), the rule ids
 * and the console link. No patient name and no answer appear anywhere.
 *
 * The caller sends no digest on a day with nothing new (DESIGN section 8);
 * given no items, this still renders a "no replies" email.
 */
export function renderReviewDigest(input: ReviewDigestInput): ReviewDigest {
  const rows = lines(input);
  const subject = `Check-in replies to review: ${rows.length} (${oneLine(input.clinic.name)}, ${formatStaffDay(input.date)})`;
  const day = formatStaffDay(input.date, { withYear: true });
  return {
    subject,
    text: textBody(input, rows, day),
    html: renderEmailDocument(<DigestEmail input={input} rows={rows} subject={subject} day={day} />),
  };
}
