import { DateTime } from 'luxon';
import { type FullBooking, LANGUAGES, type Language } from '../../contracts/booking-events';
import { type ClinicConfig, ClinicConfigError, parseClinicConfig } from '../../contracts/clinic-config';
import { MESSAGE_KINDS, type MessageKind } from '../../contracts/vocabulary';
import { GSM7_SEGMENT_UNITS, gsm7Units, toGsm7 } from './gsm7';
import {
  allowedPlaceholders,
  formatClockTime,
  formatCutoff,
  formatDuration,
  formatSessionDate,
  formatSessionDay,
  formatZoneLabel,
  PLACEHOLDERS,
  type PlaceholderValues,
  REQUIRED_PLACEHOLDERS,
  type RenderedEmail,
  type RenderedSms,
  readinessQuestionText,
  renderEmail,
  renderSms,
  renderSmsText,
  scanPlaceholders,
  smsClinicName,
  TEMPLATE_FIELDS,
  type TemplateField,
} from './templates';
import { LINK_TOKEN_LENGTH } from './tokens';

/** The clinic's name in an SMS (DESIGN section 3): at most this many GSM-7 characters. */
export const SMS_CLINIC_NAME_MAX = 20;

/**
 * Words an SMS or email subject must not contain (DESIGN section 8, minimum
 * necessary PHI): drugs (generic and brand), diagnoses, symptoms and
 * treatment words that reveal them, in English and Spanish. Matched as whole
 * words, ignoring case and accents; a trailing `*` matches any ending.
 */
export const SENSITIVE_TERMS: readonly string[] = [
  // drugs and drug classes
  'ketamine',
  'esketamine',
  'arketamine',
  'ketamina',
  'esketamina',
  'ketamin',
  'spravato',
  'ketalar',
  'ketaset',
  'vetalar',
  'special k',
  'benzodiazepin*',
  'benzo',
  'benzos',
  'lamotrigin*',
  'lamictal',
  'maoi',
  'maois',
  'imao',
  'imaos',
  'ssri*',
  'isrs',
  'snri*',
  'antidepressant*',
  'antidepresiv*',
  'stimulant*',
  'estimulante*',
  'lithium',
  'litio',
  'opioid*',
  'opiac*',
  'psychedelic*',
  'psicodelic*',
  'anesthe*',
  'anaesthe*',
  'anestesi*',
  'sedation',
  'sedacion',
  'sedative*',
  'sedante*',
  // diagnoses and care that reveal them
  'depress*',
  'depresi*',
  'anxiety',
  'anxious',
  'ansiedad',
  'ansios*',
  'ptsd',
  'tept',
  'post traumatic',
  'posttraumatic',
  'postraumatic*',
  'bipolar',
  'suicid*',
  'self harm',
  'autolesion*',
  'ocd',
  'schizo*',
  'esquizo*',
  'psychosis',
  'psicosis',
  'chronic pain',
  'dolor cronico',
  'mental health',
  'salud mental',
  'psychiatr*',
  'psiquiatr*',
  'psychotherap*',
  'psicoterap*',
  'kap',
  // symptoms and side effects
  'nause*',
  'vomit*',
  'dizz*',
  'mareo*',
  'mareado*',
  'headache*',
  'dolor de cabeza',
  'migraine*',
  'migrana*',
  'dissociat*',
  'disocia*',
  'hallucinat*',
  'alucina*',
  'blurred vision',
  'vision borrosa',
  'panic',
  'panico',
  'paranoi*',
  'side effect*',
  'efecto secundario',
  'efectos secundarios',
  'out of body',
  'racing heart',
  'chest pain',
  'dolor de pecho',
  // routes of administration that name the treatment
  'infusion*',
  'inject*',
  'inyecc*',
  'inyectable*',
  'nasal spray',
  'spray nasal',
];

/** Lowercase, accents off, words joined by single spaces: "Náuseas, ¡no!" -> "nauseas no". */
function normalizeWords(text: string): string {
  return (
    text
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .match(/[a-z0-9]+/g)
      ?.join(' ') ?? ''
  );
}

const TERM_PATTERNS = SENSITIVE_TERMS.map((term) => {
  const prefix = term.endsWith('*');
  const words = normalizeWords(term);
  return { term, pattern: new RegExp(`(?:^| )${words}${prefix ? '[a-z0-9]*' : ''}(?= |$)`) };
});

/** The `SENSITIVE_TERMS` that `text` contains (whole words, case- and accent-insensitive). */
export function findSensitiveTerms(text: string): string[] {
  const words = normalizeWords(text);
  return [...new Set(TERM_PATTERNS.filter(({ pattern }) => pattern.test(words)).map(({ term }) => term))];
}

/** The longest API Gateway URL links fall back to when `links.baseUrl` is absent. */
export const DEFAULT_API_BASE_URL = 'https://abcdefghij.execute-api.ap-southeast-2.amazonaws.com';
/** Length of the link token (opaque id + MAC truncated to 128 bits, 33 characters), from the signer itself so the two cannot drift. */
export const WORST_CASE_TOKEN_LENGTH = LINK_TOKEN_LENGTH;
/** A first name as long as an SMS ever carries (`SMS_FIRST_NAME_MAX`). */
const WORST_CASE_FIRST_NAME = 'Maximilianus';
/**
 * Any year works: days 22 to 28 of each month meet every weekday with a
 * two-digit day, so the longest date string only changes with the year.
 */
const WORST_CASE_YEAR = 2026;
/** Patients may live in another zone than the clinic; no zone label is longer than this. */
const LONGEST_ZONE_LABEL = 'GMT+10:30';

/**
 * The longest link an SMS can carry: the longer of the configured base and
 * the API's default URL (what a deploy without a short link domain uses),
 * plus `/c/` and the longest token.
 */
export function worstCaseLink(config: ClinicConfig): string {
  const bases = [DEFAULT_API_BASE_URL, config.links.baseUrl]
    .filter((base): base is string => base !== undefined)
    .map((base) => base.replace(/\/+$/, ''));
  return `${longest(bases)}/c/${'x'.repeat(WORST_CASE_TOKEN_LENGTH)}`;
}

/** The item whose text costs the most GSM-7 units once transliterated; ties keep the first. */
function pickLongest<T>(
  items: readonly T[],
  show: (item: T) => string,
): { item: T | undefined; text: string } {
  let best: { item: T | undefined; text: string; units: number } = { item: undefined, text: '', units: -1 };
  for (const item of items) {
    const text = show(item);
    const units = gsm7Units(toGsm7(text)) ?? 0;
    if (units > best.units) best = { item, text, units };
  }
  return best;
}

function longest(strings: readonly string[]): string {
  return pickLongest(strings, (text) => text).text;
}

const dateTimeCache = new Map<string, { date: string; time: string; cutoff: string }>();

/** Longest date, time and fasting-cutoff strings of a year in one zone and language (memoised: Intl is slow). */
function worstCaseDateTimes(zone: string, language: Language) {
  const key = `${zone}|${language}`;
  const cached = dateTimeCache.get(key);
  if (cached) return cached;
  const noon = DateTime.fromObject({ year: WORST_CASE_YEAR, month: 1, day: 22, hour: 12 }, { zone });
  const days = Array.from({ length: 12 * 7 }, (_, i) =>
    noon.set({ month: Math.floor(i / 7) + 1, day: 22 + (i % 7) }),
  );
  // January and July: standard and daylight time on either hemisphere.
  const hours = [noon, noon.set({ month: 7 })].flatMap((day) =>
    Array.from({ length: 24 }, (_, hour) => day.set({ hour, minute: 59 })),
  );
  const clock = pickLongest(hours, (at) => formatClockTime(at, language));
  const label = longest([...hours.map((at) => formatZoneLabel(at, language)), LONGEST_ZONE_LABEL]);
  const cutoffHour = clock.item ?? noon;
  const result = {
    date: longest(days.map((day) => formatSessionDate(day, language))),
    time: `${clock.text} ${label}`,
    // A cutoff the day before the session names its weekday: the longest clock on each weekday.
    cutoff: longest(
      days.slice(0, 7).map((day) => {
        const at = day.set({ hour: cutoffHour.hour, minute: 59 });
        return formatCutoff(at, at.plus({ days: 1 }), language);
      }),
    ),
  };
  dateTimeCache.set(key, result);
  return result;
}

/**
 * Placeholder values that make an SMS as long as it can get in a language: a
 * 12-character first name, the configured clinic name and phone, the year's
 * longest date, time and cutoff strings, the longest fasting durations and
 * the longest default link. Location and clinician (not allowed in SMS) get
 * their schema's maximum length.
 */
export function worstCaseSmsValues(config: ClinicConfig, language: Language): Required<PlaceholderValues> {
  const { date, time, cutoff } = worstCaseDateTimes(config.clinic.timeZone, language);
  const fastings = Object.values(config.preparation.fasting).filter((rule) => rule !== undefined);
  return {
    firstName: WORST_CASE_FIRST_NAME,
    clinicName: smsClinicName(config),
    clinicPhone: config.clinic.phone,
    sessionDate: date,
    sessionTime: time,
    // Two days or more ahead names the weekday: the longest of the seven (5 Jan 2026 is a Monday).
    sessionDay: longest(
      [5, 6, 7, 8, 9, 10, 11].map((day) => {
        const start = DateTime.utc(2026, 1, day, 12);
        return formatSessionDay(start, start.minus({ days: 3 }), language);
      }),
    ),
    location: 'x'.repeat(200),
    clinicianName: 'x'.repeat(100),
    link: worstCaseLink(config),
    solidFoodCutoff: cutoff,
    clearLiquidsCutoff: cutoff,
    solidFoodHours: longest(fastings.map((rule) => formatDuration(rule.solidFoodHours * 60, language))),
    clearLiquidsTime: longest(fastings.map((rule) => formatDuration(rule.clearLiquidsMinutes, language))),
    readinessQuestion: readinessQuestionText(language),
    // Body-only placeholders (never in an SMS), at their longest for completeness.
    sessionWhen: `${longest(days7(language))}, ${date}`,
    visitLength: formatDuration(600 + 60 + 59, language),
    treatmentBlock: longest(
      Object.values(config.preparation.byTreatment)
        .filter((block) => block !== undefined)
        .map((block) => block[language]),
    ),
  };
}

/** The seven weekday phrases ("on Monday" ...) in a language. */
function days7(language: Language): string[] {
  return [5, 6, 7, 8, 9, 10, 11].map((day) => {
    const start = DateTime.utc(2026, 1, day, 12);
    return formatSessionDay(start, start.minus({ days: 3 }), language);
  });
}

const FIELD_NAMES: Record<TemplateField, string> = {
  subject: 'an email subject',
  body: 'an email body',
  sms: 'an SMS',
};

function checkTemplate(
  config: ClinicConfig,
  language: Language,
  kind: MessageKind,
  field: TemplateField,
): { field: string; message: string }[] {
  const path = `templates.${language}.${kind}.${field}`;
  const text = config.templates[language][kind][field];
  const errors: string[] = [];
  const { names, strayBraces } = scanPlaceholders(text);
  const allowed: readonly string[] = allowedPlaceholders(kind, field);
  if (strayBraces) errors.push('has "{{" or "}}" that is not part of a {{placeholder}}');
  for (const name of new Set(names)) {
    if (!(PLACEHOLDERS as readonly string[]).includes(name)) {
      errors.push(`unknown placeholder {{${name}}}; known: ${PLACEHOLDERS.join(', ')}`);
    } else if (!allowed.includes(name)) {
      errors.push(
        `{{${name}}} is not allowed in ${FIELD_NAMES[field]} of ${kind}; allowed: ${allowed.join(', ')}`,
      );
    }
  }
  for (const name of REQUIRED_PLACEHOLDERS[kind][field] ?? []) {
    if (!names.includes(name)) errors.push(`must contain {{${name}}}`);
  }
  if (field !== 'body') {
    const terms = findSensitiveTerms(text);
    if (terms.length > 0) {
      errors.push(`names a drug, diagnosis or symptom (${terms.join(', ')}); ${FIELD_NAMES[field]} must not`);
    }
  }
  if (field === 'sms' && errors.length === 0) {
    const rendered = renderSmsText(text, worstCaseSmsValues(config, language));
    const units = gsm7Units(rendered) ?? Infinity;
    if (units > GSM7_SEGMENT_UNITS) {
      errors.push(
        `needs ${units} GSM-7 units with worst-case values, more than one SMS segment (${GSM7_SEGMENT_UNITS}): "${rendered}"`,
      );
    }
  }
  return errors.map((message) => ({ field: path, message }));
}

/**
 * Checks what the schema cannot: every template of every language and kind
 * uses only known placeholders allowed in its field and has the required ones;
 * every SMS fits one GSM-7 segment rendered with worst-case values
 * (`worstCaseSmsValues`); no SMS, subject or clinic name names a drug,
 * diagnosis or symptom; clear liquids never stop before solid food.
 * @throws ClinicConfigError listing every problem with its field path, e.g. `templates.es.checkin-week.sms`.
 */
export function validateClinicConfig(config: ClinicConfig): void {
  const errors: { field: string; message: string }[] = [];
  const smsName = smsClinicName(config);
  if ((gsm7Units(toGsm7(smsName)) ?? Infinity) > SMS_CLINIC_NAME_MAX) {
    errors.push({
      field: 'clinic.smsName',
      message: `is needed: SMS name the clinic in at most ${SMS_CLINIC_NAME_MAX} GSM-7 characters, and clinic.name is longer`,
    });
  }
  for (const term of config.clinic.smsName === undefined ? [] : findSensitiveTerms(config.clinic.smsName)) {
    errors.push({
      field: 'clinic.smsName',
      message: `names a drug, diagnosis or symptom (${term}); it appears in every SMS`,
    });
  }
  for (const [treatment, block] of Object.entries(config.preparation.byTreatment)) {
    for (const language of LANGUAGES) {
      const text = block?.[language];
      if (text === undefined) continue;
      const { names, strayBraces } = scanPlaceholders(text);
      const allowed: readonly string[] = allowedPlaceholders('prep-instructions', 'body');
      const path = `preparation.byTreatment.${treatment}.${language}`;
      if (strayBraces)
        errors.push({ field: path, message: 'has "{{" or "}}" that is not part of a {{placeholder}}' });
      for (const name of new Set(names)) {
        if (name === 'treatmentBlock' || name === 'link' || !allowed.includes(name)) {
          errors.push({ field: path, message: `{{${name}}} is not allowed in a treatment block` });
        }
      }
    }
  }
  const clinicTerms = findSensitiveTerms(config.clinic.name);
  if (clinicTerms.length > 0 && config.clinic.smsName === undefined) {
    errors.push({
      field: 'clinic.name',
      message: `names a drug, diagnosis or symptom (${clinicTerms.join(', ')}); it appears in every SMS and subject`,
    });
  }
  for (const [treatment, rule] of Object.entries(config.preparation.fasting)) {
    if (rule && rule.clearLiquidsMinutes > rule.solidFoodHours * 60) {
      errors.push({
        field: `preparation.fasting.${treatment}.clearLiquidsMinutes`,
        message: 'is longer than solidFoodHours: clear liquids would have to stop before solid food does',
      });
    }
  }
  for (const language of LANGUAGES) {
    for (const kind of MESSAGE_KINDS) {
      for (const field of TEMPLATE_FIELDS) errors.push(...checkTemplate(config, language, kind, field));
    }
  }
  if (errors.length > 0) throw new ClinicConfigError(errors);
}

/** Parses and validates a clinic config in one step (synth, cold start, local runtime). */
export function loadClinicConfig(input: unknown): ClinicConfig {
  const config = parseClinicConfig(input);
  validateClinicConfig(config);
  return config;
}

/** Changes to the sample booking's session or patient. */
export interface SampleOverrides {
  session?: Partial<FullBooking['session']>;
  patient?: Partial<FullBooking['patient']>;
}

/**
 * A plausible booking in the clinic's zone for previews and tests: an IV
 * session on 18 March 2026 at 9:30, patient "Alex" (en) or "Ramón" (es).
 */
export function sampleBooking(
  config: ClinicConfig,
  language: Language,
  overrides: SampleOverrides = {},
): FullBooking {
  const zone = config.clinic.timeZone;
  const startsAt = DateTime.fromObject(
    { year: 2026, month: 3, day: 18, hour: 9, minute: 30 },
    { zone },
  ).toISO();
  return {
    bookingId: `sample-${language}`,
    version: 1,
    session: {
      startsAt: startsAt ?? '2026-03-18T09:30:00Z',
      durationMinutes: 90,
      timeZone: zone,
      treatment: 'iv-ketamine',
      ...overrides.session,
    },
    patient: {
      id: `sample-patient-${language}`,
      firstName: language === 'es' ? 'Ramón' : 'Alex',
      email: 'patient@example.org',
      phone: '+15550100199',
      preferredChannel: 'both',
      language,
      ...overrides.patient,
    },
  };
}

/** One rendered sample: a message of one kind on one channel in one language. */
export type SampleRender = { language: Language; kind: MessageKind } & (
  | { channel: 'email'; message: RenderedEmail }
  | { channel: 'sms'; message: RenderedSms }
);

/**
 * Renders every kind x channel x language for a sample booking (previews,
 * tests, the local runtime). The link defaults to the worst-case link.
 */
export function renderSamples(
  config: ClinicConfig,
  options: { booking?: (language: Language) => FullBooking; link?: string } = {},
): SampleRender[] {
  const link = options.link ?? worstCaseLink(config);
  return LANGUAGES.flatMap((language) => {
    const booking = options.booking?.(language) ?? sampleBooking(config, language);
    return MESSAGE_KINDS.flatMap((kind): SampleRender[] => {
      const input = { config, kind, booking, link };
      return [
        { language, kind, channel: 'email', message: renderEmail(input) },
        { language, kind, channel: 'sms', message: renderSms(input) },
      ];
    });
  });
}
