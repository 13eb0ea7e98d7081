import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  GSM7_BASIC,
  GSM7_EXTENSION,
  gsm7Units,
  isSingleGsm7Segment,
  toGsm7,
} from '../../shared/domain/messages/gsm7';

/** Characters that exercise every branch of the transliteration. */
const TRICKY = [
  ...'áíóúÁÍÓÚçÇéÉñÑüÜ¿¡€^{}[]~|\\\f\n\r\t',
  ...'\u2018\u2019\u201C\u201D\u2013\u2014\u2026\u00A0\u202F\u200B\u00AD',
  ...'ŁłŒœÞþßÆæØøÅå½²ﬁﬃＡ™©',
  'e\u0301',
  '\u0301',
  '😀',
  '中',
  '\uD800',
];

const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: fc.constantFrom(...TRICKY, 'a', ' '), maxLength: 60 }),
);
const gsmText = fc.string({ unit: fc.constantFrom(...GSM7_BASIC, ...GSM7_EXTENSION), maxLength: 200 });

describe('gsm7', () => {
  describe('gsm7Units', () => {
    it('counts one unit per basic character including é ñ ü ¿ ¡ Ç', () => {
      expect(gsm7Units('Hello')).toBe(5);
      expect(gsm7Units('¿Qué? ¡Señor Müller! Ç')).toBe(22);
    });

    it('counts extension characters and form feed twice', () => {
      expect(gsm7Units('€')).toBe(2);
      expect(gsm7Units('^{}\\[~]|')).toBe(16);
      expect(gsm7Units('a\fb')).toBe(4);
    });

    it('returns undefined when a character is not GSM-7', () => {
      expect(gsm7Units('Ramón')).toBeUndefined();
      expect(gsm7Units('ça')).toBeUndefined();
      expect(gsm7Units('hi 😀')).toBeUndefined();
      expect(gsm7Units('9:30\u202FAM')).toBeUndefined();
    });
  });

  describe('isSingleGsm7Segment', () => {
    it('accepts exactly 160 units and rejects 161', () => {
      expect(isSingleGsm7Segment('a'.repeat(160))).toBe(true);
      expect(isSingleGsm7Segment('a'.repeat(161))).toBe(false);
    });

    it('counts extension characters twice against the limit', () => {
      expect(isSingleGsm7Segment('€'.repeat(80))).toBe(true);
      expect(isSingleGsm7Segment(`${'€'.repeat(80)}a`)).toBe(false);
    });

    it('rejects short text that is not GSM-7', () => {
      expect(isSingleGsm7Segment('í')).toBe(false);
    });
  });

  describe('toGsm7', () => {
    it('strips accents GSM-7 lacks and keeps those it has', () => {
      expect(toGsm7('Ramón')).toBe('Ramon');
      expect(toGsm7('José Núñez Álvarez')).toBe('José Nuñez Alvarez');
      expect(toGsm7('¿Cómo está? ¡Sí!')).toBe('¿Como esta? ¡Si!');
      expect(toGsm7('François Çelik')).toBe('Francois Çelik');
      expect(toGsm7('Łukasz Øster')).toBe('Lukasz Øster');
    });

    it('composes a separately typed accent before deciding', () => {
      expect(toGsm7('Rene\u0301')).toBe('René');
      expect(toGsm7('Rama\u0301n')).toBe('Raman');
    });

    it('maps typographic punctuation and special spaces to ASCII', () => {
      expect(toGsm7('\u201CHi\u201D \u2018you\u2019 \u2013 wait\u2026')).toBe('"Hi" \'you\' - wait...');
      expect(toGsm7('9:30\u202FAM\u00A0EDT\ttoday')).toBe('9:30 AM EDT today');
      expect(toGsm7('co\u00ADop\u200B')).toBe('coop');
    });

    it('replaces characters with no GSM-7 stand-in by ?', () => {
      expect(toGsm7('Hi 😀 中')).toBe('Hi ? ?');
      expect(toGsm7('©')).toBe('?');
    });

    it('keeps text that is already GSM-7 unchanged', () => {
      fc.assert(fc.property(gsmText, (text) => toGsm7(text) === text));
    });

    it('always returns GSM-7 text', () => {
      fc.assert(fc.property(anyText, (text) => gsm7Units(toGsm7(text)) !== undefined));
    });

    it('is idempotent', () => {
      fc.assert(
        fc.property(anyText, (text) => {
          const once = toGsm7(text);
          return toGsm7(once) === once;
        }),
      );
    });

    it('returns at most three characters per input UTF-16 unit', () => {
      fc.assert(fc.property(anyText, (text) => toGsm7(text).length <= 3 * text.length));
    });

    it('needs at least one unit per output character', () => {
      fc.assert(
        fc.property(anyText, (text) => {
          const out = toGsm7(text);
          return (gsm7Units(out) ?? -1) >= out.length;
        }),
      );
    });
  });
});
