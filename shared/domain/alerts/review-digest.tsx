import type { VNode } from 'preact';
import type { ReplyKind } from '../../contracts/vocabulary';
import { EmailDocument, renderEmailDocument } from '../messages/email-html';
import { checkinKindLabel, formatStaffDay, formatStaffTime } from './staff-wording';

/*
 * The daily staff email (DESIGN section 8, `kind: "review-digest"`): call
 * requests, screener totals, replies to review and missed check-ins, each in
 * its own list. Minimum necessary PHI: a booking reference, which check-in,
 * when, the PHQ-9 and GAD-7 totals with their change, and a console link
 * (the answers show after sign-in). No patient name, no answer, no rule id.
 */

/** One entry of a list. */
export interface DigestItem {
  /** Unique in the digest (a reply id, or the missed check-in's booking and kind). */
  id: string;
  bookingId: string;
  kind: ReplyKind;
  /** When the reply arrived, or when the missed check-in was sent, ISO. */
  at: string;
  /** The reply, or the review list, in the console. */
  link: string;
  /** A few words for staff ("flagged for review"). */
  note?: string;
}

/** A screener's total, its band and the change from the patient's first total (absent for the first). */
export interface ScreenerTotal {
  total: number;
  band: string;
  change?: number;
}

export interface DigestScores {
  phq9?: ScreenerTotal;
  gad7?: ScreenerTotal;
}

export interface ReviewDigestInput {
  clinic: { name: string; timeZone: string };
  /** The digest's day in the clinic's time zone, ISO date (`2026-11-26`). */
  date: string;
  calls: readonly DigestItem[];
  scores: readonly (DigestItem & DigestScores)[];
  reviews: readonly DigestItem[];
  missed: readonly DigestItem[];
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

function byTime<T extends DigestItem>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || a.id.localeCompare(b.id));
}

function signed(change: number): string {
  return change > 0 ? `+${change}` : String(change);
}

function totalText(name: string, max: number, score: ScreenerTotal | undefined): string | undefined {
  if (!score) return undefined;
  const change = score.change === undefined ? 'first score' : `${signed(score.change)} from the first`;
  return `${name} ${score.total} of ${max} (${score.band}), ${change}`;
}

interface Section {
  heading: string;
  intro: string;
  /** Each entry: its headline (linked) and its detail lines. */
  entries: { item: DigestItem; headline: string; details: string[] }[];
}

function sections(input: ReviewDigestInput): Section[] {
  const zone = input.clinic.timeZone;
  const when = (at: string) => formatStaffTime(at, zone, { withYear: false });
  const headline = (item: DigestItem) => `Booking ${oneLine(item.bookingId)}, ${checkinKindLabel(item.kind)}`;
  const withNote = (item: DigestItem, lines: string[]) =>
    item.note ? [...lines, oneLine(item.note)] : lines;
  const all: Section[] = [
    {
      heading: 'Call requests',
      intro: 'These patients asked to be called.',
      entries: byTime(input.calls).map((item) => ({
        item,
        headline: headline(item),
        details: withNote(item, [`Received ${when(item.at)}`]),
      })),
    },
    {
      heading: 'PHQ-9 and GAD-7 totals',
      intro:
        'Every week check-in answered since the last digest, with the change from the patient’s first score.',
      entries: byTime(input.scores).map((item) => ({
        item,
        headline: headline(item),
        details: withNote(item, [
          `Received ${when(item.at)}`,
          ...[totalText('PHQ-9', 27, item.phq9), totalText('GAD-7', 21, item.gad7)].filter(
            (line): line is string => line !== undefined,
          ),
        ]),
      })),
    },
    {
      heading: 'Replies to review',
      intro: 'Nothing urgent, but someone on the care team should look at these.',
      entries: byTime(input.reviews).map((item) => ({
        item,
        headline: headline(item),
        details: [`Received ${when(item.at)}`],
      })),
    },
    {
      heading: 'Missed check-ins',
      intro: 'These check-ins got no reply in time.',
      entries: byTime(input.missed).map((item) => ({
        item,
        headline: headline(item),
        details: withNote(item, [`Sent ${when(item.at)}`]),
      })),
    },
  ];
  return all.filter((section) => section.entries.length > 0);
}

function count(input: ReviewDigestInput): number {
  return input.calls.length + input.scores.length + input.reviews.length + input.missed.length;
}

function plural(n: number): string {
  return n === 1 ? '1 item' : `${n} items`;
}

const INTRO = 'Each link opens the reply or the review list in the staff console once you sign in.';
const PRIVACY = 'This email holds no answers. Do not forward it: its links open patient information.';

function textBody(input: ReviewDigestInput, parts: Section[], day: string): string {
  const lines = [
    `${plural(count(input))} to follow up at ${oneLine(input.clinic.name)}, ${day}`,
    '',
    INTRO,
    '',
  ];
  for (const section of parts) {
    lines.push(`${section.heading} (${section.entries.length})`, section.intro, '');
    section.entries.forEach(({ item, headline, details }, index) => {
      lines.push(
        `${index + 1}. ${headline}`,
        ...details.map((detail) => `   ${detail}`),
        `   ${item.link.trim()}`,
        '',
      );
    });
  }
  lines.push(PRIVACY, '');
  return lines.join('\n');
}

const LINK_STYLE = 'color:#0b5394;text-decoration:underline;font-weight:700';
const PARAGRAPH_STYLE = 'margin:0 0 16px';

function DigestEmail(props: {
  input: ReviewDigestInput;
  parts: Section[];
  subject: string;
  day: string;
}): VNode {
  const { input, parts } = props;
  return (
    <EmailDocument language="en" subject={props.subject}>
      <h1 style="font-size:22px;line-height:1.3;margin:0 0 16px">{plural(count(input))} to follow up</h1>
      <p style={PARAGRAPH_STYLE}>
        {oneLine(input.clinic.name)}, {props.day}
      </p>
      <p style={PARAGRAPH_STYLE}>{INTRO}</p>
      {parts.map((section) => (
        <>
          <h2 style="font-size:18px;line-height:1.3;margin:24px 0 8px">
            {section.heading} ({section.entries.length})
          </h2>
          <p style={PARAGRAPH_STYLE}>{section.intro}</p>
          <ol style="margin:0 0 16px;padding-left:24px">
            {section.entries.map(({ item, headline, details }) => (
              <li style={PARAGRAPH_STYLE}>
                <a href={item.link.trim()} style={LINK_STYLE}>
                  {headline}
                </a>
                {details.map((detail) => (
                  <>
                    <br />
                    {detail}
                  </>
                ))}
              </li>
            ))}
          </ol>
        </>
      ))}
      <p style="margin:0 0 16px;color:#4a5561">{PRIVACY}</p>
    </EmailDocument>
  );
}

/**
 * The daily digest email for staff: subject ("Check-ins to follow up: 3
 * (Riverside Clinic, Thu 26 Nov)"), plain text and an accessible HTML
 * document with one section per list (call requests, screener totals,
 * replies to review, missed check-ins), oldest first in each. No patient
 * name, no answer and no rule id appears anywhere. The caller sends no
 * digest on a day with nothing new.
 */
export function renderReviewDigest(input: ReviewDigestInput): ReviewDigest {
  const parts = sections(input);
  const subject = `Check-ins to follow up: ${count(input)} (${oneLine(input.clinic.name)}, ${formatStaffDay(input.date)})`;
  const day = formatStaffDay(input.date, { withYear: true });
  return {
    subject,
    text: textBody(input, parts, day),
    html: renderEmailDocument(<DigestEmail input={input} parts={parts} subject={subject} day={day} />),
  };
}
