import { describe, expect, it } from 'vitest';
import { LANGUAGES } from '../../shared/contracts/booking-events';
import { GAD7_ITEMS, PHQ9_ITEMS, SEVERITIES, SIDE_EFFECTS } from '../../shared/contracts/vocabulary';
import {
  crisisResources,
  LIFELINE_URL,
  LIFELINE_URL_ES,
  smsHref,
  telHref,
} from '../../shared/domain/checkins/crisis-resources';
import {
  CATALOGUES,
  type Catalogue,
  htmlLang,
  type MessageKey,
  paramNamesOf,
  t,
} from '../../shared/web/i18n';

/** Keys of `other` missing from `reference`'s keys, and keys `other` has that `reference` does not. */
function keyDifferences(reference: object, other: object): { missing: string[]; extra: string[] } {
  const a = Object.keys(reference);
  const b = Object.keys(other);
  return { missing: a.filter((key) => !b.includes(key)), extra: b.filter((key) => !a.includes(key)) };
}

const KEYS = Object.keys(CATALOGUES.en) as MessageKey[];

describe('i18n', () => {
  describe('CATALOGUES', () => {
    it('has exactly the English keys in Spanish', () => {
      expect(keyDifferences(CATALOGUES.en, CATALOGUES.es)).toEqual({ missing: [], extra: [] });
    });

    it('finds a deliberately missing or extra key (the same check, on a broken catalogue)', () => {
      const { 'form.submit': _dropped, ...incomplete } = CATALOGUES.es;
      expect(keyDifferences(CATALOGUES.en, { ...incomplete, 'form.sumbit': 'x' })).toEqual({
        missing: ['form.submit'],
        extra: ['form.sumbit'],
      });
      // The type forbids it before any test runs: `npm run typecheck` fails if this line compiles.
      // @ts-expect-error a Spanish catalogue without 'form.submit' is not a Catalogue
      const broken: Catalogue = incomplete;
      expect(broken).toBeDefined();
    });

    it.each(KEYS)('has a non-empty text for %s in every language', (key) => {
      for (const language of LANGUAGES) expect(CATALOGUES[language][key].trim()).not.toBe('');
    });

    it.each(KEYS)('uses the same parameters for %s in every language', (key) => {
      const english = paramNamesOf(CATALOGUES.en[key]).sort();
      expect(paramNamesOf(CATALOGUES.es[key]).sort()).toEqual(english);
    });

    it('words every side effect, severity and screener item', () => {
      const catalogue: Readonly<Record<string, string>> = CATALOGUES.es;
      const needed = [
        ...SIDE_EFFECTS.map((effect) => `sideEffect.${effect}`),
        ...SEVERITIES.map((severity) => `severity.${severity}`),
        ...Array.from({ length: PHQ9_ITEMS }, (_, i) => `phq9.${i}`),
        ...Array.from({ length: GAD7_ITEMS }, (_, i) => `gad7.${i}`),
      ];
      for (const key of needed) expect(catalogue[key], key).toBeTruthy();
    });

    it('does not use the C-SSRS wording for the self-harm question', () => {
      for (const language of LANGUAGES) {
        const question = CATALOGUES[language]['form.selfHarm.legend'].toLowerCase();
        expect(question).not.toMatch(/wish you were dead|wished you were dead|go to sleep and not wake up/);
        expect(question).not.toMatch(/deseado estar muerto|dormir y no despertar/);
      }
      expect(t('en', 'form.selfHarm.legend', { window: 'since you left the clinic' })).toContain(
        'better off dead',
      );
    });

    it('gives the standard PHQ-9 and GAD-7 response options', () => {
      const options = [0, 1, 2, 3].map((n) => t('en', `phq9.option.${n as 0 | 1 | 2 | 3}`));
      expect(options).toEqual(['Not at all', 'Several days', 'More than half the days', 'Nearly every day']);
      expect(t('es', 'phq9.option.3')).toBe('Casi todos los días');
    });
  });

  describe('t', () => {
    it('fills parameters as plain text', () => {
      expect(t('en', 'crisis.notSavedCall', { clinicName: 'Sunrise', phone: '555-0100' })).toBe(
        'Please call Sunrise now at 555-0100.',
      );
      expect(t('es', 'crisis.notSavedCall', { clinicName: 'Sunrise', phone: '555-0100' })).toBe(
        'Por favor, llame ahora a Sunrise al 555-0100.',
      );
    });

    it('returns the text of a message without parameters', () => {
      expect(t('es', 'form.submit')).toBe('Enviar mis respuestas');
    });
  });

  describe('htmlLang', () => {
    it('gives the lang attribute of each language', () => {
      expect(htmlLang('en')).toBe('en');
      expect(htmlLang('es')).toBe('es');
    });
  });
});

describe('crisis-resources', () => {
  describe('crisisResources', () => {
    it.each(LANGUAGES)(
      'lists 911, then 988 by call or text, then the clinic, in %s, unless told otherwise',
      (language) => {
        const resources = crisisResources(language, { name: 'Sunrise', phone: '(555) 010-0199' });
        expect(resources.map((r) => [r.phone, r.sms])).toEqual([
          ['911', undefined],
          ['988', '988'],
          ['(555) 010-0199', undefined],
        ]);
        expect(resources[1]?.url).toBe(language === 'es' ? LIFELINE_URL_ES : LIFELINE_URL);
        expect(resources[2]?.label).toContain('Sunrise');
      },
    );

    it('orders the resources by advice: 988 first for crisis when not acting now, the clinic first for call-us', () => {
      const clinic = { name: 'Sunrise', phone: '555' };
      const phones = (
        ...args: Parameters<typeof crisisResources> extends [unknown, unknown, ...infer R] ? R : never
      ) => crisisResources('en', clinic, ...args).map((resource) => resource.phone);
      expect(phones('crisis', 'no')).toEqual(['988', '911', '555']);
      expect(phones('crisis', 'yes')).toEqual(['911', '988', '555']);
      expect(phones('crisis', 'unknown')).toEqual(['911', '988', '555']);
      expect(phones('emergency', 'no')).toEqual(['911', '988', '555']);
      expect(phones('call-us', 'no')).toEqual(['555', '911', '988']);
    });

    it('gives Spanish speakers 988 with "press 2" and AYUDA, and the Spanish chat', () => {
      const [, lifeline] = crisisResources('es', { name: 'Sol', phone: '555' });
      expect(lifeline?.label).toContain('llame al 988 y oprima 2, o envíe AYUDA por mensaje de texto al 988');
      expect(lifeline?.url).toBe('https://988lineadevida.org');
    });

    it('labels the resources in the patient language', () => {
      expect(crisisResources('es', { name: 'Sunrise', phone: '555' })[0]?.label).toBe(
        'Si está en peligro ahora o en una emergencia: llame al 911',
      );
    });
  });

  describe('telHref', () => {
    it('keeps only digits and a plus', () => {
      expect(telHref('+1 (555) 010-0199')).toBe('tel:+15550100199');
      expect(smsHref('988')).toBe('sms:988');
    });
  });
});
