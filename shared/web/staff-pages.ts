import { createHash } from 'node:crypto';
import type { FullBooking, Language, Treatment } from '../contracts/booking-events';
import { GAD7_ITEMS, PHQ9_ITEMS, SIDE_EFFECTS } from '../contracts/vocabulary';
import { checkinKindLabel, formatStaffTime, MAX_ESCALATIONS } from '../domain/alerts/staff-wording';
import { telHref } from '../domain/checkins/crisis-resources';
import type { AlertRecord, StoredReply } from '../domain/ports';
import { escapeHtml } from './html';
import { t } from './i18n';
import { PAGE_STYLE, pageDocument, pageSecurityHeaders } from './patient-pages';

/*
 * Server-rendered staff pages behind a signed staff link (DESIGN section 8):
 * the urgent alert with its acknowledge form, and the view of one reply from
 * the review digest. English (the staff language), no JavaScript, phone
 * first. The answers are shown with the English wording the patient form
 * uses (i18n), so staff read what the patient was asked. Every interpolated
 * value goes through `escapeHtml`; the patient's note and the booking's
 * names and places are untrusted text.
 */

/**
 * The stylesheet of every staff page: the patient pages' `PAGE_STYLE` (same
 * look, contrast, focus and tap targets) plus what staff pages add: status
 * banners, answer lists, the note, a text input and screener tables.
 */
export const STAFF_PAGE_STYLE = [
  PAGE_STYLE,
  '.status{border-left:.375rem solid #6b7785;background:#f4f6f8;padding:.75rem 1rem;margin:0 0 1.5rem}',
  '.status p:last-child{margin-bottom:0}',
  '.status-urgent{border-color:#a4161a;background:#fdf0f0}',
  '.status-done{border-color:#1b6e3a;background:#edf7f0}',
  '.answers{margin:0 0 1rem}',
  '.answers dt{font-weight:700;margin:1rem 0 .25rem}',
  '.answers dd{margin:0}',
  '.answers ul{margin:0}',
  '.flag{color:#8a1116;font-weight:700}',
  '.note{border-left:.25rem solid #6b7785;background:#f4f6f8;margin:0;padding:.5rem .75rem}',
  'code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:1rem;overflow-wrap:anywhere}',
  'input[type="text"]{display:block;width:100%;min-height:2.75rem;margin:0 0 1rem;padding:.5rem .75rem;border:2px solid #6b7785;border-radius:.5rem;background:#fff;color:#1f2933}',
  'table{border-collapse:collapse;width:100%;margin:0 0 1rem}',
  'th,td{text-align:left;vertical-align:top;padding:.375rem .5rem;border-bottom:1px solid #d5dbe1}',
  'summary{cursor:pointer;min-height:2.75rem;padding:.5rem 0;color:#0b5394;font-weight:700}',
].join('\n');

/** The CSP source that allows exactly `STAFF_PAGE_STYLE`, computed once at module load. */
export const STAFF_PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(STAFF_PAGE_STYLE, 'utf8').digest('base64')}`;

/**
 * Response headers for every staff page (and the JSON answers of the same
 * URL). Use these, not `PAGE_SECURITY_HEADERS`: the style hash differs.
 */
export const STAFF_PAGE_SECURITY_HEADERS = pageSecurityHeaders(STAFF_PAGE_STYLE_HASH);

const TREATMENT_LABELS: Readonly<Record<Treatment, string>> = {
  'iv-ketamine': 'IV ketamine',
  'im-ketamine': 'IM ketamine',
  'esketamine-nasal': 'Esketamine nasal spray',
  kap: 'Ketamine-assisted psychotherapy',
  other: 'Other',
};

const LANGUAGE_LABELS: Readonly<Record<Language, string>> = { en: 'English', es: 'Spanish' };

// ---------------------------------------------------------------------------
// Building blocks

interface StaffDocumentInput {
  title: string;
  clinicName?: string;
  main: string;
}

/** A complete staff page: doctype, English, viewport, one title, the staff style, banner, main and footer. */
function staffDocument(input: StaffDocumentInput): string {
  const title = input.clinicName ? `${input.title} – ${input.clinicName} staff` : input.title;
  const header = input.clinicName
    ? `<header class="site-header"><p>${escapeHtml(input.clinicName)} · Staff</p></header>`
    : '';
  return pageDocument({
    lang: 'en',
    title,
    style: STAFF_PAGE_STYLE,
    header,
    main: input.main,
    footer:
      '<footer class="site-footer"><p>This page shows patient health information. Do not forward or share its link.</p></footer>',
  });
}

/** Untrusted text with its line breaks kept: each line escaped, joined by `<br>`. */
function multiline(text: string): string {
  return text.replace(/\r\n?/g, '\n').split('\n').map(escapeHtml).join('<br>\n');
}

function term(label: string, value: string): string {
  return `<dt>${escapeHtml(label)}</dt>\n<dd>${value}</dd>`;
}

function yesNo(answer: boolean, flagYes: boolean): string {
  if (!answer) return 'No';
  return flagYes ? '<span class="flag">Yes</span>' : 'Yes';
}

function bandWords(band: string): string {
  return band.replace(/-/g, ' ');
}

function ruleList(rules: readonly string[], descriptions: Readonly<Record<string, string>>): string {
  if (rules.length === 0) return '<p>No triage rule fired.</p>';
  const items = rules.map((id) => {
    const description = descriptions[id];
    return `<li><code>${escapeHtml(id)}</code>${description ? `: ${escapeHtml(description)}` : ''}</li>`;
  });
  return `<ul>\n${items.join('\n')}\n</ul>`;
}

type Instrument = 'phq9' | 'gad7';

function screenerItemText(instrument: Instrument, index: number): string {
  return instrument === 'phq9'
    ? t('en', `phq9.${index as 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8}`)
    : t('en', `gad7.${index as 0 | 1 | 2 | 3 | 4 | 5 | 6}`);
}

function screenerOptionText(instrument: Instrument, score: number): string {
  if (!Number.isInteger(score) || score < 0 || score > 3) return String(score);
  return `${t('en', `${instrument}.option.${score as 0 | 1 | 2 | 3}`)} (${score})`;
}

/** A screener's total and band, item 9 for the PHQ-9, and every item behind a `<details>`. */
function screenerAnswers(reply: StoredReply, instrument: Instrument): string {
  const name = instrument === 'phq9' ? 'PHQ-9' : 'GAD-7';
  const items = reply.answers[instrument];
  const score = reply.scores[instrument];
  if (!items && !score) return '';
  const parts: string[] = [];
  if (score) {
    parts.push(
      `<p>Total ${score.total} of ${instrument === 'phq9' ? 27 : 21}: ${escapeHtml(bandWords(score.band))}</p>`,
    );
  }
  const count = instrument === 'phq9' ? PHQ9_ITEMS : GAD7_ITEMS;
  if (items) {
    if (instrument === 'phq9' && items[8] !== undefined) {
      const flagged = items[8] >= 1;
      const answer = escapeHtml(screenerOptionText('phq9', items[8]));
      parts.push(
        `<p>Item 9, “${escapeHtml(screenerItemText('phq9', 8))}”: ${flagged ? `<span class="flag">${answer}</span>` : answer}</p>`,
      );
    }
    const rows = items.slice(0, count).map((value, index) => {
      return `<tr><td>${index + 1}. ${escapeHtml(screenerItemText(instrument, index))}</td><td>${escapeHtml(screenerOptionText(instrument, value))}</td></tr>`;
    });
    parts.push(
      [
        `<details><summary>All ${name} answers</summary>`,
        `<table>\n<caption class="sr-only">${name} answers</caption>`,
        '<thead><tr><th scope="col">Question</th><th scope="col">Answer</th></tr></thead>',
        `<tbody>\n${rows.join('\n')}\n</tbody>\n</table>`,
        '</details>',
      ].join('\n'),
    );
  }
  return term(name, parts.join('\n'));
}

/** Every answer of a reply in plain English, as a definition list. */
function replyAnswers(reply: StoredReply, booking: FullBooking): string {
  const { answers } = reply;
  const effects = SIDE_EFFECTS.flatMap((effect) => {
    const severity = answers.sideEffects[effect];
    if (severity === undefined || severity === 'none') return [];
    const label = `${t('en', `sideEffect.${effect}`)}: ${t('en', `severity.${severity}`)}`;
    return [
      `<li>${severity === 'severe' ? `<span class="flag">${escapeHtml(label)}</span>` : escapeHtml(label)}</li>`,
    ];
  });
  const noteLang = booking.patient.language === 'en' ? '' : ` lang="${booking.patient.language}"`;
  const note =
    answers.note !== undefined && answers.note.trim() !== ''
      ? `<blockquote class="note"${noteLang}><p>${multiline(answers.note)}</p></blockquote>`
      : 'No note.';
  return [
    '<dl class="answers">',
    term('Mood (0 worst, 10 best)', `${escapeHtml(String(answers.mood))} / 10`),
    term(
      'Side effects since the session',
      effects.length > 0 ? `<ul>\n${effects.join('\n')}\n</ul>` : 'None reported.',
    ),
    term(t('en', 'form.selfHarm.legend'), yesNo(answers.selfHarm === 'yes', true)),
    term('Asked for a call (“Please call me”)', yesNo(answers.wantsCall, true)),
    term('Note from the patient', note),
    screenerAnswers(reply, 'phq9'),
    screenerAnswers(reply, 'gad7'),
    '</dl>',
  ]
    .filter(Boolean)
    .join('\n');
}

interface ClinicView {
  name: string;
  timeZone: string;
}

/** The check-in, when it came, what was reported and which rules fired. */
function replySection(
  reply: StoredReply,
  booking: FullBooking,
  clinic: ClinicView,
  descriptions: Readonly<Record<string, string>>,
): string {
  return [
    '<h2>What was reported</h2>',
    `<p>${escapeHtml(capitalise(checkinKindLabel(reply.kind)))}, received ${escapeHtml(formatStaffTime(reply.receivedAt, clinic.timeZone))}. Triage: <strong>${escapeHtml(reply.triage)}</strong>.</p>`,
    replyAnswers(reply, booking),
    '<h2>Why it was flagged</h2>',
    '<p>Triage rules that fired:</p>',
    ruleList(reply.rules, descriptions),
  ].join('\n');
}

/** First name, phone (tap to call) and email (tap to write), and the language the patient uses. */
function contactSection(booking: FullBooking): string {
  const { patient } = booking;
  const rows = [term('First name', escapeHtml(patient.firstName))];
  if (patient.phone) {
    rows.push(
      term('Phone', `<a href="${escapeHtml(telHref(patient.phone))}">${escapeHtml(patient.phone)}</a>`),
    );
  }
  if (patient.email) {
    rows.push(
      term('Email', `<a href="${escapeHtml(`mailto:${patient.email}`)}">${escapeHtml(patient.email)}</a>`),
    );
  }
  rows.push(term('Language', LANGUAGE_LABELS[patient.language]));
  return ['<h2>How to reach the patient</h2>', `<dl class="answers">\n${rows.join('\n')}\n</dl>`].join('\n');
}

/** The session the check-in follows: when (clinic time zone), treatment, location, clinician. */
function sessionSection(booking: FullBooking, clinic: ClinicView): string {
  const { session } = booking;
  const rows = [
    term('Booking reference', `<code>${escapeHtml(booking.bookingId)}</code>`),
    term('Date and time', escapeHtml(formatStaffTime(session.startsAt, clinic.timeZone))),
    term('Treatment', escapeHtml(TREATMENT_LABELS[session.treatment])),
  ];
  if (session.location) rows.push(term('Location', escapeHtml(session.location)));
  if (session.clinicianName) rows.push(term('Clinician', escapeHtml(session.clinicianName)));
  return ['<h2>Session</h2>', `<dl class="answers">\n${rows.join('\n')}\n</dl>`].join('\n');
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

// ---------------------------------------------------------------------------
// Alert page

/** The alert as the staff page shows it (an `AlertRecord` fits). */
export type StaffAlertView = Pick<
  AlertRecord,
  'alertId' | 'state' | 'createdAt' | 'escalations' | 'acknowledgedAt' | 'acknowledgedBy'
>;

export interface AlertPageInput {
  alert: StaffAlertView;
  reply: StoredReply;
  booking: FullBooking;
  clinic: ClinicView;
  /** Where the acknowledge form posts: the signed staff link itself. */
  action: string;
  /** The page answering this viewer's own acknowledgement. */
  justAcknowledged?: boolean;
  /** The page answering an acknowledgement that came second: someone else acknowledged first. */
  alreadyAcknowledged?: boolean;
  /** Triage rule descriptions by id (from the clinic config), shown next to each rule id. */
  ruleDescriptions?: Readonly<Record<string, string>>;
  /** @default 4 (DESIGN section 8) */
  maxEscalations?: number;
}

function isAcknowledged(alert: StaffAlertView): boolean {
  return alert.state === 'acknowledged' || alert.acknowledgedAt !== undefined;
}

function acknowledgerText(alert: StaffAlertView, timeZone: string): string {
  const who = alert.acknowledgedBy?.trim() ? alert.acknowledgedBy.trim() : 'a staff member (no name given)';
  const when = alert.acknowledgedAt ? ` at ${formatStaffTime(alert.acknowledgedAt, timeZone)}` : '';
  return `${who}${when}`;
}

function alertStatus(input: AlertPageInput, max: number): string {
  const { alert, clinic } = input;
  if (isAcknowledged(alert)) {
    const by = escapeHtml(acknowledgerText(alert, clinic.timeZone));
    const lines = [`<p class="lead">Acknowledged by ${by}.</p>`];
    if (input.alreadyAcknowledged) {
      lines.push(
        '<p>Someone else acknowledged this alert first, so your acknowledgement changed nothing.</p>',
      );
    } else if (input.justAcknowledged) {
      lines.push('<p>Thank you. Escalation has stopped. Acknowledging does not contact the patient.</p>');
    }
    return `<div class="status status-done">\n${lines.join('\n')}\n</div>`;
  }
  const escalation =
    alert.escalations > 0
      ? `Escalated ${alert.escalations === 1 ? 'once' : `${alert.escalations} times`} so far (at most ${max}).`
      : `Not escalated yet. It escalates if nobody acknowledges it (at most ${max} times).`;
  const delivery = alert.state === 'pending' ? ' The alert message is still being delivered to staff.' : '';
  return [
    '<div class="status status-urgent">',
    '<p class="lead">Not acknowledged yet.</p>',
    `<p>${escapeHtml(escalation + delivery)} Raised ${escapeHtml(formatStaffTime(alert.createdAt, clinic.timeZone))}.</p>`,
    '</div>',
  ].join('\n');
}

function acknowledgeForm(action: string): string {
  return [
    '<h2 id="acknowledge-heading">Acknowledge</h2>',
    '<p id="by-hint" class="hint">Acknowledge once you are taking care of this patient: your name tells colleagues who is. Acknowledging stops the escalation; it does not contact the patient.</p>',
    `<form method="post" action="${escapeHtml(action)}" accept-charset="utf-8" aria-labelledby="acknowledge-heading">`,
    '<label class="label" for="by">Your name</label>',
    '<input type="text" id="by" name="by" autocomplete="name" maxlength="100" aria-describedby="by-hint">',
    '<button type="submit" class="button">Acknowledge</button>',
    '</form>',
  ].join('\n');
}

function alertDetails(input: AlertPageInput, max: number): string {
  const { alert, reply, clinic } = input;
  const state = {
    pending: 'Pending (being delivered)',
    open: 'Open (not acknowledged)',
    escalated: 'Escalated (not acknowledged)',
    acknowledged: 'Acknowledged',
  }[alert.state];
  const rows = [
    term('Alert', `<code>${escapeHtml(alert.alertId)}</code>`),
    term('State', escapeHtml(state)),
    term('Raised', escapeHtml(formatStaffTime(alert.createdAt, clinic.timeZone))),
    term('Escalations sent', escapeHtml(`${alert.escalations} of at most ${max}`)),
    term('Reply', `<code>${escapeHtml(reply.replyId)}</code>`),
  ];
  return ['<h2>Alert details</h2>', `<dl class="answers">\n${rows.join('\n')}\n</dl>`].join('\n');
}

/**
 * The staff page of an urgent alert: its state (acknowledged by whom and
 * when, prominently, or not yet and how often it escalated), what the
 * patient reported (every answer in plain English, the note escaped with
 * its line breaks), which triage rules fired, how to reach the patient
 * (tap to call or write), the session, and, until someone acknowledges, a
 * form posting `by` ("Your name") to `action`.
 *
 * `justAcknowledged` thanks the viewer for their acknowledgement;
 * `alreadyAcknowledged` says someone else acknowledged first, and who.
 */
export function renderAlertPage(input: AlertPageInput): string {
  const { alert, reply, booking, clinic } = input;
  const max = input.maxEscalations ?? MAX_ESCALATIONS;
  const acknowledged = isAcknowledged(alert);
  const main = [
    `<h1>Urgent check-in reply${acknowledged ? ': acknowledged' : ''}</h1>`,
    alertStatus(input, max),
    replySection(reply, booking, clinic, input.ruleDescriptions ?? {}),
    contactSection(booking),
    acknowledged ? '' : acknowledgeForm(input.action),
    sessionSection(booking, clinic),
    alertDetails(input, max),
  ]
    .filter(Boolean)
    .join('\n');
  const title = acknowledged ? 'Urgent check-in reply (acknowledged)' : 'Urgent check-in reply';
  return staffDocument({ title, clinicName: clinic.name, main });
}

// ---------------------------------------------------------------------------
// Reply page

export interface ReplyPageInput {
  reply: StoredReply;
  booking: FullBooking;
  clinic: ClinicView;
  /** Triage rule descriptions by id (from the clinic config), shown next to each rule id. */
  ruleDescriptions?: Readonly<Record<string, string>>;
}

/**
 * The staff view of one stored reply (the review digest links here): what
 * was reported, which rules fired, how to reach the patient and the
 * session. Read only: there is nothing to acknowledge.
 */
export function renderReplyPage(input: ReplyPageInput): string {
  const { reply, booking, clinic } = input;
  const heading = reply.triage === 'review' ? 'Check-in reply to review' : `Check-in reply (${reply.triage})`;
  const urgentNote =
    reply.alertId !== undefined
      ? `<div class="status status-urgent"><p>This reply raised an urgent alert (<code>${escapeHtml(reply.alertId)}</code>). Use the link in the alert message to acknowledge it.</p></div>`
      : '';
  const main = [
    `<h1>${escapeHtml(heading)}</h1>`,
    urgentNote,
    replySection(reply, booking, clinic, input.ruleDescriptions ?? {}),
    contactSection(booking),
    sessionSection(booking, clinic),
    '<h2>Reply details</h2>',
    `<dl class="answers">\n${term('Reply', `<code>${escapeHtml(reply.replyId)}</code>`)}\n</dl>`,
  ]
    .filter(Boolean)
    .join('\n');
  return staffDocument({ title: heading, clinicName: clinic.name, main });
}

// ---------------------------------------------------------------------------
// Link problems

/** What went wrong with a staff link: tampered or malformed, past its expiry, or pointing at nothing. */
export type StaffLinkProblem = 'invalid' | 'expired' | 'not-found';

export interface StaffLinkProblemInput {
  problem: StaffLinkProblem;
  /** Shown in the banner when the clinic is known. */
  clinicName?: string;
}

const STAFF_PROBLEMS: Readonly<Record<StaffLinkProblem, { title: string; body: string }>> = {
  invalid: {
    title: 'This link does not work',
    body: 'The link may be incomplete. Open it again from the alert or digest message, and make sure you use the whole link.',
  },
  expired: {
    title: 'This link has expired',
    body: 'To keep patient information private, staff links only work for a few days. Look the patient up in the clinic’s own records instead.',
  },
  'not-found': {
    title: 'We could not find this page',
    body: 'The alert or reply this link points to could not be found.',
  },
};

/**
 * A plain page for a staff link that cannot be used: what happened and what
 * to do, never a technical detail. It reminds staff that an urgent patient
 * still needs a call whatever happened to the link.
 */
export function renderStaffLinkProblemPage(input: StaffLinkProblemInput): string {
  const { title, body } = STAFF_PROBLEMS[input.problem];
  const main = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>${escapeHtml(body)}</p>`,
    '<p>If this was about an urgent alert, make sure someone on the care team contacts the patient.</p>',
  ].join('\n');
  return staffDocument({ title, ...(input.clinicName ? { clinicName: input.clinicName } : {}), main });
}
