import { createHash } from 'node:crypto';
import type { FieldError, FullBooking, Language } from '../contracts/booking-events';
import type { ClinicConfig } from '../contracts/clinic-config';
import type { CheckinKind } from '../contracts/vocabulary';
import {
  asksScreeners,
  GAD7_ITEMS,
  PHQ9_ITEMS,
  SEVERITIES,
  SIDE_EFFECTS,
  type SideEffect,
} from '../contracts/vocabulary';
import { type CrisisResource, crisisResources, smsHref, telHref } from '../domain/checkins/crisis-resources';
import { renderEmail } from '../domain/messages/templates';
import { escapeHtml } from './html';
import {
  CATALOGUES,
  fillParams,
  htmlLang,
  type MessageKey,
  type MessageParams,
  type ParamArgs,
  t,
} from './i18n';

/*
 * Server-rendered patient pages behind a check-in or instructions link
 * (DESIGN sections 7 and 8). No JavaScript: everything works as plain HTML
 * forms and links. Every interpolated value goes through `escapeHtml`.
 */

/**
 * The one stylesheet of every patient page, inlined as a `<style>` block and
 * allowed by its hash in the CSP. Mobile first (works at 320 px), text and
 * controls at 16 px or more (no iOS zoom), tap targets of 44 px or more,
 * WCAG AA contrast, visible focus, no motion when the patient asks for less.
 */
export const PAGE_STYLE = [
  ':root{color-scheme:light}',
  '*,*::before,*::after{box-sizing:border-box}',
  'html{font-size:100%;-webkit-text-size-adjust:100%;text-size-adjust:100%}',
  'body{margin:0;background:#fff;color:#1f2933;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;font-size:1.125rem;line-height:1.5;overflow-wrap:break-word}',
  'input,textarea,button,select{font:inherit;font-size:max(1rem,100%)}',
  '.site-header{background:#0b3d6b;color:#fff;padding:.75rem 1rem}',
  '.site-header p{max-width:40rem;margin:0 auto;font-weight:700}',
  'main{display:block;max-width:40rem;margin:0 auto;padding:1rem 1rem 2.5rem}',
  'h1{font-size:1.75rem;line-height:1.25;margin:.5rem 0 1rem}',
  'h2{font-size:1.375rem;line-height:1.3;margin:2rem 0 .75rem}',
  'h3{font-size:1.25rem;line-height:1.3;margin:1.75rem 0 .5rem}',
  'p,ul,ol{margin:0 0 1rem}',
  'ul,ol{padding-left:1.5rem}',
  'li{margin-bottom:.25rem}',
  'a{color:#0b5394;text-decoration:underline;text-underline-offset:.15em}',
  'a:hover{text-decoration-thickness:.15em}',
  ':focus-visible{outline:3px solid #0b5394;outline-offset:3px}',
  '.title-es{display:block}',
  '.emergency{border-left:.375rem solid #a4161a;background:#fdf0f0;padding:.75rem 1rem;margin:0 0 1.5rem}',
  '.emergency a{color:#8a1116;font-weight:700}',
  '.lead{font-size:1.25rem;font-weight:700}',
  '.small{color:#4a5561}',
  '.small a{color:#0b5394}',
  '.lang-block+.lang-block{border-top:1px solid #d5dbe1;padding-top:1rem;margin-top:1.5rem}',
  'fieldset{border:0;margin:0;padding:0;min-width:0}',
  'legend{display:block;max-width:100%;white-space:normal;padding:0;margin:0 0 .5rem;font-weight:700}',
  '.legend-lg{font-size:1.375rem;line-height:1.3}',
  '.label{display:block;font-weight:700;margin:0 0 .5rem}',
  '.required{font-weight:400;color:#4a5561}',
  '.hint{color:#4a5561;margin:0 0 .75rem}',
  '.option+.hint{margin:.5rem 0 0}',
  '.field{margin:0 0 1.75rem}',
  '.has-error{border-left:.25rem solid #b00020;padding-left:.75rem}',
  '.field-error{color:#b00020;font-weight:700;margin:0 0 .75rem}',
  '.options{display:grid;gap:.5rem;grid-template-columns:repeat(2,minmax(0,1fr))}',
  '.options-scale{grid-template-columns:repeat(4,minmax(0,1fr))}',
  '@media (min-width:26em){.options-scale{grid-template-columns:repeat(6,minmax(0,1fr))}}',
  '@media (min-width:40em){.options-scale{grid-template-columns:repeat(11,minmax(0,1fr))}}',
  '.options-stack{grid-template-columns:minmax(0,1fr)}',
  '@media (min-width:30em){.options-four{grid-template-columns:repeat(4,minmax(0,1fr))}.options-stack{grid-template-columns:repeat(2,minmax(0,1fr))}}',
  '.option{display:flex;align-items:center;gap:.625rem;min-height:2.75rem;margin:0;padding:.5rem .75rem;border:2px solid #6b7785;border-radius:.5rem;background:#fff;cursor:pointer;font-weight:400}',
  '.options-scale .option{flex-direction:column;justify-content:center;gap:.25rem;padding:.5rem .25rem;text-align:center}',
  '.option input{flex:none;width:1.375rem;height:1.375rem;margin:0;accent-color:#0b5394}',
  '.option:has(input:checked){border-color:#0b5394;background:#e8f0fa;font-weight:700}',
  '.option:focus-within{outline:3px solid #0b5394;outline-offset:2px}',
  '.option input:focus-visible{outline:none}',
  'textarea{display:block;width:100%;min-height:8rem;padding:.5rem .75rem;border:2px solid #6b7785;border-radius:.5rem;background:#fff;color:#1f2933;resize:vertical}',
  'textarea[aria-invalid="true"]{border-color:#b00020}',
  '.error-summary{border:3px solid #b00020;border-radius:.5rem;padding:1rem;margin:0 0 1.5rem}',
  '.error-summary h2{margin-top:0}',
  '.error-summary a{color:#b00020;font-weight:700}',
  '.button{display:flex;align-items:center;justify-content:center;width:100%;min-height:3rem;margin:0 0 .75rem;padding:.75rem 1rem;border:2px solid #0b5394;border-radius:.5rem;background:#0b5394;color:#fff;font-weight:700;text-align:center;text-decoration:none;cursor:pointer}',
  '.button:hover{background:#083f70;border-color:#083f70;color:#fff}',
  '.button-danger{background:#a4161a;border-color:#a4161a}',
  '.button-danger:hover{background:#7f1114;border-color:#7f1114}',
  '.button-secondary{background:#fff;color:#0b5394}',
  '.button-secondary:hover{background:#e8f0fa;color:#083f70}',
  '.resources{list-style:none;padding:0;margin:0 0 1.5rem}',
  '.resource{margin:0 0 1.25rem}',
  '.resource-label{font-weight:700;margin:0 0 .5rem}',
  '.site-footer{border-top:1px solid #d5dbe1}',
  '.site-footer p{max-width:40rem;margin:0 auto;padding:1rem;color:#4a5561}',
  '.nowrap{white-space:nowrap}',
  '.sr-only{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0}',
  '@media (prefers-reduced-motion:no-preference){html{scroll-behavior:smooth}}',
  '@media (prefers-reduced-motion:reduce){*,*::before,*::after{animation:none!important;transition:none!important;scroll-behavior:auto!important}}',
].join('\n');

/** The CSP source that allows exactly `PAGE_STYLE`, computed once at module load. */
export const PAGE_STYLE_HASH = `sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}`;

/**
 * Response headers for a page whose only style is the one with `styleHash`:
 * no script at all, forms post to our own origin, never framed, never cached,
 * no referrer (the URL is a secret).
 */
export function pageSecurityHeaders(styleHash: string): Readonly<Record<string, string>> {
  return {
    'Content-Security-Policy': `default-src 'none'; style-src '${styleHash}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Strict-Transport-Security': 'max-age=63072000',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
  };
}

/** Response headers for every patient page (and the JSON answers of the same URL). */
export const PAGE_SECURITY_HEADERS = pageSecurityHeaders(PAGE_STYLE_HASH);

// ---------------------------------------------------------------------------
// Building blocks

/** A message, escaped for HTML. */
function text<K extends MessageKey>(language: Language, key: K, ...params: ParamArgs<K>): string {
  return escapeHtml(t(language, key, ...params));
}

/** A message escaped for HTML, with its parameters filled by ready-made HTML (links). */
function rich<K extends MessageKey>(language: Language, key: K, html: MessageParams<K>): string {
  const values: Readonly<Record<string, string>> = html;
  return fillParams(escapeHtml(CATALOGUES[language][key]), (name) => values[name] ?? '');
}

function link(href: string, label: string): string {
  return `<a href="${escapeHtml(href)}">${escapeHtml(label)}</a>`;
}

/** A phone number that does not break across lines. */
function phoneText(phone: string): string {
  return `<span class="nowrap">${escapeHtml(phone)}</span>`;
}

function phoneLink(phone: string): string {
  return `<a href="${escapeHtml(telHref(phone))}">${phoneText(phone)}</a>`;
}

const CRISIS_LINKS = { n911: link('tel:911', '911'), n988: link('tel:988', '988') } as const;

function crisisSmallPrint(language: Language): string {
  return `<p class="small">${rich(language, 'crisis.smallPrint', CRISIS_LINKS)}</p>`;
}

interface DocumentInput {
  language: Language;
  title: string;
  clinicName?: string;
  clinicPhone?: string;
  main: string;
}

/**
 * The skeleton of every page, patient or staff: doctype, language, viewport,
 * no referrer, not indexed, one title, one inline style (the CSP allows it by
 * hash), banner, main and footer.
 */
export function pageDocument(parts: {
  lang: string;
  title: string;
  style: string;
  header: string;
  main: string;
  footer: string;
}): string {
  return [
    '<!DOCTYPE html>',
    `<html lang="${escapeHtml(parts.lang)}">`,
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="referrer" content="no-referrer">',
    '<meta name="robots" content="noindex, nofollow">',
    '<meta name="format-detection" content="telephone=no">',
    `<title>${escapeHtml(parts.title)}</title>`,
    `<style>${parts.style}</style>`,
    '</head>',
    '<body>',
    parts.header,
    `<main id="main">\n${parts.main}\n</main>`,
    parts.footer,
    '</body>',
    '</html>',
  ]
    .filter((line) => line !== '')
    .join('\n')
    .concat('\n');
}

/** A complete patient page: the shared skeleton with the clinic's banner and footer. */
function htmlDocument(input: DocumentInput): string {
  const { language, clinicName, clinicPhone } = input;
  const title = clinicName ? `${input.title} – ${clinicName}` : input.title;
  const header = clinicName ? `<header class="site-header"><p>${escapeHtml(clinicName)}</p></header>` : '';
  const footer =
    clinicName && clinicPhone
      ? `<footer class="site-footer"><p>${escapeHtml(clinicName)} · ${phoneLink(clinicPhone)}</p></footer>`
      : '';
  return pageDocument({
    lang: htmlLang(language),
    title,
    style: PAGE_STYLE,
    header,
    main: input.main,
    footer,
  });
}

// ---------------------------------------------------------------------------
// Check-in form

/** The submitted form, by field name (`mood`, `sideEffects.nausea`, `phq9.4`, ...). */
export type FormValues = Readonly<Record<string, string>>;

export interface CheckinFormInput {
  language: Language;
  kind: CheckinKind;
  clinicName: string;
  clinicPhone: string;
  /** Where the form posts: the check-in link itself. */
  action: string;
  /** The patient's previous answers, shown again after an error. */
  values?: FormValues;
  /** Errors from the form parser; each is shown next to its field, in the patient's words. */
  errors?: readonly FieldError[];
}

/** An id for a field name: `sideEffects.racing-heart` -> `sideEffects-racing-heart`. */
function fieldId(field: string): string {
  return field.replace(/[^A-Za-z0-9-]/g, '-');
}

/** A patient-friendly message for one parser error, and the id of the control it links to (none when the form has no such field). */
export interface PatientError {
  message: string;
  anchor?: string;
}

/**
 * The patient's words for a form error, keyed by the parser's `field`; the
 * parser's own message (written for API clients) is never shown.
 */
export function patientErrorFor(language: Language, field: string, kind: CheckinKind): PatientError {
  const screeners = asksScreeners(kind);
  if (field === 'mood') return { message: t(language, 'error.mood'), anchor: 'mood-0' };
  if (field === 'selfHarm') return { message: t(language, 'error.selfHarm'), anchor: 'selfHarm-no' };
  if (field === 'wantsCall') return { message: t(language, 'error.wantsCall'), anchor: 'wantsCall' };
  if (field === 'note') return { message: t(language, 'error.note'), anchor: 'note' };
  const effect = /^sideEffects\.(.+)$/.exec(field)?.[1];
  if (effect !== undefined && isSideEffect(effect)) {
    const label = t(language, `sideEffect.${effect}`);
    return {
      message: t(language, 'error.sideEffect', { effect: label }),
      anchor: `${fieldId(field)}-none`,
    };
  }
  if (screeners && (field === 'phq9' || field === 'gad7')) {
    return { message: t(language, field === 'phq9' ? 'error.phq9' : 'error.gad7'), anchor: `${field}-0-0` };
  }
  const item = /^(phq9|gad7)\.(\d)$/.exec(field);
  if (screeners && item) {
    const index = Number(item[2]);
    const phq9 = item[1] === 'phq9';
    if (index < (phq9 ? PHQ9_ITEMS : GAD7_ITEMS)) {
      const number = String(index + 1);
      return {
        message: t(language, phq9 ? 'error.phq9Item' : 'error.gad7Item', { number }),
        anchor: `${fieldId(field)}-0`,
      };
    }
  }
  return { message: t(language, 'error.other') };
}

function isSideEffect(key: string): key is SideEffect {
  return (SIDE_EFFECTS as readonly string[]).includes(key);
}

interface ShownError extends PatientError {
  field: string;
  id: string;
}

/** One entry per field (the first error wins), unknown fields folded into one general message. */
function shownErrors(
  language: Language,
  kind: CheckinKind,
  errors: readonly FieldError[],
): Map<string, ShownError> {
  const shown = new Map<string, ShownError>();
  for (const error of errors) {
    const patient = patientErrorFor(language, error.field, kind);
    const field = patient.anchor === undefined ? '' : error.field;
    if (shown.has(field)) continue;
    shown.set(field, { ...patient, field, id: field === '' ? 'form-error' : `${fieldId(field)}-error` });
  }
  return shown;
}

function errorParagraph(language: Language, error: ShownError): string {
  return `<p class="field-error" id="${error.id}"><span class="sr-only">${text(language, 'error.titlePrefix')} </span>${escapeHtml(error.message)}</p>`;
}

interface RadioGroupInput {
  language: Language;
  name: string;
  legend: string;
  legendClass?: string;
  required?: boolean;
  hint?: string;
  options: readonly { value: string; label: string }[];
  checked: string | undefined;
  layout: 'scale' | 'two' | 'four' | 'stack';
  error: ShownError | undefined;
}

/** A fieldset of radio buttons: legend, hint, error, options as large labelled tap targets. */
function radioGroup(input: RadioGroupInput): string {
  const { language, name, error } = input;
  const id = fieldId(name);
  const hintId = input.hint ? `${id}-hint` : undefined;
  const describedBy = [hintId, error?.id].filter(Boolean).join(' ');
  const required = input.required
    ? ` <span class="required">(${text(language, 'form.required')})</span>`
    : '';
  const options = input.options
    .map((option) => {
      const optionId = `${id}-${fieldId(option.value)}`;
      const attributes = [
        'type="radio"',
        `id="${optionId}"`,
        `name="${escapeHtml(name)}"`,
        `value="${escapeHtml(option.value)}"`,
        option.value === input.checked ? 'checked' : '',
        input.required ? 'required' : '',
        error ? 'aria-invalid="true"' : '',
      ].filter(Boolean);
      return `<label class="option" for="${optionId}"><input ${attributes.join(' ')}><span>${escapeHtml(option.label)}</span></label>`;
    })
    .join('\n');
  const layoutClass = input.layout === 'two' ? '' : ` options-${input.layout}`;
  return [
    `<div class="field${error ? ' has-error' : ''}">`,
    `<fieldset id="${id}"${describedBy ? ` aria-describedby="${describedBy}"` : ''}>`,
    `<legend${input.legendClass ? ` class="${input.legendClass}"` : ''}>${escapeHtml(input.legend)}${required}</legend>`,
    hintId ? `<p class="hint" id="${hintId}">${escapeHtml(input.hint ?? '')}</p>` : '',
    error ? errorParagraph(language, error) : '',
    `<div class="options${layoutClass}">\n${options}\n</div>`,
    '</fieldset>',
    '</div>',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The summary's entries, in form order. Several unanswered items of one
 * questionnaire (the parser asks for all once one is answered) become one
 * entry, linked to the first of them; each item still shows its own message.
 */
function summaryEntries(language: Language, errors: readonly ShownError[]): PatientError[] {
  const entries: PatientError[] = [];
  const grouped = new Set<string>();
  for (const error of errors) {
    const instrument = /^(phq9|gad7)\.\d+$/.exec(error.field)?.[1];
    if (instrument === 'phq9' || instrument === 'gad7') {
      const items = errors.filter((other) => other.field.startsWith(`${instrument}.`));
      if (items.length > 1) {
        const sectionShown = errors.some((other) => other.field === instrument);
        if (!grouped.has(instrument) && !sectionShown) {
          entries.push({ message: t(language, `error.${instrument}`), ...anchorOf(error) });
        }
        grouped.add(instrument);
        continue;
      }
    }
    entries.push(error);
  }
  return entries;
}

function anchorOf(error: PatientError): { anchor?: string } {
  return error.anchor === undefined ? {} : { anchor: error.anchor };
}

function errorSummary(language: Language, errors: readonly ShownError[]): string {
  if (errors.length === 0) return '';
  const items = summaryEntries(language, errors)
    .map((error) =>
      error.anchor
        ? `<li>${link(`#${error.anchor}`, error.message)}</li>`
        : `<li>${escapeHtml(error.message)}</li>`,
    )
    .join('\n');
  return [
    '<div class="error-summary" role="alert" aria-labelledby="error-summary-title">',
    `<h2 id="error-summary-title">${text(language, 'error.summaryTitle')}</h2>`,
    `<p>${text(language, 'error.summaryIntro')}</p>`,
    `<ul>\n${items}\n</ul>`,
    '</div>',
  ].join('\n');
}

function screenerSection(
  language: Language,
  instrument: 'phq9' | 'gad7',
  values: FormValues,
  errors: Map<string, ShownError>,
): string {
  const count = instrument === 'phq9' ? PHQ9_ITEMS : GAD7_ITEMS;
  const options = [0, 1, 2, 3].map((score) => ({
    value: String(score),
    label: t(language, `${instrument}.option.${score as 0 | 1 | 2 | 3}`),
  }));
  const sectionError = errors.get(instrument);
  const items: string[] = [];
  for (let index = 0; index < count; index++) {
    const name = `${instrument}.${index}`;
    const key = name as `${typeof instrument}.${0 | 1 | 2 | 3 | 4 | 5 | 6}`;
    items.push(
      radioGroup({
        language,
        name,
        legend: `${index + 1}. ${t(language, key)}`,
        options,
        checked: values[name],
        layout: 'stack',
        error: errors.get(name),
      }),
    );
  }
  return [
    `<h3 id="${instrument}-heading">${text(language, `${instrument}.heading`)}</h3>`,
    `<p id="${instrument}-stem">${text(language, `${instrument}.stem`)}</p>`,
    sectionError ? errorParagraph(language, sectionError) : '',
    ...items,
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The check-in form: mood, side effects with severity, the self-harm
 * question, "please call me", a note and, at `checkin-week` only, the PHQ-9
 * and GAD-7. After a rejected post, pass the submitted `values` and the
 * parser's `errors`: the answers are kept and each error is shown next to its
 * field and in a summary at the top. Posts to `action`; works without JavaScript.
 */
export function renderCheckinForm(input: CheckinFormInput): string {
  const { language, kind, clinicName, clinicPhone } = input;
  const values: FormValues = input.values ?? {};
  const errors = shownErrors(language, kind, input.errors ?? []);
  const mood = radioGroup({
    language,
    name: 'mood',
    legend: t(language, 'form.mood.legend'),
    legendClass: 'legend-lg',
    required: true,
    hint: t(language, 'form.mood.hint'),
    options: Array.from({ length: 11 }, (_, n) => ({ value: String(n), label: String(n) })),
    checked: values.mood,
    layout: 'scale',
    error: errors.get('mood'),
  });
  const severities = SEVERITIES.map((severity) => ({
    value: severity,
    label: t(language, `severity.${severity}`),
  }));
  const sideEffects = SIDE_EFFECTS.map((effect) => {
    const name = `sideEffects.${effect}`;
    return radioGroup({
      language,
      name,
      legend: t(language, `sideEffect.${effect}`),
      options: severities,
      // "None" unless the patient sent something else (an unknown value leaves all unchecked).
      checked: values[name] ?? 'none',
      layout: 'four',
      error: errors.get(name),
    });
  });
  const selfHarm = radioGroup({
    language,
    name: 'selfHarm',
    legend: t(language, 'form.selfHarm.legend'),
    legendClass: 'legend-lg',
    required: true,
    hint: t(language, 'form.selfHarm.hint'),
    options: [
      { value: 'no', label: t(language, 'form.no') },
      { value: 'yes', label: t(language, 'form.yes') },
    ],
    checked: values.selfHarm,
    layout: 'two',
    error: errors.get('selfHarm'),
  });
  const wantsCallError = errors.get('wantsCall');
  const wantsCall = [
    `<div class="field${wantsCallError ? ' has-error' : ''}">`,
    wantsCallError ? errorParagraph(language, wantsCallError) : '',
    `<label class="option" for="wantsCall"><input type="checkbox" id="wantsCall" name="wantsCall" value="yes"${values.wantsCall === 'yes' ? ' checked' : ''} aria-describedby="${['wantsCall-hint', wantsCallError?.id].filter(Boolean).join(' ')}"${wantsCallError ? ' aria-invalid="true"' : ''}><span>${text(language, 'form.wantsCall.label')}</span></label>`,
    `<p class="hint" id="wantsCall-hint">${text(language, 'form.wantsCall.hint', { clinicName })}</p>`,
    '</div>',
  ]
    .filter(Boolean)
    .join('\n');
  const noteError = errors.get('note');
  const note = [
    `<div class="field${noteError ? ' has-error' : ''}">`,
    `<label class="label" for="note">${text(language, 'form.note.label')}</label>`,
    `<p class="hint" id="note-hint">${text(language, 'form.note.hint')}</p>`,
    noteError ? errorParagraph(language, noteError) : '',
    // The newline after the start tag keeps a note that begins with a line break intact.
    `<textarea id="note" name="note" rows="5" maxlength="2000" aria-describedby="${['note-hint', noteError?.id].filter(Boolean).join(' ')}"${noteError ? ' aria-invalid="true"' : ''}>\n${escapeHtml(values.note ?? '')}</textarea>`,
    '</div>',
  ]
    .filter(Boolean)
    .join('\n');
  const screeners = asksScreeners(kind)
    ? [
        `<h2>${text(language, 'form.screeners.heading')}</h2>`,
        `<p>${text(language, 'form.screeners.intro')}</p>`,
        screenerSection(language, 'phq9', values, errors),
        screenerSection(language, 'gad7', values, errors),
      ].join('\n')
    : '';
  const general = errors.get('');
  const main = [
    `<h1>${text(language, 'form.title')}</h1>`,
    `<p class="emergency">${rich(language, 'emergency.note', CRISIS_LINKS)}</p>`,
    errorSummary(language, [...errors.values()]),
    `<p>${text(language, 'form.intro', { clinicName, minutes: asksScreeners(kind) ? '5' : '2' })}</p>`,
    `<p class="small">${text(language, 'form.requiredNote')}</p>`,
    `<form method="post" action="${escapeHtml(input.action)}" novalidate autocomplete="off" accept-charset="utf-8">`,
    general ? errorParagraph(language, general) : '',
    mood,
    `<h2>${text(language, 'form.sideEffects.heading')}</h2>`,
    `<p class="hint">${text(language, 'form.sideEffects.hint')}</p>`,
    ...sideEffects,
    `<h2>${text(language, 'form.more.heading')}</h2>`,
    selfHarm,
    wantsCall,
    note,
    screeners,
    `<button type="submit" class="button">${text(language, 'form.submit')}</button>`,
    '</form>',
  ]
    .filter(Boolean)
    .join('\n');
  const title = t(language, 'form.title');
  return htmlDocument({
    language,
    title: errors.size > 0 ? `${t(language, 'error.titlePrefix')} ${title}` : title,
    clinicName,
    clinicPhone,
    main,
  });
}

// ---------------------------------------------------------------------------
// Answers received

export interface ReplyReceivedInput {
  language: Language;
  clinicName: string;
  clinicPhone: string;
  /** The triage of the stored reply. */
  level: 'routine' | 'review' | 'urgent';
}

/**
 * Thanks after a stored routine or review answer: what happens next, and the
 * crisis line anyway. A stored `urgent` answer gets the crisis page (saved),
 * so crisis resources can never be left out by mistake.
 */
export function renderReplyReceived(input: ReplyReceivedInput): string {
  const { language, clinicName, clinicPhone } = input;
  if (input.level === 'urgent') return renderCrisisPage({ language, clinicName, clinicPhone, saved: true });
  const clinic = { clinicName: escapeHtml(clinicName), phone: phoneLink(clinicPhone) };
  const main = [
    `<h1>${text(language, 'received.title')}</h1>`,
    `<p class="lead">${text(language, 'received.saved')}</p>`,
    `<h2>${text(language, 'received.nextHeading')}</h2>`,
    `<p>${rich(language, input.level === 'review' ? 'received.review.next' : 'received.routine.next', clinic)}</p>`,
    crisisSmallPrint(language),
  ].join('\n');
  return htmlDocument({ language, title: t(language, 'received.title'), clinicName, clinicPhone, main });
}

// ---------------------------------------------------------------------------
// Crisis page

export interface CrisisPageInput {
  language: Language;
  clinicName: string;
  clinicPhone: string;
  /** Whether the reply was stored (and so the staff alert is on its way). */
  saved: boolean;
}

function resourceItem(language: Language, resource: CrisisResource, first: boolean): string {
  const buttons: string[] = [];
  if (resource.phone) {
    const cls = first ? 'button button-danger' : resource.sms ? 'button' : 'button button-secondary';
    const label = rich(language, 'crisis.callNumber', { number: phoneText(resource.phone) });
    // One span: a flex container would drop the space between the words and the number.
    buttons.push(`<a href="${escapeHtml(telHref(resource.phone))}" class="${cls}"><span>${label}</span></a>`);
  }
  if (resource.sms) {
    const label = rich(language, 'crisis.textNumber', { number: phoneText(resource.sms) });
    buttons.push(`<a href="${escapeHtml(smsHref(resource.sms))}" class="button"><span>${label}</span></a>`);
  }
  const about = resource.url
    ? `<p>${text(language, 'crisis.about988')}</p>\n<p>${link(resource.url, t(language, 'crisis.chat988'))}</p>`
    : '';
  return [
    '<li class="resource">',
    `<p class="resource-label">${escapeHtml(resource.label)}</p>`,
    ...buttons,
    about,
    '</li>',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The page after an urgent answer. Crisis resources come first (911, then
 * 988 by call or text, then the clinic), as large tap-to-call buttons. Then
 * the state of the answer: saved -> the care team is being alerted now; not
 * saved -> said plainly, with the clinic's number, and never a claim that
 * anyone was told.
 */
export function renderCrisisPage(input: CrisisPageInput): string {
  const { language, clinicName, clinicPhone } = input;
  const resources = crisisResources(language, { name: clinicName, phone: clinicPhone });
  const clinic = { clinicName: escapeHtml(clinicName), phone: phoneLink(clinicPhone) };
  const status = input.saved
    ? [
        `<p class="lead">${text(language, 'crisis.saved', { clinicName })}</p>`,
        `<p>${text(language, 'crisis.savedWait')}</p>`,
      ]
    : [
        `<p class="lead">${text(language, 'crisis.notSaved')}</p>`,
        `<p class="lead">${rich(language, 'crisis.notSavedCall', clinic)}</p>`,
      ];
  const main = [
    `<h1>${text(language, 'crisis.title')}</h1>`,
    `<ul class="resources">\n${resources.map((resource, index) => resourceItem(language, resource, index === 0)).join('\n')}\n</ul>`,
    `<p>${text(language, 'crisis.intro')}</p>`,
    `<h2>${text(language, 'crisis.answersHeading')}</h2>`,
    ...status,
  ].join('\n');
  return htmlDocument({ language, title: t(language, 'crisis.title'), clinicName, clinicPhone, main });
}

// ---------------------------------------------------------------------------
// Link problems

/**
 * What went wrong with a patient link: tampered or malformed (`invalid`),
 * past its expiry (`expired`), pointing at nothing (`not-found`), or a
 * non-urgent answer that could not be stored (`not-saved`).
 */
export type LinkProblem = 'invalid' | 'expired' | 'not-found' | 'not-saved';

export interface LinkProblemInput {
  /** Unknown for a link that cannot be read: the page is then in English and Spanish. */
  language?: Language;
  clinicName?: string;
  clinicPhone?: string;
  problem: LinkProblem;
}

function problemBody(language: Language, input: LinkProblemInput): string {
  const contact =
    input.clinicName && input.clinicPhone
      ? rich(language, 'problem.contact', {
          clinicName: escapeHtml(input.clinicName),
          phone: phoneLink(input.clinicPhone),
        })
      : text(language, 'problem.contactUnknown');
  return [
    `<p>${text(language, `problem.${input.problem}.body`)}</p>`,
    `<p>${contact}</p>`,
    crisisSmallPrint(language),
  ].join('\n');
}

/**
 * A kind, plain page for a link that cannot be used: what happened and how
 * to reach the clinic, never a technical detail. Without a known language it
 * says everything in English and in Spanish.
 */
export function renderLinkProblemPage(input: LinkProblemInput): string {
  const { language, clinicName, clinicPhone, problem } = input;
  const titleKey = `problem.${problem}.title` as const;
  if (language) {
    const main = [`<h1>${text(language, titleKey)}</h1>`, problemBody(language, input)].join('\n');
    return htmlDocument({ language, title: t(language, titleKey), clinicName, clinicPhone, main });
  }
  const main = [
    `<h1>${text('en', titleKey)} <span class="title-es" lang="es">${text('es', titleKey)}</span></h1>`,
    `<div class="lang-block">\n${problemBody('en', input)}\n</div>`,
    `<div class="lang-block" lang="es">\n${problemBody('es', input)}\n</div>`,
  ].join('\n');
  return htmlDocument({
    language: 'en',
    title: `${t('en', titleKey)} / ${t('es', titleKey)}`,
    clinicName,
    clinicPhone,
    main,
  });
}

// ---------------------------------------------------------------------------
// Preparation instructions

export interface InstructionsPageInput {
  language: Language;
  config: ClinicConfig;
  booking: FullBooking;
  /** This page's own URL, for a template that uses `{{link}}`. */
  link?: string;
}

/**
 * The email renderer styles its HTML inline for mail clients; this page's CSP
 * allows no inline styles, so they are dropped (values are escaped, so every
 * ` style="` in the markup was written by the renderer). A short one-line
 * paragraph right before a list ("What to bring") becomes a heading.
 */
function emailBodyToPageHtml(emailHtml: string): string | undefined {
  const start = emailHtml.indexOf('<div role="article"');
  const open = start < 0 ? -1 : emailHtml.indexOf('>', start);
  const end = emailHtml.lastIndexOf('</div>');
  if (open < 0 || end <= open) return undefined;
  return emailHtml
    .slice(open + 1, end)
    .replace(/ style="[^"]*"/g, '')
    .replace(/<p>([^<]{1,60})<\/p>\n<ul>/g, (match, heading: string) =>
      /[.,:;!?]\s*$/.test(heading) ? match : `<h2>${heading.trim()}</h2>\n<ul>`,
    )
    .trim();
}

function plainTextToHtml(body: string): string {
  return body
    .split(/\n[ \t]*\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => `<p>${block.trim().split('\n').map(escapeHtml).join('<br>\n')}</p>`)
    .join('\n');
}

/**
 * The full preparation instructions of a booking (the clinic's
 * `prep-instructions` email body, rendered for this booking and language) as
 * a page with the same look as the check-in pages. The SMS links here.
 *
 * @throws TemplateRenderError when the clinic's template cannot be rendered
 *   (prevented by `validateClinicConfig` at synth)
 */
export function renderInstructionsPage(input: InstructionsPageInput): string {
  const { language, config } = input;
  const booking: FullBooking = { ...input.booking, patient: { ...input.booking.patient, language } };
  const email = renderEmail({
    config,
    kind: 'prep-instructions',
    booking,
    ...(input.link === undefined ? {} : { link: input.link }),
  });
  const content = emailBodyToPageHtml(email.html) ?? plainTextToHtml(email.text);
  const main = [`<h1>${text(language, 'instructions.title')}</h1>`, content].join('\n');
  return htmlDocument({
    language,
    title: t(language, 'instructions.title'),
    clinicName: config.clinic.name,
    clinicPhone: config.clinic.phone,
    main,
  });
}
