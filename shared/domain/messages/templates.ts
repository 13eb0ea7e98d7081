import { DateTime, Duration } from 'luxon';
import type { FullBooking, Language, Treatment } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { CHECKIN_KINDS, type MessageKind } from '../../contracts/vocabulary';
import { patientZone } from '../booking/plan';
import { rememberingZone } from '../time';
import { renderEmailHtml } from './email-html';
import { gsm7Units, toGsm7 } from './gsm7';

/** Every placeholder a template may contain, written `{{name}}`. */
export const PLACEHOLDERS = [
  'firstName',
  'clinicName',
  'clinicPhone',
  'sessionDate',
  'sessionTime',
  'sessionDay',
  'location',
  'clinicianName',
  'link',
  'solidFoodCutoff',
  'clearLiquidsCutoff',
  'solidFoodHours',
  'clearLiquidsTime',
  'sessionWhen',
  'visitLength',
  'treatmentBlock',
  'readinessQuestion',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];

/** The parts of a message template (see `messageTemplateSchema`). */
export const TEMPLATE_FIELDS = ['subject', 'body', 'sms'] as const;
export type TemplateField = (typeof TEMPLATE_FIELDS)[number];

/**
 * Kinds whose message carries a link: the check-in form, or for `prep-instructions` and `prep-reminder` the
 * instructions page (with the readiness form).
 */
export const LINKED_KINDS = [
  'prep-instructions',
  'prep-reminder',
  ...CHECKIN_KINDS,
] as const satisfies readonly MessageKind[];

/** Placeholders a template of this kind must contain, per field. */
export const REQUIRED_PLACEHOLDERS: Record<
  MessageKind,
  Partial<Record<TemplateField, readonly Placeholder[]>>
> = {
  'prep-instructions': {
    body: [
      'sessionDate',
      'sessionTime',
      'solidFoodCutoff',
      'clearLiquidsCutoff',
      'clinicPhone',
      'treatmentBlock',
    ],
    // The SMS cannot hold the instructions, so it links to the signed instructions page.
    sms: ['link'],
  },
  // The day-before SMS carries the solid-food cutoff and the readiness question; the email links to the
  // readiness form (DESIGN sections 3 and 11).
  'prep-reminder': {
    body: ['sessionTime', 'link'],
    sms: ['sessionTime', 'solidFoodCutoff', 'readinessQuestion'],
  },
  'prep-day-of': { body: ['sessionTime'], sms: ['sessionTime'] },
  'checkin-same-day': { body: ['link'], sms: ['link'] },
  'checkin-next-day': { body: ['link'], sms: ['link'] },
  'checkin-week': { body: ['link'], sms: ['link'] },
};

/**
 * Which placeholders a field of a kind may use at all.
 * - Subjects are shown on lock screens: name, clinic and time only.
 * - SMS leave out location and clinician: both come from the booking system
 *   unbounded in length and unchecked for words that reveal the treatment.
 * - `{{link}}` only where a link exists (`LINKED_KINDS`), never in a subject.
 * - The treatment block, the visit length and the day-and-date are body text.
 */
export function allowedPlaceholders(kind: MessageKind, field: TemplateField): readonly Placeholder[] {
  const linked = (LINKED_KINDS as readonly MessageKind[]).includes(kind);
  if (field === 'subject')
    return ['firstName', 'clinicName', 'clinicPhone', 'sessionDate', 'sessionTime', 'sessionDay'];
  return PLACEHOLDERS.filter(
    (name) =>
      (name !== 'link' || linked) &&
      // The YES-or-NO question belongs to the day-before text alone: an answer finds its question by it.
      (name !== 'readinessQuestion' || (kind === 'prep-reminder' && field === 'sms')) &&
      (field === 'body' || !(BODY_ONLY as readonly string[]).includes(name)),
  );
}

const BODY_ONLY = ['location', 'clinicianName', 'sessionWhen', 'visitLength', 'treatmentBlock'] as const;

/** The value of every placeholder; `link` only when the message has one. */
export type PlaceholderValues = Record<Exclude<Placeholder, 'link'>, string> & { link?: string };

/** Raised when a template cannot be rendered (unknown placeholder, or `{{link}}` without a link). */
export class TemplateRenderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TemplateRenderError';
  }
}

/** Longest first name an SMS carries, so the worst case stays within one segment. */
export const SMS_FIRST_NAME_MAX = 12;

/** es-US writes "1:30 p.m.", as Spanish speakers in the US read times (DESIGN section 7), never 13:30. */
const LOCALES: Record<Language, string> = { en: 'en-US', es: 'es-US' };

/** Zone names: plain Spanish knows European abbreviations (CET) that es-US writes as GMT+1. */
const ZONE_LOCALES: Record<Language, string> = { en: 'en-US', es: 'es' };

const WORDS: Record<
  Language,
  {
    theClinic: string;
    careTeam: string;
    dayBefore: (weekday: string) => string;
    today: string;
    tomorrow: string;
    onWeekday: (weekday: string) => string;
    /** DESIGN section 11: at most 35 GSM-7 characters, so the day-before SMS stays one segment. */
    readinessQuestion: string;
  }
> = {
  en: {
    theClinic: 'the clinic',
    careTeam: 'your care team',
    dayBefore: (weekday) => ` on ${weekday}`,
    today: 'today',
    tomorrow: 'tomorrow',
    onWeekday: (weekday) => `on ${weekday}`,
    readinessQuestion: 'Ride home set? Reply YES or NO',
  },
  es: {
    theClinic: 'la clínica',
    careTeam: 'su equipo de atención',
    dayBefore: (weekday) => ` del ${weekday}`,
    today: 'hoy',
    tomorrow: 'mañana',
    onWeekday: (weekday) => `el ${weekday}`,
    readinessQuestion: 'Transporte listo? Responda SI o NO',
  },
};

/** The day-before SMS's YES-or-NO question in a language (DESIGN section 11). */
export function readinessQuestionText(language: Language): string {
  return WORDS[language].readinessQuestion;
}

/**
 * When the session is, seen from the moment the message is sent: "today",
 * "tomorrow" or "on Thursday". A reminder moved out of quiet hours can go two
 * evenings before, so "tomorrow" is never written into a template.
 */
export function formatSessionDay(start: DateTime, sentAt: DateTime, language: Language): string {
  const words = WORDS[language];
  const days = calendarDay(start).diff(calendarDay(sentAt.setZone(start.zone)), 'days').days;
  if (days === 0) return words.today;
  if (days === 1) return words.tomorrow;
  return words.onWeekday(start.setLocale(localeFor(language)).toFormat('cccc'));
}

/**
 * The session's day and date in one phrase, the weekday said once:
 * "tomorrow, Thursday, March 12, 2026" or "on Thursday, March 12, 2026"
 * ("mañana, jueves, 12 de marzo de 2026" / "el jueves, 12 de marzo de 2026").
 */
export function formatSessionWhen(start: DateTime, sentAt: DateTime, language: Language): string {
  const words = WORDS[language];
  const date = formatSessionDate(start, language);
  const day = formatSessionDay(start, sentAt, language);
  return day === words.today || day === words.tomorrow ? `${day}, ${date}` : words.onWeekday(date);
}

/** The local calendar date of `at` as a UTC midnight: whole days apart, with no zone offsets to look up. */
function calendarDay(at: DateTime): DateTime {
  return DateTime.utc(at.year, at.month, at.day);
}

/** The Intl locale used for dates and times in a language. */
export function localeFor(language: Language): string {
  return LOCALES[language];
}

/** ICU puts narrow no-break spaces in "9:30 AM"; plain spaces keep text, HTML and SMS alike. */
function plainSpaces(text: string): string {
  return text.replace(/[\u00A0\u202F]/g, ' ');
}

/** Long date, e.g. "Wednesday, September 17, 2025" / "miércoles, 17 de septiembre de 2025". */
export function formatSessionDate(at: DateTime, language: Language): string {
  return plainSpaces(at.setLocale(localeFor(language)).toLocaleString(DateTime.DATE_HUGE));
}

/** Clock time without zone, e.g. "9:30 AM" / "9:30". */
export function formatClockTime(at: DateTime, language: Language): string {
  return plainSpaces(at.setLocale(localeFor(language)).toLocaleString(DateTime.TIME_SIMPLE));
}

/**
 * Short zone name for `at`. Spanish ICU names US zones only as "GMT-4", so a
 * letter abbreviation from en-US (EDT) is preferred when the locale has none.
 */
export function formatZoneLabel(at: DateTime, language: Language): string {
  const own = shortZoneName(at, ZONE_LOCALES[language]);
  if (!/^(GMT|UTC)[+\-−]/.test(own)) return own;
  const english = shortZoneName(at, 'en-US');
  return /^(GMT|UTC)[+\-−]/.test(english) ? own : english;
}

/** Formatters by locale and zone: Luxon's `offsetNameShort` builds a new one on every call. */
const zoneNameFormats = new Map<string, Intl.DateTimeFormat>();
const ZONE_NAME_FORMATS_LIMIT = 500;

function shortZoneName(at: DateTime, locale: string): string {
  // Only IANA names are Intl zones; a fixed offset ("UTC+5") keeps Luxon's own label.
  if (at.zone.type !== 'iana') return at.setLocale(locale).offsetNameShort ?? '';
  const zone = at.zone.name;
  const key = `${locale}|${zone}`;
  let format = zoneNameFormats.get(key);
  if (format === undefined) {
    if (zoneNameFormats.size >= ZONE_NAME_FORMATS_LIMIT) zoneNameFormats.clear();
    format = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    zoneNameFormats.set(key, format);
  }
  return format.formatToParts(at.toMillis()).find((part) => part.type === 'timeZoneName')?.value ?? '';
}

/** Clock time with its zone, e.g. "9:30 AM EDT" / "9:30 EDT". */
export function formatSessionTime(at: DateTime, language: Language): string {
  return `${formatClockTime(at, language)} ${formatZoneLabel(at, language)}`.trim();
}

/** A fasting cutoff: the clock time, plus the weekday when it falls before the session's day ("9:00 PM on Tuesday"). */
export function formatCutoff(cutoff: DateTime, sessionStart: DateTime, language: Language): string {
  const time = formatClockTime(cutoff, language);
  if (cutoff.toISODate() === sessionStart.toISODate()) return time;
  return time + WORDS[language].dayBefore(cutoff.setLocale(localeFor(language)).toFormat('cccc'));
}

/** A duration in words, e.g. "2 hours", "1 hour and 30 minutes", "30 minutos". */
export function formatDuration(minutes: number, language: Language): string {
  const whole = Math.round(minutes);
  const parts = { hours: Math.floor(whole / 60), minutes: whole % 60 };
  const shown =
    whole === 0 ? { minutes: 0 } : Object.fromEntries(Object.entries(parts).filter(([, n]) => n > 0));
  return plainSpaces(
    Duration.fromObject(shown)
      .reconfigure({ locale: localeFor(language) })
      .toHuman({ listStyle: 'long' }),
  );
}

/** The fasting rule for a treatment: its own entry, else the default. */
export function fastingFor(config: ClinicConfig, treatment: Treatment) {
  return config.preparation.fasting[treatment] ?? config.preparation.fasting.default;
}

/** The preparation block for a treatment in a language: its own entry, else the default (DESIGN section 3). */
export function treatmentBlockFor(config: ClinicConfig, treatment: Treatment, language: Language): string {
  return (config.preparation.byTreatment[treatment] ?? config.preparation.byTreatment.default)[language];
}

/** A whole line `{{treatmentBlock}}` in a body: replaced by the treatment's block before the body is read. */
const TREATMENT_BLOCK_LINE = /^[ \t]*\{\{\s*treatmentBlock\s*\}\}[ \t]*$/m;

/** The body with its `{{treatmentBlock}}` line replaced by the booking's treatment block, so the block's own paragraphs and lists stay blocks. */
export function expandTreatmentBlock(body: string, config: ClinicConfig, booking: FullBooking): string {
  const block = treatmentBlockFor(config, booking.session.treatment, booking.patient.language);
  return body
    .replace(/\r\n?/g, '\n')
    .replace(TREATMENT_BLOCK_LINE, () => block.replace(/\r\n?/g, '\n').trim());
}

/** The clinic as SMS name it: `clinic.smsName`, else its name (validation keeps it within 20 characters). */
export function smsClinicName(config: ClinicConfig): string {
  return config.clinic.smsName ?? config.clinic.name;
}

/**
 * Booking-system text is untrusted: collapse line breaks and control
 * characters (no header or layout injection) and drop bidi overrides (no
 * visual spoofing). HTML escaping happens later, per output.
 */
function cleanValue(text: string): string {
  return text
    .replace(/[\u202A-\u202E\u2066-\u2069]/g, '')
    .replace(/[\s\p{Cc}]+/gu, ' ')
    .trim();
}

/** Computes every placeholder value for a booking, in the patient's language and time zone. */
export function placeholderValues(input: {
  config: ClinicConfig;
  booking: FullBooking;
  link?: string;
  /** When the message is sent (ISO); `sessionDay` is relative to it. @default the session's day before */
  now?: string;
}): PlaceholderValues {
  const { config, booking, link } = input;
  const { session, patient } = booking;
  const language = patient.language;
  const words = WORDS[language];
  const zone = rememberingZone(patientZone(booking));
  const start = DateTime.fromISO(session.startsAt).setZone(zone);
  const fasting = fastingFor(config, session.treatment);
  const solidCutoff = start.minus({ minutes: Math.round(fasting.solidFoodHours * 60) });
  const liquidsCutoff = start.minus({ minutes: fasting.clearLiquidsMinutes });
  const location = session.location ?? config.clinic.address;
  const sentAt = input.now ? DateTime.fromISO(input.now) : start.minus({ days: 1 });
  return {
    firstName: cleanValue(patient.firstName),
    clinicName: cleanValue(config.clinic.name),
    clinicPhone: cleanValue(config.clinic.phone),
    sessionDate: formatSessionDate(start, language),
    sessionTime: formatSessionTime(start, language),
    sessionDay: formatSessionDay(start, sentAt, language),
    sessionWhen: formatSessionWhen(start, sentAt, language),
    // The session and about an hour of recovery (DESIGN section 3).
    visitLength: formatDuration(session.durationMinutes + 60, language),
    treatmentBlock: treatmentBlockFor(config, session.treatment, language),
    location: (location && cleanValue(location)) || words.theClinic,
    clinicianName: (session.clinicianName && cleanValue(session.clinicianName)) || words.careTeam,
    solidFoodCutoff: formatCutoff(solidCutoff, start, language),
    clearLiquidsCutoff: formatCutoff(liquidsCutoff, start, language),
    solidFoodHours: formatDuration(fasting.solidFoodHours * 60, language),
    clearLiquidsTime: formatDuration(fasting.clearLiquidsMinutes, language),
    readinessQuestion: words.readinessQuestion,
    ...(link === undefined ? {} : { link }),
  };
}

/** A template split into literal text and placeholders. */
type Token = { text: string } | { name: Placeholder };

const PLACEHOLDER_PATTERN = /\{\{\s*([^{}]*?)\s*\}\}/g;

/**
 * Lists the placeholder names in a template (trimmed, known or not) and
 * whether braces are left over that do not form a `{{name}}`.
 */
export function scanPlaceholders(template: string): { names: string[]; strayBraces: boolean } {
  const names = [...template.matchAll(PLACEHOLDER_PATTERN)].map((match) => match[1] ?? '');
  const strayBraces = /\{\{|\}\}/.test(template.replace(PLACEHOLDER_PATTERN, ''));
  return { names, strayBraces };
}

function isPlaceholder(name: string): name is Placeholder {
  return (PLACEHOLDERS as readonly string[]).includes(name);
}

function tokenize(template: string): Token[] {
  const tokens: Token[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] ?? '';
    if (!isPlaceholder(name)) throw new TemplateRenderError(`unknown placeholder {{${name}}}`);
    if (match.index > last) tokens.push({ text: template.slice(last, match.index) });
    tokens.push({ name });
    last = match.index + match[0].length;
  }
  if (last < template.length) tokens.push({ text: template.slice(last) });
  return tokens;
}

function valueFor(values: PlaceholderValues, name: Placeholder): string {
  const value = values[name];
  if (value === undefined)
    throw new TemplateRenderError(`{{${name}}} is used but the message has no ${name}`);
  return value;
}

/** Replaces every `{{name}}` in `template`; throws `TemplateRenderError` for unknown names or a missing link. */
export function fillTemplate(template: string, values: PlaceholderValues): string {
  return tokenize(template)
    .map((token) => ('text' in token ? token.text : valueFor(values, token.name)))
    .join('');
}

/** The first name as an SMS carries it: GSM-7, at most 12 characters and 12 units. */
export function smsFirstName(firstName: string): string {
  let out = '';
  for (const char of toGsm7(cleanValue(firstName))) {
    if ((gsm7Units(out + char) ?? Infinity) > SMS_FIRST_NAME_MAX) break;
    out += char;
  }
  return out.trim();
}

/** Renders an SMS template from values: the first name shortened, the whole text transliterated to GSM-7. */
export function renderSmsText(template: string, values: PlaceholderValues): string {
  return toGsm7(fillTemplate(template, { ...values, firstName: smsFirstName(values.firstName) }));
}

/** Only the clinic's own template text is linkified; patient-supplied values never become links. */
const URL_PATTERN = /https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)]/g;

/** A run of text in an email body line, or a link (the message's own link, the clinic's phone, a URL the clinic wrote). */
export type Inline = { text: string } | { href: string; label: string };

/** A block of an email body: a paragraph of lines, or a list of items, each a line of inlines. */
export type BodyBlock = { type: 'paragraph'; lines: Inline[][] } | { type: 'list'; items: Inline[][] };

function literalInlines(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    if (match.index > last) out.push({ text: text.slice(last, match.index) });
    out.push({ href: match[0], label: match[0] });
    last = match.index + match[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

function lineInlines(line: string, values: PlaceholderValues): Inline[] {
  return tokenize(line).flatMap((token): Inline[] => {
    if ('text' in token) return literalInlines(token.text);
    const value = valueFor(values, token.name);
    if (token.name === 'link') return [{ href: value, label: value }];
    if (token.name === 'clinicPhone') return [{ href: `tel:${value.replace(/[^\d+]/g, '')}`, label: value }];
    return [{ text: value }];
  });
}

/**
 * A template body as blocks, placeholders filled: a blank line ends a
 * paragraph, "- " lines make a list, a single newline is a line break.
 */
export function bodyBlocks(body: string, values: PlaceholderValues): BodyBlock[] {
  const chunks = body
    .replace(/\r\n?/g, '\n')
    .split(/\n[ \t]*\n/)
    .map((block) => block.split('\n').map((line) => line.trimEnd()))
    .filter((lines) => lines.some((line) => line !== ''));
  const blocks: BodyBlock[] = [];
  for (const lines of chunks) {
    let paragraph: Inline[][] = [];
    let items: Inline[][] = [];
    const flush = () => {
      if (paragraph.length > 0) blocks.push({ type: 'paragraph', lines: paragraph });
      if (items.length > 0) blocks.push({ type: 'list', items });
      paragraph = [];
      items = [];
    };
    for (const line of lines) {
      const item = /^\s*- (.*)$/.exec(line);
      if (item) {
        if (paragraph.length > 0) flush();
        items.push(lineInlines(item[1] ?? '', values));
      } else {
        if (items.length > 0) flush();
        paragraph.push(lineInlines(line.trim(), values));
      }
    }
    flush();
  }
  return blocks;
}

export interface RenderInput {
  config: ClinicConfig;
  kind: MessageKind;
  booking: FullBooking;
  /** The signed page for this message (check-in form or instructions); needed where the template has `{{link}}`. */
  link?: string;
  /** When the message is sent (ISO), for `{{sessionDay}}`. */
  now?: string;
}

export interface RenderedEmail {
  channel: 'email';
  subject: string;
  text: string;
  html: string;
}

export interface RenderedSms {
  channel: 'sms';
  /** GSM-7 text. */
  text: string;
  /** GSM-7 units (160 fit one segment); `validateClinicConfig` guarantees one segment for valid input. */
  units: number;
}

/** A booking's email of one kind in the patient's language, before it becomes HTML: subject, plain text, body blocks. */
export interface EmailContent {
  subject: string;
  text: string;
  blocks: BodyBlock[];
}

/** Fills a booking's email template of one kind: subject, plain text and the body as blocks. */
export function emailContent(input: RenderInput): EmailContent {
  const template = input.config.templates[input.booking.patient.language][input.kind];
  const values = placeholderValues(input);
  const body = expandTreatmentBlock(template.body, input.config, input.booking);
  return {
    subject: cleanValue(fillTemplate(template.subject, values)),
    text: fillTemplate(body, values),
    blocks: bodyBlocks(body, values),
  };
}

/** Renders a booking's email of one kind in the patient's language: subject, plain text and an accessible HTML document. */
export function renderEmail(input: RenderInput): RenderedEmail {
  const { subject, text, blocks } = emailContent(input);
  const html = renderEmailHtml(input.booking.patient.language, subject, blocks);
  return { channel: 'email', subject, text, html };
}

/** Renders a booking's SMS of one kind in the patient's language, as GSM-7 text. */
export function renderSms(input: RenderInput): RenderedSms {
  const template = input.config.templates[input.booking.patient.language][input.kind];
  const values = { ...placeholderValues(input), clinicName: cleanValue(smsClinicName(input.config)) };
  const text = renderSmsText(template.sms, values);
  return { channel: 'sms', text, units: gsm7Units(text) ?? 0 };
}

/** Renders one message on one channel; see `renderEmail` and `renderSms`. */
export function renderMessage(input: RenderInput & { channel: 'email' }): RenderedEmail;
export function renderMessage(input: RenderInput & { channel: 'sms' }): RenderedSms;
export function renderMessage(input: RenderInput & { channel: 'email' | 'sms' }): RenderedEmail | RenderedSms;
export function renderMessage(
  input: RenderInput & { channel: 'email' | 'sms' },
): RenderedEmail | RenderedSms {
  return input.channel === 'email' ? renderEmail(input) : renderSms(input);
}
