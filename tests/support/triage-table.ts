import type { TriageLevel } from '../../shared/contracts/triage-rules';
import type { Advice, CheckinAnswers, CheckinKind } from '../../shared/contracts/vocabulary';

/*
 * DESIGN section 7's triage table, clause by clause, as data: the unit tests
 * run it through `triageReply`, the end-to-end tests post it through the
 * local runtime, and both expect the same level and advice.
 */

export interface TriageCase {
  name: string;
  /** The whole reply: a calm one with the case's changes. */
  changes: CheckinAnswers;
  kind: CheckinKind;
  level: TriageLevel;
  advice: Advice;
}

/** A reply that fires no default rule. */
export const CALM: CheckinAnswers = {
  mood: 7,
  sideEffects: { nausea: 'mild' },
  selfHarm: 'no',
  wantsCall: false,
};

/** Nine PHQ-9 answers with item 9 (index 8) set and the others adding up to `others` (at most 24). */
export function phq9(others: number, item9 = 0): number[] {
  const items = Array.from({ length: 8 }, (_, index) => Math.max(0, Math.min(3, others - index * 3)));
  return [...items, item9];
}

/** Seven GAD-7 answers adding up to `total`. */
export function gad7(total: number): number[] {
  return Array.from({ length: 7 }, (_, index) => Math.max(0, Math.min(3, total - index * 3)));
}

const effects = (sideEffects: CheckinAnswers['sideEffects']) => ({ sideEffects });
const SAME: CheckinKind = 'checkin-same-day';
const NEXT: CheckinKind = 'checkin-next-day';
const WEEK: CheckinKind = 'checkin-week';

/**
 * DESIGN section 7's triage table, clause by clause: the reply (changes to a
 * calm one), the check-in, and the level and advice it must get.
 */
export const TRIAGE_TABLE: TriageCase[] = (
  [
    ['self-harm yes', { selfHarm: 'yes', selfHarmNow: 'no' }, SAME, 'urgent', 'crisis'],
    [
      'acting now (selfHarmNow yes counts as selfHarm yes)',
      { selfHarm: 'no', selfHarmNow: 'yes' },
      NEXT,
      'urgent',
      'crisis',
    ],
    ['PHQ-9 item 9 at 1', { phq9: phq9(0, 1) }, WEEK, 'urgent', 'crisis'],
    [
      'a note "I plan to end it tonight" with everything else none',
      { note: 'I plan to end it tonight', sideEffects: {} },
      SAME,
      'urgent',
      'crisis',
    ],
    ['a Spanish note "quiero morir"', { note: 'A veces QUIERO morir...' }, NEXT, 'urgent', 'crisis'],
    ['panic moderate at next day', effects({ panic: 'moderate' }), NEXT, 'urgent', 'crisis'],
    [
      'unusually high mood moderate at week',
      effects({ 'unusually-high-mood': 'moderate' }),
      WEEK,
      'urgent',
      'crisis',
    ],
    [
      'hallucinations moderate at next day',
      effects({ hallucinations: 'moderate' }),
      NEXT,
      'urgent',
      'crisis',
    ],
    [
      'dissociation moderate and still now at next day',
      { sideEffects: { dissociation: 'moderate' }, stillNow: { dissociation: true } },
      NEXT,
      'urgent',
      'crisis',
    ],
    [
      'out-of-body severe, still now unanswered, at week',
      effects({ 'out-of-body': 'severe' }),
      WEEK,
      'urgent',
      'crisis',
    ],
    ['restlessness severe on the same day', effects({ restlessness: 'severe' }), SAME, 'urgent', 'crisis'],
    ['panic severe on the same day', effects({ panic: 'severe' }), SAME, 'urgent', 'crisis'],
    ['mild chest pain', effects({ 'chest-pain': 'mild' }), SAME, 'urgent', 'emergency'],
    ['mild trouble breathing', effects({ 'trouble-breathing': 'mild' }), WEEK, 'urgent', 'emergency'],
    ['fainting, mild', effects({ fainting: 'mild' }), NEXT, 'urgent', 'emergency'],
    ['confusion moderate at next day', effects({ confusion: 'moderate' }), NEXT, 'urgent', 'emergency'],
    [
      'poor coordination moderate at week',
      effects({ 'poor-coordination': 'moderate' }),
      WEEK,
      'urgent',
      'emergency',
    ],
    ['dizziness severe', effects({ dizziness: 'severe' }), SAME, 'urgent', 'emergency'],
    ['racing heart severe', effects({ 'racing-heart': 'severe' }), SAME, 'urgent', 'emergency'],
    ['headache severe', effects({ headache: 'severe' }), NEXT, 'urgent', 'emergency'],
    ['blurred vision severe', effects({ 'blurred-vision': 'severe' }), SAME, 'urgent', 'emergency'],
    ['confusion severe on the same day', effects({ confusion: 'severe' }), SAME, 'urgent', 'emergency'],
    ['nausea severe', effects({ nausea: 'severe' }), SAME, 'urgent', 'call-us'],
    ['vomiting severe', effects({ vomiting: 'severe' }), NEXT, 'urgent', 'call-us'],
    ['bladder severe', effects({ bladder: 'severe' }), WEEK, 'urgent', 'call-us'],
    [
      'chest pain and self-harm: emergency is the stronger advice',
      { selfHarm: 'yes', selfHarmNow: 'no', sideEffects: { 'chest-pain': 'mild' } },
      NEXT,
      'urgent',
      'emergency',
    ],
    ['fatigue severe on the same day (expected)', effects({ fatigue: 'severe' }), SAME, 'review', 'none'],
    [
      'dissociation severe on the same day (expected)',
      effects({ dissociation: 'severe' }),
      SAME,
      'review',
      'none',
    ],
    [
      'out-of-body moderate on the same day (expected)',
      effects({ 'out-of-body': 'moderate' }),
      SAME,
      'review',
      'none',
    ],
    ['fatigue severe at next day', effects({ fatigue: 'severe' }), NEXT, 'review', 'none'],
    [
      'dissociation moderate at next day but gone now',
      { sideEffects: { dissociation: 'moderate' }, stillNow: { dissociation: false } },
      NEXT,
      'review',
      'none',
    ],
    ['panic moderate on the same day', effects({ panic: 'moderate' }), SAME, 'review', 'none'],
    [
      'hallucinations moderate on the same day',
      effects({ hallucinations: 'moderate' }),
      SAME,
      'review',
      'none',
    ],
    ['confusion moderate on the same day', effects({ confusion: 'moderate' }), SAME, 'review', 'none'],
    ['headache moderate', effects({ headache: 'moderate' }), NEXT, 'review', 'none'],
    ['bladder mild', effects({ bladder: 'mild' }), SAME, 'review', 'none'],
    [
      'unusually high mood mild at next day',
      effects({ 'unusually-high-mood': 'mild' }),
      NEXT,
      'review',
      'none',
    ],
    ['hallucinations mild at week', effects({ hallucinations: 'mild' }), WEEK, 'review', 'none'],
    ['confusion mild at next day', effects({ confusion: 'mild' }), NEXT, 'review', 'none'],
    [
      'dissociation mild and still now at next day',
      { sideEffects: { dissociation: 'mild' }, stillNow: { dissociation: true } },
      NEXT,
      'review',
      'none',
    ],
    ['mood 3', { mood: 3 }, NEXT, 'review', 'none'],
    ['any note', { note: 'Slept a lot.' }, SAME, 'review', 'none'],
    ['"please call me" (review, not urgent)', { wantsCall: true }, SAME, 'review', 'callback'],
    ['PHQ-9 total 15', { phq9: phq9(15) }, WEEK, 'review', 'none'],
    ['GAD-7 total 15', { gad7: gad7(15) }, WEEK, 'review', 'none'],
    ['hallucinations mild on the same day', effects({ hallucinations: 'mild' }), SAME, 'routine', 'none'],
    [
      'dissociation mild at next day, gone now',
      { sideEffects: { dissociation: 'mild' }, stillNow: { dissociation: false } },
      NEXT,
      'routine',
      'none',
    ],
    ['mood 4 and nausea mild', { mood: 4 }, WEEK, 'routine', 'none'],
    [
      'a note that says "send it" (no whole-word "end it")',
      { note: 'Please send it to my email', wantsCall: false },
      NEXT,
      'review',
      'none',
    ],
  ] as [string, Partial<CheckinAnswers>, CheckinKind, TriageLevel, Advice][]
).map(([name, changes, kind, level, advice]) => ({
  name,
  changes: { ...CALM, ...changes },
  kind,
  level,
  advice,
}));
