import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import clinicConfig from '../../config/clinic';
import { fullBookingSchema, LANGUAGES, type Language } from '../../shared/contracts/booking-events';
import { checkinFormFields, parseCheckinForm } from '../../shared/contracts/checkin-reply';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { CHECKIN_KINDS, SIDE_EFFECTS } from '../../shared/contracts/vocabulary';
import { sampleBooking } from '../../shared/domain/messages/config-validation';
import { CATALOGUES, t } from '../../shared/web/i18n';
import { patientErrorFor, renderCheckinForm } from '../../shared/web/patient/checkin-form';
import { renderUrgentPage, type UrgentPageInput } from '../../shared/web/patient/crisis-page';
import { renderInstructionsPage } from '../../shared/web/patient/instructions-page';
import { renderLinkProblemPage } from '../../shared/web/patient/link-problem';
import { renderReplyReceived } from '../../shared/web/patient/reply-received';
import { PAGE_SECURITY_HEADERS, PAGE_STYLE } from '../../shared/web/styles';
import { escapedText, visibleText } from '../support/html';

const config = parseClinicConfig(clinicConfig);
const CLINIC = { clinicName: 'Sunrise Clinic', clinicPhone: '(555) 010-0199' } as const;
const CLINIC_PHONE_LINK = '<a href="tel:5550100199"><span class="nowrap">(555) 010-0199</span></a>';
const ACTION = '/c/AbCdEf123';
const XSS = '<script>alert(1)</script>';

function urgent(language: Language, options: Partial<UrgentPageInput> = {}) {
  return renderUrgentPage({
    language,
    ...CLINIC,
    advice: 'crisis',
    actingNow: 'no',
    saved: true,
    ...options,
  });
}

function form(language: Language, extra: Partial<Parameters<typeof renderCheckinForm>[0]> = {}) {
  return renderCheckinForm({ language, kind: 'checkin-next-day', ...CLINIC, action: ACTION, ...extra });
}

/** Every kind of page, in a language. */
function allPages(language: Language): [string, string][] {
  const booking = fullBookingSchema.parse(sampleBooking(config, language));
  return [
    ...CHECKIN_KINDS.map((kind): [string, string] => [
      `form ${kind}`,
      renderCheckinForm({ language, kind, ...CLINIC, action: ACTION }),
    ]),
    [
      'form with errors',
      renderCheckinForm({
        language,
        kind: 'checkin-week',
        ...CLINIC,
        action: ACTION,
        values: { mood: '11', note: 'x' },
        errors: [
          { field: 'mood', message: 'bad' },
          { field: 'phq9.4', message: 'bad' },
          { field: 'gad7', message: 'bad' },
          { field: 'body', message: 'bad' },
        ],
      }),
    ],
    ['received routine', renderReplyReceived({ language, ...CLINIC, level: 'routine' })],
    ['received review', renderReplyReceived({ language, ...CLINIC, level: 'review' })],
    [
      'received callback',
      renderReplyReceived({
        language,
        ...CLINIC,
        level: 'review',
        callbackPromise: config.callback.promise[language],
      }),
    ],
    ['crisis saved', urgent(language)],
    ['crisis acting now', urgent(language, { actingNow: 'yes' })],
    ['crisis not said', urgent(language, { actingNow: 'unknown', unread: ['x'] })],
    ['crisis not saved', urgent(language, { saved: false })],
    ['emergency', urgent(language, { advice: 'emergency' })],
    ['call us', urgent(language, { advice: 'call-us' })],
    ['problem too-many', renderLinkProblemPage({ language, ...CLINIC, problem: 'too-many' })],
    ['problem too-large', renderLinkProblemPage({ language, ...CLINIC, problem: 'too-large' })],
    ['problem invalid', renderLinkProblemPage({ language, ...CLINIC, problem: 'invalid' })],
    ['problem expired', renderLinkProblemPage({ language, ...CLINIC, problem: 'expired' })],
    ['problem not-found', renderLinkProblemPage({ language, ...CLINIC, problem: 'not-found' })],
    ['problem not-saved', renderLinkProblemPage({ language, ...CLINIC, problem: 'not-saved' })],
    ['instructions', renderInstructionsPage({ language, config, booking })],
  ];
}

const PAGES = LANGUAGES.flatMap((language) =>
  allPages(language).map(([name, html]) => [language, name, html] as const),
);

/** The opening tag of the element with this id. */
function tagWithId(html: string, id: string): string {
  const tag = new RegExp(`<[a-z]+\\b[^>]*\\bid="${id}"[^>]*>`).exec(html)?.[0];
  if (!tag) throw new Error(`no element with id ${id}`);
  return tag;
}

function isChecked(html: string, id: string): boolean {
  return /\schecked(\s|\/?>)/.test(tagWithId(html, id));
}

function mainOf(html: string): string {
  const main = /<main\b[^>]*>([\s\S]*)<\/main>/.exec(html)?.[1];
  if (main === undefined) throw new Error('no main');
  return main;
}

describe('checkin-pages', () => {
  describe('every page', () => {
    it.each(PAGES)('is a complete %s document: %s', (language, _name, html) => {
      expect(html.startsWith('<!DOCTYPE html>\n')).toBe(true);
      expect(html).toContain(`<html lang="${language}">`);
      expect(html).toContain('<meta charset="utf-8"/>');
      expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
      expect(html.match(/<title>/g)).toHaveLength(1);
      expect(html.match(/<main\b/g)).toHaveLength(1);
      expect(html).toContain('<header class="site-header">');
      expect(html).toContain('<footer class="site-footer">');
    });

    it.each(PAGES)('has no script, event handler or javascript: URL (%s %s)', (_language, _name, html) => {
      expect(html).not.toMatch(/<script|\son[a-z]+=|javascript:/i);
    });

    it.each(PAGES)('has headings in order starting at h1 (%s %s)', (_language, _name, html) => {
      const levels = [...html.matchAll(/<h([1-6])\b/g)].map((m) => Number(m[1]));
      expect(levels[0]).toBe(1);
      expect(levels.filter((level) => level === 1)).toHaveLength(1);
      for (let i = 1; i < levels.length; i++) expect(levels[i]).toBeLessThanOrEqual((levels[i - 1] ?? 0) + 1);
    });

    it.each(PAGES)('uses every id once (%s %s)', (_language, _name, html) => {
      const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it.each(PAGES)(
      'points every for, href="#" and aria-describedby at an existing id (%s %s)',
      (_l, _n, html) => {
        const ids = new Set([...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]));
        const refs = [
          ...[...html.matchAll(/\sfor="([^"]+)"/g)].map((m) => m[1]),
          ...[...html.matchAll(/\shref="#([^"]+)"/g)].map((m) => m[1]),
          ...[...html.matchAll(/\saria-(?:describedby|labelledby)="([^"]+)"/g)].flatMap((m) =>
            (m[1] ?? '').split(' '),
          ),
        ];
        for (const ref of refs) expect(ids.has(ref), ref).toBe(true);
      },
    );

    it.each(PAGES)('carries no inline style attribute, which the CSP would block (%s %s)', (_l, _n, html) => {
      expect(html).not.toMatch(/\sstyle="/);
    });
  });

  describe('PAGE_SECURITY_HEADERS', () => {
    it('allows exactly the style block that is in the page, by its hash', () => {
      const html = form('en');
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1];
      expect(style).toBe(PAGE_STYLE);
      const hash = createHash('sha256')
        .update(style ?? '')
        .digest('base64');
      expect(PAGE_SECURITY_HEADERS['Content-Security-Policy']).toBe(
        `default-src 'none'; style-src 'sha256-${hash}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
      );
    });

    it('uses the same style block on every page', () => {
      for (const [, , html] of PAGES) expect(html.match(/<style>/g)).toHaveLength(1);
      for (const [, , html] of PAGES) expect(html).toContain(`<style>${PAGE_STYLE}</style>`);
    });

    it('forbids caching, framing, sniffing and referrers', () => {
      expect(PAGE_SECURITY_HEADERS).toMatchObject({
        'Cache-Control': 'no-store',
        'Referrer-Policy': 'no-referrer',
        'X-Content-Type-Options': 'nosniff',
        'X-Frame-Options': 'DENY',
        'Strict-Transport-Security': 'max-age=63072000',
      });
      expect(PAGE_SECURITY_HEADERS['Permissions-Policy']).toContain('camera=()');
    });
  });

  describe('PAGE_STYLE', () => {
    it('keeps controls at 16 px or more, tap targets at 44 px, fieldsets shrinkable and motion optional', () => {
      expect(PAGE_STYLE).toContain('font-size:max(1rem,100%)');
      expect(PAGE_STYLE).toContain('min-height:2.75rem');
      expect(PAGE_STYLE).toContain('fieldset{border:0;margin:0;padding:0;min-width:0}');
      expect(PAGE_STYLE).toContain('prefers-reduced-motion:reduce');
      expect(PAGE_STYLE).toContain(':focus-visible{outline:3px solid');
    });
  });

  describe('renderCheckinForm', () => {
    it.each(LANGUAGES)('posts to the link with method post and no script (%s)', (language) => {
      const html = form(language);
      expect(html).toContain(`<form method="post" action="${ACTION}" novalidate`);
      expect(html).toContain('<button type="submit" class="button">');
    });

    it('escapes the action', () => {
      expect(form('en', { action: '/c/x"><b>' })).toContain('action="/c/x&quot;>&lt;b>"');
    });

    it.each(LANGUAGES)('shows the emergency note with 911 and 988 before the form (%s)', (language) => {
      const main = mainOf(form(language));
      const note = main.indexOf('class="emergency"');
      expect(note).toBeGreaterThan(-1);
      expect(note).toBeLessThan(main.indexOf('<form'));
      expect(main).toContain('<a href="tel:911">911</a>');
      expect(main).toContain('<a href="tel:988">988</a>');
    });

    it('offers every form field with the contract names', () => {
      const html = form('en');
      for (let n = 0; n <= 10; n++) expect(html).toContain(`name="mood" value="${n}"`);
      for (const effect of SIDE_EFFECTS) {
        for (const severity of ['none', 'mild', 'moderate', 'severe'])
          expect(html).toContain(`name="sideEffects.${effect}" value="${severity}"`);
      }
      expect(html).toContain('name="selfHarm" value="no"');
      expect(html).toContain('name="selfHarm" value="yes"');
      expect(html).toContain('type="checkbox" id="wantsCall" name="wantsCall" value="yes"');
      expect(html).toMatch(/<textarea id="note" name="note" rows="5" maxlength="2000"/);
    });

    it('puts every radio group in a fieldset with a legend, and labels every control', () => {
      const html = renderCheckinForm({ language: 'en', kind: 'checkin-week', ...CLINIC, action: ACTION });
      const groups = new Set([...html.matchAll(/type="radio" id="[^"]+" name="([^"]+)"/g)].map((m) => m[1]));
      // mood, the effects and their two still-now follow-ups, self-harm and its follow-up, PHQ-9 with item 10, GAD-7
      expect(groups.size).toBe(1 + SIDE_EFFECTS.length + 2 + 2 + 9 + 1 + 7);
      for (const group of groups) {
        const id = (group ?? '').replace(/\./g, '-');
        expect(html).toMatch(new RegExp(`<fieldset id="${id}"[^>]*><legend[^>]*>[^<]+`));
      }
      for (const match of html.matchAll(/<(?:input|textarea)\b[^>]*\bid="([^"]+)"/g)) {
        expect(html).toContain(
          `<label class="${match[1] === 'note' ? 'label' : 'option'}" for="${match[1]}">`,
        );
      }
    });

    it.each(LANGUAGES)('marks mood and the self-harm question as required (%s)', (language) => {
      const html = form(language);
      const required = `<span class="required">(${t(language, 'form.required')})</span>`;
      expect(html.split(required)).toHaveLength(3);
      expect(tagWithId(html, 'mood-5')).toContain(' required');
      expect(tagWithId(html, 'selfHarm-yes')).toContain(' required');
      expect(tagWithId(html, 'sideEffects-nausea-mild')).not.toContain(' required');
    });

    it('checks "none" for every side effect on a new form, and nothing for mood or self-harm', () => {
      const html = form('en');
      for (const effect of SIDE_EFFECTS) expect(isChecked(html, `sideEffects-${effect}-none`)).toBe(true);
      expect(html.match(/\schecked/g)).toHaveLength(SIDE_EFFECTS.length);
    });

    it('keeps the submitted answers', () => {
      const html = renderCheckinForm({
        language: 'en',
        kind: 'checkin-week',
        ...CLINIC,
        action: ACTION,
        values: {
          mood: '7',
          'sideEffects.nausea': 'moderate',
          'sideEffects.chest-pain': 'severe',
          selfHarm: 'yes',
          wantsCall: 'yes',
          note: 'Slept badly\nthen better',
          'phq9.8': '2',
          'gad7.0': '3',
        },
        errors: [{ field: 'phq9.0', message: 'Required' }],
      });
      expect(isChecked(html, 'mood-7')).toBe(true);
      expect(isChecked(html, 'mood-6')).toBe(false);
      expect(isChecked(html, 'sideEffects-nausea-moderate')).toBe(true);
      expect(isChecked(html, 'sideEffects-nausea-none')).toBe(false);
      expect(isChecked(html, 'sideEffects-chest-pain-severe')).toBe(true);
      expect(isChecked(html, 'sideEffects-headache-none')).toBe(true);
      expect(isChecked(html, 'selfHarm-yes')).toBe(true);
      expect(isChecked(html, 'selfHarm-no')).toBe(false);
      expect(isChecked(html, 'wantsCall')).toBe(true);
      expect(isChecked(html, 'phq9-8-2')).toBe(true);
      expect(isChecked(html, 'gad7-0-3')).toBe(true);
      expect(isChecked(html, 'phq9-0-0')).toBe(false);
      expect(html).toContain('>\nSlept badly\nthen better</textarea>');
    });

    it('leaves a side effect unchecked when the submitted severity is unknown', () => {
      const html = form('en', {
        values: { 'sideEffects.panic': 'extreme' },
        errors: [{ field: 'sideEffects.panic', message: 'Invalid option' }],
      });
      for (const severity of ['none', 'mild', 'moderate', 'severe'])
        expect(isChecked(html, `sideEffects-panic-${severity}`)).toBe(false);
    });

    it('escapes a note and an error message that carry markup', () => {
      const html = form('en', {
        values: { note: XSS, mood: '"><script>alert(2)</script>' },
        errors: [
          { field: 'note', message: XSS },
          { field: XSS, message: XSS },
        ],
      });
      expect(html).not.toContain('<script');
      expect(html).toContain('&lt;script>alert(1)&lt;/script></textarea>');
    });

    it.each(LANGUAGES)('shows each error next to its field, linked from a summary (%s)', (language) => {
      const html = renderCheckinForm({
        language,
        kind: 'checkin-week',
        ...CLINIC,
        action: ACTION,
        values: { note: 'x'.repeat(2001) },
        errors: [
          { field: 'mood', message: 'Required' },
          { field: 'sideEffects.racing-heart', message: 'Invalid option' },
          { field: 'selfHarm', message: 'Required' },
          { field: 'note', message: 'Too long' },
          { field: 'phq9.4', message: 'Invalid' },
        ],
      });
      const cases = [
        { group: 'mood', inputs: ['mood-0', 'mood-10'], message: t(language, 'error.mood') },
        {
          group: 'sideEffects-racing-heart',
          inputs: ['sideEffects-racing-heart-none', 'sideEffects-racing-heart-severe'],
          message: t(language, 'error.sideEffect', { effect: t(language, 'sideEffect.racing-heart') }),
        },
        {
          group: 'selfHarm',
          inputs: ['selfHarm-no', 'selfHarm-yes'],
          message: t(language, 'error.selfHarm'),
        },
        {
          group: 'phq9-4',
          inputs: ['phq9-4-0', 'phq9-4-3'],
          message: t(language, 'error.phq9Item', { number: '5' }),
        },
      ];
      for (const { group, inputs, message } of cases) {
        const errorId = `${group}-error`;
        expect(html).toContain(`<div class="field has-error"><fieldset id="${group}"`);
        expect(tagWithId(html, group)).toMatch(new RegExp(`aria-describedby="[^"]*\\b${errorId}\\b`));
        for (const input of inputs) expect(tagWithId(html, input)).toContain('aria-invalid="true"');
        // The message sits inside the field's fieldset, right after its legend and hint.
        const fieldset = html.slice(html.indexOf(`<fieldset id="${group}"`));
        const inside = fieldset.slice(0, fieldset.indexOf('</fieldset>'));
        expect(inside).toContain(`<p class="field-error" id="${errorId}">`);
        expect(visibleText(inside)).toContain(message);
        expect(html).toContain(`<a href="#${inputs[0]}">${escapedText(message)}</a>`);
      }
      expect(tagWithId(html, 'note')).toMatch(/aria-describedby="note-hint note-error"/);
      expect(tagWithId(html, 'note')).toContain('aria-invalid="true"');
      expect(tagWithId(html, 'mood-0')).not.toContain('aria-describedby');
      expect(tagWithId(html, 'sideEffects-nausea-none')).not.toContain('aria-invalid');
      expect(html).toContain('role="alert" aria-labelledby="error-summary-title"');
      expect(html).toContain(`<title>${t(language, 'error.titlePrefix')} `);
      // The parser's own messages are for API clients, never shown to patients.
      expect(html).not.toMatch(/Invalid option|Too long|Required</);
    });

    it('sums up several unanswered items of one questionnaire as one entry, each item keeping its message', () => {
      const html = renderCheckinForm({
        language: 'en',
        kind: 'checkin-week',
        ...CLINIC,
        action: ACTION,
        values: { 'phq9.0': '1' },
        errors: [2, 3, 4].map((i) => ({ field: `phq9.${i}`, message: 'is required' })),
      });
      const summary = html.slice(html.indexOf('class="error-summary"'), html.indexOf('</ul>'));
      expect(summary.match(/<li>/g)).toHaveLength(1);
      expect(summary).toContain(`<a href="#phq9-2-0">${t('en', 'error.phq9')}</a>`);
      for (const i of [2, 3, 4]) {
        expect(tagWithId(html, `phq9-${i}-error`)).toBeTruthy();
        expect(visibleText(html)).toContain(t('en', 'error.phq9Item', { number: String(i + 1) }));
      }
    });

    it.each(CHECKIN_KINDS)('offers exactly the fields the form parser reads (%s)', (kind) => {
      const html = renderCheckinForm({ language: 'en', kind, ...CLINIC, action: ACTION });
      const form = html.slice(html.indexOf('<form'), html.indexOf('</form>'));
      const names = new Set([...form.matchAll(/\sname="([^"]+)"/g)].map((m) => m[1]));
      expect([...names]).toEqual([...checkinFormFields(kind)]);
    });

    it('shows the parser errors of a real rejected post next to their fields', () => {
      const values = { mood: '12', 'sideEffects.panic': 'extreme', 'phq9.0': '2', note: 'n' };
      const parsed = parseCheckinForm(values, 'checkin-week');
      if (parsed.ok) throw new Error('expected errors');
      const html = renderCheckinForm({
        language: 'es',
        kind: 'checkin-week',
        ...CLINIC,
        action: ACTION,
        values,
        errors: parsed.errors,
      });
      for (const { field } of parsed.errors) {
        expect(html, field).toContain(`id="${field.replace(/\./g, '-')}-error"`);
      }
      expect(mainOf(html)).not.toContain(t('es', 'error.other'));
    });

    it('folds unknown fields into one general message without a link', () => {
      const html = form('en', {
        errors: [
          { field: 'body', message: 'x' },
          { field: 'sideEffects.itching', message: 'y' },
        ],
      });
      const message = escapedText(t('en', 'error.other'));
      expect(html.split(message)).toHaveLength(3); // in the summary and above the form
      expect(html).toContain(`<li>${message}</li>`);
    });

    it('shows no summary and no error title without errors', () => {
      const html = form('es');
      expect(mainOf(html)).not.toContain('error-summary"');
      expect(mainOf(html)).not.toContain('aria-invalid');
      expect(html).toContain(`<title>${t('es', 'form.title')} – Sunrise Clinic</title>`);
    });

    it('asks the PHQ-9 and GAD-7 at checkin-week only, saying they are optional', () => {
      for (const kind of CHECKIN_KINDS) {
        for (const language of LANGUAGES) {
          const html = renderCheckinForm({ language, kind, ...CLINIC, action: ACTION });
          const week = kind === 'checkin-week';
          expect(html.includes('name="phq9.0"')).toBe(week);
          expect(html.includes('name="phq9.8"')).toBe(week);
          expect(html.includes('name="gad7.6"')).toBe(week);
          expect(html.includes(t(language, 'form.screeners.intro'))).toBe(week);
          expect(html).not.toContain('name="phq9.9"');
          expect(html).not.toContain('name="gad7.7"');
        }
      }
      const week = renderCheckinForm({ language: 'es', kind: 'checkin-week', ...CLINIC, action: ACTION });
      expect(week).toContain(t('es', 'phq9.option.2'));
      expect(week).toContain(t('es', 'gad7.option.0'));
    });

    it('does not link an error for a screener the form does not show', () => {
      expect(patientErrorFor('en', 'phq9.2', 'checkin-same-day')).toEqual({
        message: t('en', 'error.other'),
      });
      expect(patientErrorFor('en', 'phq9.2', 'checkin-week').anchor).toBe('phq9-2-0');
      expect(patientErrorFor('en', 'phq9.9', 'checkin-week').anchor).toBeUndefined();
    });
  });

  describe('renderReplyReceived', () => {
    it.each(LANGUAGES)(
      'thanks the patient and says the team will look at a review answer (%s)',
      (language) => {
        const review = renderReplyReceived({ language, ...CLINIC, level: 'review' });
        const routine = renderReplyReceived({ language, ...CLINIC, level: 'routine' });
        const lookAt =
          t(language, 'received.review.next', { clinicName: 'X', phone: 'Y' }).split('.')[0] ?? '';
        expect(visibleText(review)).toContain(lookAt);
        expect(visibleText(routine)).not.toContain(lookAt);
        for (const html of [review, routine]) {
          expect(html).toContain(`<h1>${t(language, 'received.title')}</h1>`);
          expect(mainOf(html)).toContain(CLINIC_PHONE_LINK);
          expect(mainOf(html)).toContain('<p class="small">');
          expect(mainOf(html)).toContain('<a href="tel:988">988</a>');
        }
      },
    );

    it('shows the crisis page for an urgent answer, so crisis resources are never left out', () => {
      expect(renderReplyReceived({ language: 'en', ...CLINIC, level: 'urgent' })).toBe(
        urgent('en', { actingNow: 'unknown' }),
      );
    });

    it.each(LANGUAGES)('gives the clinic promise to a patient who asked for a call (%s)', (language) => {
      const promise = config.callback.promise[language];
      const text = visibleText(
        renderReplyReceived({ language, ...CLINIC, level: 'review', callbackPromise: promise }),
      );
      expect(text).toContain(promise);
    });
  });

  describe('renderUrgentPage', () => {
    it.each(LANGUAGES.flatMap((language) => [true, false].map((saved) => [language, saved] as const)))(
      'lists 988 first for crisis advice when the patient is not acting now (%s, saved %s)',
      (language, saved) => {
        const main = mainOf(urgent(language, { saved }));
        const at = (needle: string) => {
          const index = main.indexOf(needle);
          expect(index, needle).toBeGreaterThan(-1);
          return index;
        };
        const call988 = at('<a href="tel:988" class="button button-danger"');
        const text988 = at('href="sms:988" class="button"');
        const call911 = at('href="tel:911" class="button button-secondary"');
        const status = at(`<h2>${t(language, 'crisis.answersHeading')}</h2>`);
        expect(call988).toBeLessThan(text988);
        expect(text988).toBeLessThan(call911);
        expect(call911).toBeLessThan(status);
        expect(main.slice(0, call988)).not.toMatch(/<a |<p>|<ul class="(?!resources)/);
        expect(main).toContain(
          language === 'es' ? 'href="https://988lineadevida.org"' : 'href="https://988lifeline.org"',
        );
      },
    );

    it.each(LANGUAGES)(
      'leads an emergency with "call 911 now, do not wait for our call" (%s)',
      (language) => {
        const main = mainOf(urgent(language, { advice: 'emergency' }));
        expect(main).toContain(`<h1>${t(language, 'emergency.title')}</h1>`);
        const lead = main.indexOf(t(language, 'emergency.lead'));
        expect(lead).toBeGreaterThan(-1);
        expect(lead).toBeLessThan(main.indexOf('<a href="tel:911" class="button button-danger"'));
        expect(main.indexOf('href="tel:911"')).toBeLessThan(main.indexOf('href="tel:988"'));
        expect(visibleText(main)).not.toContain(t(language, 'crisis.intro'));
      },
    );

    it.each(LANGUAGES)(
      'puts 911 first and says so when the patient may act now, or did not say (%s)',
      (language) => {
        for (const [actingNow, key] of [
          ['yes', 'crisis.actingNow'],
          ['unknown', 'crisis.bothFirst'],
        ] as const) {
          const main = mainOf(urgent(language, { actingNow }));
          expect(visibleText(main)).toContain(t(language, key));
          expect(main.indexOf('<a href="tel:911" class="button button-danger"')).toBeGreaterThan(-1);
          expect(main.indexOf('href="tel:911"')).toBeLessThan(main.indexOf('href="tel:988"'));
        }
      },
    );

    it.each(LANGUAGES)('asks a patient with severe vomiting to call the clinic first (%s)', (language) => {
      const main = mainOf(urgent(language, { advice: 'call-us' }));
      expect(main).toContain(`<h1>${t(language, 'callUs.title')}</h1>`);
      expect(main.indexOf('href="tel:5550100199"')).toBeLessThan(main.indexOf('href="tel:911"'));
      expect(main).toContain('href="tel:988"');
    });

    it.each(LANGUAGES)(
      'never promises a time, only that someone will try as soon as possible (%s)',
      (language) => {
        for (const advice of ['emergency', 'crisis', 'call-us'] as const) {
          const text = visibleText(urgent(language, { advice }));
          expect(text).toContain(t(language, 'urgent.letting'));
          expect(text).not.toMatch(/within|minutes|while you wait|mientras espera|en los próximos/i);
        }
      },
    );

    it.each(LANGUAGES.flatMap((language) => [true, false].map((saved) => [language, saved] as const)))(
      'lists 911 and 988 before anything else after a self-harm answer without the follow-up (%s, saved %s)',
      (language, saved) => {
        const main = mainOf(urgent(language, { saved, actingNow: 'unknown' }));
        const at = (needle: string) => {
          const index = main.indexOf(needle);
          expect(index, needle).toBeGreaterThan(-1);
          return index;
        };
        const call911 = at('<a href="tel:911" class="button button-danger"');
        const call988 = at('href="tel:988" class="button"');
        const text988 = at('href="sms:988" class="button"');
        const clinic = at('href="tel:5550100199"');
        const status = at(`<h2>${t(language, 'crisis.answersHeading')}</h2>`);
        expect(call911).toBeLessThan(call988);
        expect(call988).toBeLessThan(text988);
        expect(text988).toBeLessThan(clinic);
        expect(clinic).toBeLessThan(status);
        expect(main.slice(0, call911)).not.toMatch(/<a |<ul class="(?!resources)/);
      },
    );

    it.each(LANGUAGES)(
      'says the care team is being alerted only when the answer was saved (%s)',
      (language) => {
        const saved = visibleText(urgent(language));
        const notSaved = visibleText(urgent(language, { saved: false }));
        expect(saved).toContain(t(language, 'crisis.saved'));
        expect(saved).toContain(t(language, 'urgent.letting'));
        for (const other of LANGUAGES) {
          expect(notSaved).not.toContain(t(other, 'crisis.saved'));
          expect(notSaved).not.toContain(t(other, 'urgent.letting'));
        }
        expect(notSaved).not.toMatch(
          /being alerted|have told|has been told|avisando|hemos avisado|le avisamos/i,
        );
        expect(notSaved).toContain(t(language, 'crisis.notSaved'));
        expect(notSaved).toContain(
          t(language, 'crisis.notSavedCall', { clinicName: CLINIC.clinicName, phone: CLINIC.clinicPhone }),
        );
      },
    );

    it('escapes the clinic name and phone', () => {
      const html = renderUrgentPage({
        language: 'en',
        clinicName: XSS,
        clinicPhone: '555"<x>',
        advice: 'call-us',
        actingNow: 'no',
        saved: false,
      });
      expect(html).not.toContain('<script');
      expect(html).not.toContain('<x>');
    });
  });

  describe('renderLinkProblemPage', () => {
    const TECHNICAL =
      /token|error|invalid|stack|exception|trace|hmac|signature|undefined|null|\b(?:40[0-9]|410|50[0-9])\b|forbidden|unauthori[sz]ed|tamper/i;

    it.each(
      LANGUAGES.flatMap((language) =>
        (['invalid', 'expired', 'revoked', 'not-found', 'not-saved', 'too-many', 'too-large'] as const).map(
          (problem) => [language, problem] as const,
        ),
      ),
    )('explains a %s %s link kindly, without technical words', (language, problem) => {
      const html = renderLinkProblemPage({ language, ...CLINIC, problem });
      const shown = visibleText(html) + (/<title>([^<]*)<\/title>/.exec(html)?.[1] ?? '');
      expect(shown).not.toMatch(TECHNICAL);
      expect(html).toContain(`<h1>${t(language, `problem.${problem}.title`)}</h1>`);
      expect(mainOf(html)).toContain(CLINIC_PHONE_LINK);
      expect(mainOf(html)).toContain('<a href="tel:988">988</a>');
    });

    it('says how to reach the clinic when a link has expired', () => {
      const html = renderLinkProblemPage({ language: 'es', ...CLINIC, problem: 'expired' });
      expect(visibleText(html)).toContain(
        t('es', 'problem.contact', { clinicName: CLINIC.clinicName, phone: CLINIC.clinicPhone }),
      );
    });

    it('speaks English and Spanish when the language is unknown', () => {
      const html = renderLinkProblemPage({ ...CLINIC, problem: 'invalid' });
      expect(html).toContain('<html lang="en">');
      expect(html).toContain(`<span class="title-es" lang="es">${t('es', 'problem.invalid.title')}</span>`);
      expect(html).toContain('<div class="lang-block" lang="es">');
      expect(visibleText(html)).toContain(t('en', 'problem.invalid.body'));
      expect(visibleText(html)).toContain(t('es', 'problem.invalid.body'));
      expect(html).toContain(
        `<title>${t('en', 'problem.invalid.title')} / ${t('es', 'problem.invalid.title')}`,
      );
      expect(visibleText(html)).not.toMatch(TECHNICAL);
    });

    it('still helps without the clinic details', () => {
      const html = renderLinkProblemPage({ problem: 'invalid' });
      expect(visibleText(html)).toContain(t('en', 'problem.contactUnknown'));
      expect(visibleText(html)).toContain(t('es', 'problem.contactUnknown'));
      expect(html).not.toContain('<header');
      expect(html.match(/<title>/g)).toHaveLength(1);
    });
  });

  describe('renderInstructionsPage', () => {
    it.each(LANGUAGES)('renders the clinic prep-instructions body for the booking (%s)', (language) => {
      const booking = fullBookingSchema.parse(sampleBooking(config, language));
      const html = renderInstructionsPage({ language, config, booking });
      const main = mainOf(html);
      expect(main).toContain(`<h1>${t(language, 'instructions.title')}</h1>`);
      expect(main).not.toMatch(/\{\{|\}\}/);
      expect(main).toContain(`<a href="tel:${config.clinic.phone.replace(/[^\d+]/g, '')}">`);
      expect(main).toMatch(/<ul><li>/);
      expect(main).toContain(language === 'en' ? '<h2>What to bring</h2>' : '<h2>Qué traer</h2>');
      expect(visibleText(main)).toContain(booking.patient.firstName);
      expect(html).toContain(`<title>${t(language, 'instructions.title')} – ${config.clinic.name}</title>`);
    });

    it('escapes values from the booking', () => {
      const booking = fullBookingSchema.parse(sampleBooking(config, 'en', { patient: { firstName: XSS } }));
      const html = renderInstructionsPage({ language: 'en', config, booking });
      expect(html).not.toContain('<script');
      expect(html).toContain('&lt;script>');
    });
  });
});

describe('i18n catalogue use', () => {
  it('shows every side effect label on the form in both languages', () => {
    for (const language of LANGUAGES) {
      const html = form(language);
      for (const effect of SIDE_EFFECTS) expect(html).toContain(CATALOGUES[language][`sideEffect.${effect}`]);
    }
  });
});
