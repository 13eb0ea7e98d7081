import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ReadinessAnswer, readinessOf, readReadinessForm } from '../../shared/domain/messages/readiness';
import { readinessWords } from '../../shared/web/console/today-page';

const AT = '2026-11-02T15:00:00.000Z';
const sms = (ready: boolean): ReadinessAnswer => ({ via: 'sms', at: AT, ready });
const form = (rideHome: 'yes' | 'no', fasting: 'yes' | 'no', newMedicine: 'yes' | 'no'): ReadinessAnswer => ({
  via: 'form',
  at: AT,
  rideHome,
  fasting,
  newMedicine,
});

describe('readiness', () => {
  it('is unanswered with no answer, confirmed by an SMS YES (the medicine question left open)', () => {
    expect(readinessOf([])).toEqual({ state: 'unanswered', concerns: [], medicineOpen: true });
    expect(readinessOf([sms(true)])).toEqual({ state: 'confirmed', concerns: [], medicineOpen: true });
    expect(readinessOf([form('yes', 'yes', 'no')])).toEqual({
      state: 'confirmed',
      concerns: [],
      medicineOpen: false,
    });
  });

  it('names each concern: an SMS NO, no ride home, fasting not understood, a new medicine', () => {
    expect(readinessOf([sms(false)]).concerns).toEqual(['ride-or-fasting']);
    expect(readinessOf([form('no', 'no', 'yes')]).concerns).toEqual(['ride-home', 'fasting', 'new-medicine']);
    expect(readinessOf([sms(true), form('yes', 'yes', 'yes')]).state).toBe('concern');
  });

  it('lets any "no" on one channel win over a "yes" on the other, in any order', () => {
    const answer = fc.oneof(
      fc.boolean().map(sms),
      fc
        .tuple(fc.constantFrom('yes', 'no'), fc.constantFrom('yes', 'no'), fc.constantFrom('yes', 'no'))
        .map(([r, f, m]) => form(r as 'yes' | 'no', f as 'yes' | 'no', m as 'yes' | 'no')),
    );
    fc.assert(
      fc.property(fc.uniqueArray(answer, { selector: (a) => a.via, maxLength: 2 }), (answers) => {
        const worried = answers.some((a) =>
          a.via === 'sms' ? !a.ready : a.rideHome === 'no' || a.fasting === 'no' || a.newMedicine === 'yes',
        );
        const result = readinessOf(answers);
        expect(result.state === 'concern').toBe(worried);
        expect(readinessOf([...answers].reverse())).toEqual(result);
      }),
    );
  });

  it('reads the form only when every question has a yes or a no, naming those left out in page order', () => {
    expect(readReadinessForm({ rideHome: 'yes', fasting: 'yes', newMedicine: 'no' }, AT)).toEqual({
      ok: true,
      answer: form('yes', 'yes', 'no'),
    });
    expect(readReadinessForm({ newMedicine: 'maybe', rideHome: 'yes' }, AT)).toEqual({
      ok: false,
      missing: ['fasting', 'newMedicine'],
    });
  });
});

describe('readiness in the console', () => {
  it('says in words whether the patient is ready, how they said so, and what needs a call', () => {
    const words = (answers: ReadinessAnswer[]) =>
      readinessWords({ ...readinessOf(answers), via: answers.map((a) => a.via) });
    expect(words([])).toBe('Ready? No answer yet');
    expect(words([sms(true)])).toBe('Ready: confirmed YES by text; new medicines not asked yet');
    expect(words([form('yes', 'yes', 'no')])).toBe('Ready: confirmed on the form');
    expect(words([sms(false), form('no', 'yes', 'yes')])).toBe(
      'Ready? Needs a call: answered NO by text (ride home or eating and drinking times); no ride home; a new medicine since the last visit',
    );
  });
});
