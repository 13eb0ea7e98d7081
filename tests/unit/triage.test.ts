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
import { CALM, phq9, TRIAGE_TABLE } from '../support/triage-table';

/** A reply that fires no default rule. */
function calm(): CheckinAnswers {
  return structuredClone(CALM);
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

const NEXT: CheckinKind = 'checkin-next-day';
const WEEK: CheckinKind = 'checkin-week';

describe('triage', () => {
  describe('triageReply: DESIGN section 7 table', () => {
    it.each(TRIAGE_TABLE)('$name -> $level, $advice', ({ changes, kind, level, advice }) => {
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
