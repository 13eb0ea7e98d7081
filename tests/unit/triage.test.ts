import { describe, expect, it } from 'vitest';
import clinicConfig from '../../config/clinic';
import { ClinicConfigError, parseClinicConfig } from '../../shared/contracts/clinic-config';
import {
  DEFAULT_TRIAGE_RULES,
  DEFAULT_URGENT_PHRASES,
  duplicateRuleIds,
  type TriageRule,
  type TriageRuleInput,
  triageRuleSchema,
  triageRulesSchema,
} from '../../shared/contracts/triage-rules';
import type { CheckinAnswers, CheckinKind, SideEffect } from '../../shared/contracts/vocabulary';
import {
  highestLevel,
  type ScreenerBaseline,
  triagePolicy,
  triageReply,
} from '../../shared/domain/checkins/triage';
import { foldPhrases } from '../../shared/domain/checkins/urgent-phrases';

/** A reply that fires no default rule. */
function calm(): CheckinAnswers {
  return { mood: 7, sideEffects: { nausea: 'mild' }, selfHarm: 'no', wantsCall: false };
}

const PHRASES = foldPhrases(DEFAULT_URGENT_PHRASES);

function triage(
  changes: Partial<CheckinAnswers>,
  kind: CheckinKind = 'checkin-next-day',
  rules: readonly TriageRule[] = DEFAULT_TRIAGE_RULES,
  baseline: ScreenerBaseline = {},
) {
  return triageReply({ ...calm(), ...changes }, kind, { rules, urgentPhrases: PHRASES }, baseline);
}

/** Nine PHQ-9 answers with item 9 (index 8) set and the others adding up to `others` (at most 24). */
function phq9(others: number, item9 = 0): number[] {
  const items = Array.from({ length: 8 }, (_, index) => Math.max(0, Math.min(3, others - index * 3)));
  return [...items, item9];
}

/** Seven GAD-7 answers adding up to `total`. */
function gad7(total: number): number[] {
  return Array.from({ length: 7 }, (_, index) => Math.max(0, Math.min(3, total - index * 3)));
}

/** The default clinic config with its triage rules replaced. */
function configWithTriage(triageRules: unknown) {
  return parseClinicConfig({ ...clinicConfig, triage: triageRules });
}

/** The field errors a config is rejected with. */
function configErrors(triageRules: unknown): { field: string; message: string }[] {
  try {
    configWithTriage(triageRules);
  } catch (error) {
    if (error instanceof ClinicConfigError) return error.errors;
    throw error;
  }
  throw new Error('expected the config to be rejected');
}

const rule = (overrides: Partial<TriageRuleInput>): TriageRuleInput => ({
  id: 'custom',
  level: 'review',
  when: { answer: 'mood', atMost: 1 },
  ...overrides,
});

const effects = (sideEffects: CheckinAnswers['sideEffects']) => ({ sideEffects });
const SAME: CheckinKind = 'checkin-same-day';
const NEXT: CheckinKind = 'checkin-next-day';
const WEEK: CheckinKind = 'checkin-week';

/**
 * DESIGN section 7's triage table, clause by clause: the reply (changes to a
 * calm one), the check-in, and the level and advice it must get.
 */
const TABLE: [string, Partial<CheckinAnswers>, CheckinKind, string, string][] = [
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
  ['hallucinations moderate at next day', effects({ hallucinations: 'moderate' }), NEXT, 'urgent', 'crisis'],
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
];

describe('triage', () => {
  describe('triageReply: DESIGN section 7 table', () => {
    it.each(TABLE)('%s -> %s', (_, changes, kind, level, advice) => {
      expect(triage(changes, kind)).toMatchObject({ level, advice });
    });

    it('is routine with no rules fired when nothing is of concern', () => {
      expect(triage({})).toEqual({ level: 'routine', rules: [], advice: 'none', scores: {} });
    });

    it('is review (phq9-rise) when the PHQ-9 total is 5 above the first, and not at 4', () => {
      expect(triage({ phq9: phq9(10) }, WEEK, DEFAULT_TRIAGE_RULES, { phq9: 5 })).toMatchObject({
        level: 'review',
        rules: ['phq9-rise'],
      });
      expect(triage({ phq9: phq9(9) }, WEEK, DEFAULT_TRIAGE_RULES, { phq9: 5 }).level).toBe('routine');
      expect(triage({ phq9: phq9(10) }, WEEK).level).toBe('routine');
    });

    it('reports every rule that fired, in rule order, when many do', () => {
      const result = triage(
        {
          selfHarm: 'yes',
          selfHarmNow: 'yes',
          mood: 1,
          wantsCall: true,
          sideEffects: { 'chest-pain': 'severe' },
        },
        NEXT,
      );
      expect(result.rules).toEqual([
        'self-harm',
        'heart-breathing-fainting',
        'effect-moderate',
        'low-mood',
        'wants-call',
      ]);
      expect(result.advice).toBe('emergency');
    });

    it('never matches a screener condition when the screener was not answered', () => {
      const rules: TriageRule[] = [
        { id: 'any-phq9', level: 'review', when: { answer: 'phq9Total', atLeast: 0 } },
        { id: 'any-gad7-item', level: 'review', when: { answer: 'gad7Item', item: 1, atLeast: 0 } },
        { id: 'rise', level: 'review', when: { answer: 'phq9Change', atLeast: -27 } },
      ];
      expect(triage({}, WEEK, rules, { phq9: 3 }).rules).toEqual([]);
    });

    it('checks both bounds of a range', () => {
      const rules: TriageRule[] = [
        { id: 'middling', level: 'review', when: { answer: 'mood', atLeast: 4, atMost: 6 } },
      ];
      expect(triage({ mood: 3 }, NEXT, rules).level).toBe('routine');
      expect(triage({ mood: 4 }, NEXT, rules).level).toBe('review');
      expect(triage({ mood: 6 }, NEXT, rules).level).toBe('review');
      expect(triage({ mood: 7 }, NEXT, rules).level).toBe('routine');
    });

    it('never matches mood or selfHarm on a salvaged reply that lacks them', () => {
      const rules: TriageRule[] = [
        { id: 'mood', level: 'review', when: { answer: 'mood', atLeast: 0 } },
        { id: 'no-harm', level: 'review', when: { answer: 'selfHarm', is: 'no' } },
      ];
      expect(
        triageReply({ sideEffects: {}, wantsCall: false }, NEXT, { rules, urgentPhrases: [] }).rules,
      ).toEqual([]);
    });
  });

  describe('highestLevel', () => {
    it('is routine for no levels and the highest one otherwise', () => {
      expect(highestLevel([])).toBe('routine');
      expect(highestLevel(['review', 'routine'])).toBe('review');
      expect(highestLevel(['review', 'urgent', 'review'])).toBe('urgent');
    });
  });

  describe('DEFAULT_TRIAGE_RULES', () => {
    it('has one rule per line of DESIGN section 7, with the stable ids', () => {
      expect(
        DEFAULT_TRIAGE_RULES.map(({ id, level, advice }) => `${level} ${id} ${advice ?? ''}`.trim()),
      ).toEqual([
        'urgent self-harm crisis',
        'urgent phq9-item9 crisis',
        'urgent note-urgent-phrase crisis',
        'urgent psychiatric-moderate-later crisis',
        'urgent dissociation-lasting crisis',
        'urgent psychiatric-severe crisis',
        'urgent heart-breathing-fainting emergency',
        'urgent neurological-moderate-later emergency',
        'urgent physical-severe emergency',
        'urgent stomach-bladder-severe call-us',
        'review effect-moderate',
        'review bladder',
        'review psychiatric-mild-later',
        'review dissociation-mild-lasting',
        'review low-mood',
        'review note',
        'review wants-call callback',
        'review phq9-total',
        'review gad7-total',
        'review phq9-rise',
      ]);
    });

    it('survives a JSON round trip through the rules schema unchanged', () => {
      const roundTripped = triageRulesSchema.parse(JSON.parse(JSON.stringify(DEFAULT_TRIAGE_RULES)));
      expect(roundTripped).toEqual(DEFAULT_TRIAGE_RULES);
    });
  });

  describe('triageRuleSchema', () => {
    it.each([
      ['an id with capitals', rule({ id: 'Low-Mood' }), 'id'],
      ['a level of routine', rule({ level: 'routine' as 'review' }), 'level'],
      [
        'an unknown answer',
        rule({ when: { answer: 'diary' } as unknown as TriageRuleInput['when'] }),
        'when.answer',
      ],
      ['an urgent rule without advice', rule({ level: 'urgent' }), 'advice'],
      ['an urgent rule with advice callback', rule({ level: 'urgent', advice: 'callback' }), 'advice'],
      ['a review rule with advice emergency', rule({ advice: 'emergency' }), 'advice'],
      [
        'a note condition matching something else',
        rule({ when: { answer: 'note', matches: 'everything' } as unknown as TriageRuleInput['when'] }),
        'when.matches',
      ],
      ['a bound outside the scale', rule({ when: { answer: 'mood', atMost: 11 } }), 'when.atMost'],
      ['no bound at all', rule({ when: { answer: 'mood' } }), 'when.atLeast'],
      ['atMost below atLeast', rule({ when: { answer: 'mood', atLeast: 5, atMost: 3 } }), 'when.atMost'],
      ['PHQ-9 item 10', rule({ when: { answer: 'phq9Item', item: 10, atLeast: 1 } }), 'when.item'],
      ['GAD-7 item 0', rule({ when: { answer: 'gad7Item', item: 0, atLeast: 1 } }), 'when.item'],
      ['a PHQ-9 total above 27', rule({ when: { answer: 'phq9Total', atLeast: 28 } }), 'when.atLeast'],
      [
        'an unknown side effect',
        rule({ when: { answer: 'sideEffects', effects: ['itching' as SideEffect], atLeast: 'mild' } }),
        'when.effects',
      ],
      [
        'a threshold of none',
        rule({ when: { answer: 'sideEffects', effects: 'any', atLeast: 'none' as 'mild' } }),
        'when.atLeast',
      ],
      ['an empty list of kinds', rule({ kinds: [] }), 'kinds'],
      ['an unknown kind', rule({ kinds: ['prep-reminder' as CheckinKind] }), 'kinds.0'],
      ['an unknown key', { ...rule({}), severity: 'high' }, ''],
    ])('rejects %s, naming the field', (_, input, field) => {
      const result = triageRuleSchema.safeParse(input);
      expect(result.success).toBe(false);
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
    });
  });

  describe('duplicateRuleIds', () => {
    it('names each id that appears more than once, once', () => {
      expect(duplicateRuleIds([{ id: 'a' }, { id: 'b' }, { id: 'a' }, { id: 'a' }, { id: 'c' }])).toEqual([
        'a',
      ]);
      expect(duplicateRuleIds([{ id: 'a' }, { id: 'b' }])).toEqual([]);
    });
  });

  describe('triage rules in the clinic config', () => {
    it('uses the default rules when the config has none', () => {
      expect(parseClinicConfig(clinicConfig).triage).toEqual(DEFAULT_TRIAGE_RULES);
    });

    it('makes mood 5 review when the config changes low-mood to 5 or lower', () => {
      const changed = JSON.parse(JSON.stringify(DEFAULT_TRIAGE_RULES)).map((defaultRule: TriageRule) =>
        defaultRule.id === 'low-mood' ? { ...defaultRule, when: { answer: 'mood', atMost: 5 } } : defaultRule,
      );
      const config = configWithTriage(changed);
      expect(triage({ mood: 5 }, 'checkin-next-day', parseClinicConfig(clinicConfig).triage).level).toBe(
        'routine',
      );
      expect(triage({ mood: 5 }, 'checkin-next-day', config.triage)).toMatchObject({
        level: 'review',
        rules: ['low-mood'],
      });
    });

    it('leaves a request for a call routine when the config drops wants-call', () => {
      const config = configWithTriage(
        DEFAULT_TRIAGE_RULES.filter((defaultRule) => defaultRule.id !== 'wants-call'),
      );
      expect(triage({ wantsCall: true }, 'checkin-next-day', config.triage)).toEqual({
        level: 'routine',
        rules: [],
        advice: 'none',
        scores: {},
      });
    });

    it('makes a note urgent with a phrase the clinic added, and not with the defaults', () => {
      const config = parseClinicConfig({
        ...clinicConfig,
        urgentPhrases: { en: ['want to disappear'], es: [] },
      });
      const note = { note: 'Some days I want to disappear.' };
      expect(triageReply({ ...calm(), ...note }, NEXT, triagePolicy(config)).level).toBe('urgent');
      expect(triage(note).level).toBe('review');
    });

    it('fires a rule the clinic added, only at the check-ins it names', () => {
      const added = rule({
        id: 'restless-same-day',
        level: 'urgent',
        advice: 'call-us',
        kinds: ['checkin-same-day'],
        when: { answer: 'sideEffects', effects: ['restlessness'], atLeast: 'mild' },
      });
      const config = configWithTriage([...DEFAULT_TRIAGE_RULES, added]);
      const restless = { sideEffects: { restlessness: 'mild' as const } };
      expect(triage(restless, 'checkin-same-day', config.triage)).toMatchObject({
        level: 'urgent',
        rules: ['restless-same-day'],
      });
      expect(triage(restless, 'checkin-next-day', config.triage).level).toBe('routine');
    });

    it('rejects a rule with a bad level, naming triage.2.level', () => {
      const rules: unknown[] = JSON.parse(JSON.stringify(DEFAULT_TRIAGE_RULES));
      rules[2] = { ...(rules[2] as object), level: 'critical' };
      expect(configErrors(rules)).toEqual([
        { field: 'triage.2.level', message: 'must be one of urgent, review' },
      ]);
    });

    it('rejects a rule with a bad condition, naming the field inside it', () => {
      const errors = configErrors([rule({ when: { answer: 'phq9Item', item: 12, atLeast: 1 } })]);
      expect(errors).toEqual([
        { field: 'triage.0.when.item', message: 'must be a whole number from 1 to 9' },
      ]);
    });

    it('rejects two rules with the same id, naming the id', () => {
      const errors = configErrors([...DEFAULT_TRIAGE_RULES, rule({ id: 'low-mood' })]);
      expect(errors).toEqual([
        { field: 'triage', message: 'each rule id may appear once (repeated: low-mood)' },
      ]);
    });

    it('rejects an empty list of rules', () => {
      expect(configErrors([]).map((error) => error.field)).toEqual(['triage']);
    });
  });
});
