import { describe, expect, it } from 'vitest';
import { scoreGad7, scorePhq9 } from '../../shared/domain/checkins/screeners';

/** Answers that add up to `total`, filling items with 3 from the first one. */
function itemsTotalling(total: number, count: number): number[] {
  return Array.from({ length: count }, (_, index) => Math.max(0, Math.min(3, total - index * 3)));
}

describe('screeners', () => {
  describe('scorePhq9', () => {
    it.each([
      [0, 'minimal'],
      [4, 'minimal'],
      [5, 'mild'],
      [9, 'mild'],
      [10, 'moderate'],
      [14, 'moderate'],
      [15, 'moderately-severe'],
      [19, 'moderately-severe'],
      [20, 'severe'],
      [27, 'severe'],
    ] as const)('puts a total of %i in the %s band', (total, band) => {
      const items = itemsTotalling(total, 9);
      expect(items.reduce((sum, item) => sum + item, 0)).toBe(total);
      expect(scorePhq9(items)).toEqual({ total, band });
    });

    it('sums the items in any order', () => {
      expect(scorePhq9([0, 1, 2, 3, 0, 1, 2, 3, 1])).toEqual({ total: 13, band: 'moderate' });
    });

    it('throws when there are not nine items', () => {
      expect(() => scorePhq9([0, 0, 0, 0, 0, 0, 0, 0])).toThrow(RangeError);
      expect(() => scorePhq9([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toThrow(RangeError);
    });

    it('throws when an item is not a whole number from 0 to 3', () => {
      expect(() => scorePhq9([0, 0, 0, 0, 0, 0, 0, 0, 4])).toThrow(RangeError);
      expect(() => scorePhq9([0, 0, 0, 0, 0, 0, 0, 0, -1])).toThrow(RangeError);
      expect(() => scorePhq9([0, 0, 0, 0, 0, 0, 0, 0, 1.5])).toThrow(RangeError);
    });
  });

  describe('scoreGad7', () => {
    it.each([
      [0, 'minimal'],
      [4, 'minimal'],
      [5, 'mild'],
      [9, 'mild'],
      [10, 'moderate'],
      [14, 'moderate'],
      [15, 'severe'],
      [21, 'severe'],
    ] as const)('puts a total of %i in the %s band', (total, band) => {
      const items = itemsTotalling(total, 7);
      expect(items.reduce((sum, item) => sum + item, 0)).toBe(total);
      expect(scoreGad7(items)).toEqual({ total, band });
    });

    it('throws when there are not seven items or an item is out of range', () => {
      expect(() => scoreGad7([0, 0, 0, 0, 0, 0])).toThrow(RangeError);
      expect(() => scoreGad7([0, 0, 0, 0, 0, 0, 9])).toThrow(RangeError);
    });
  });
});
