import { GAD7_ITEMS, PHQ9_ITEMS, SCREENER_ITEM_MAX } from '../../contracts/vocabulary';

/** PHQ-9 severity bands, least severe first (Kroenke, Spitzer & Williams 2001). */
export const PHQ9_BANDS = ['minimal', 'mild', 'moderate', 'moderately-severe', 'severe'] as const;
export type Phq9Band = (typeof PHQ9_BANDS)[number];

/** GAD-7 severity bands, least severe first (Spitzer et al. 2006). */
export const GAD7_BANDS = ['minimal', 'mild', 'moderate', 'severe'] as const;
export type Gad7Band = (typeof GAD7_BANDS)[number];

/** A screener's total (the sum of its items) and the band that total falls in. */
export interface ScreenerScore<Band extends string> {
  total: number;
  band: Band;
}
export type Phq9Score = ScreenerScore<Phq9Band>;
export type Gad7Score = ScreenerScore<Gad7Band>;

/** The lowest total of each band; a total belongs to the last band whose floor it reaches. */
export const PHQ9_FLOORS: readonly (readonly [Phq9Band, number])[] = [
  ['minimal', 0],
  ['mild', 5],
  ['moderate', 10],
  ['moderately-severe', 15],
  ['severe', 20],
];
export const GAD7_FLOORS: readonly (readonly [Gad7Band, number])[] = [
  ['minimal', 0],
  ['mild', 5],
  ['moderate', 10],
  ['severe', 15],
];

/**
 * Scores a PHQ-9: the total of its nine items (0-27) and its band: minimal
 * 0-4, mild 5-9, moderate 10-14, moderately-severe 15-19, severe 20-27.
 *
 * @param items the nine answers in questionnaire order, each 0-3
 * @throws RangeError when there are not nine items or an item is not a whole number 0-3;
 *   answers are validated at the edge, so this is a programming error
 */
export function scorePhq9(items: readonly number[]): Phq9Score {
  return score('PHQ-9', items, PHQ9_ITEMS, PHQ9_FLOORS);
}

/**
 * Scores a GAD-7: the total of its seven items (0-21) and its band: minimal
 * 0-4, mild 5-9, moderate 10-14, severe 15-21.
 *
 * @param items the seven answers in questionnaire order, each 0-3
 * @throws RangeError when there are not seven items or an item is not a whole number 0-3
 */
export function scoreGad7(items: readonly number[]): Gad7Score {
  return score('GAD-7', items, GAD7_ITEMS, GAD7_FLOORS);
}

function score<Band extends string>(
  name: string,
  items: readonly number[],
  count: number,
  floors: readonly (readonly [Band, number])[],
): ScreenerScore<Band> {
  if (items.length !== count) throw new RangeError(`${name} has ${count} items, got ${items.length}`);
  for (const item of items) {
    if (!Number.isInteger(item) || item < 0 || item > SCREENER_ITEM_MAX) {
      throw new RangeError(`${name} items are whole numbers 0-${SCREENER_ITEM_MAX}, got ${item}`);
    }
  }
  const total = items.reduce((sum, item) => sum + item, 0);
  let band = floors[0]?.[0];
  for (const [candidate, floor] of floors) if (total >= floor) band = candidate;
  if (band === undefined) throw new RangeError(`${name} has no bands`);
  return { total, band };
}
