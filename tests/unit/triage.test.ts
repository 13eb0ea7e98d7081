import { describe, expect, it } from 'vitest';
import clinicConfig from '../../config/clinic';
import { ClinicConfigError, parseClinicConfig } from '../../shared/contracts/clinic-config';
import {
  DEFAULT_TRIAGE_RULES,
  duplicateRuleIds,
  type TriageRule,
  type TriageRuleInput,
  triageRuleSchema,
  triageRulesSchema,
} from '../../shared/contracts/triage-rules';
import type { CheckinAnswers, CheckinKind, SideEffect } from '../../shared/contracts/vocabulary';
import { highestLevel, triageReply } from '../../shared/domain/checkins/triage';

/** A reply that fires no default rule. */
function calm(): CheckinAnswers {
  return { mood: 7, sideEffects: { nausea: 'mild' }, selfHarm: 'no', wantsCall: false };
}

function triage(
  changes: Partial<CheckinAnswers>,
  kind: CheckinKind = 'checkin-next-day',
  rules: readonly TriageRule[] = DEFAULT_TRIAGE_RULES,
) {
  return triageReply({ ...calm(), ...changes }, kind, rules);
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

describe('triage', () => {
  describe('triageReply', () => {
    it('is routine with no rules fired when nothing is of concern', () => {
      expect(triage({})).toEqual({ level: 'routine', rules: [], scores: {} });
    });

    it('is urgent (self-harm) when selfHarm is yes, even with a good mood', () => {
      expect(triage({ selfHarm: 'yes', mood: 10 })).toMatchObject({ level: 'urgent', rules: ['self-harm'] });
    });

    it('is urgent (phq9-item9) when PHQ-9 item 9 is 1, whatever the total', () => {
      const result = triage({ phq9: phq9(0, 1) }, 'checkin-week');
      expect(result).toMatchObject({ level: 'urgent', rules: ['phq9-item9'] });
      expect(result.scores.phq9).toEqual({ total: 1, band: 'minimal' });
    });

    it('does not fire phq9-item9 when item 9 is 0 and another item is 3', () => {
      expect(triage({ phq9: [3, 0, 0, 0, 0, 0, 0, 0, 0] }, 'checkin-week').level).toBe('routine');
    });

    it.each(['panic', 'unusually-high-mood', 'chest-pain', 'poor-coordination'] as const)(
      'is urgent (acute-effect-moderate) when %s is moderate',
      (effect) => {
        expect(triage({ sideEffects: { [effect]: 'moderate' } }, 'checkin-same-day')).toMatchObject({
          level: 'urgent',
          rules: ['acute-effect-moderate', 'other-effect-moderate'],
        });
      },
    );

    it('does not fire acute-effect-moderate when panic is mild', () => {
      expect(triage({ sideEffects: { panic: 'mild' } }).level).toBe('routine');
    });

    it('is urgent (any-effect-severe) when any side effect is severe', () => {
      expect(triage({ sideEffects: { fatigue: 'severe' } }, 'checkin-same-day')).toMatchObject({
        level: 'urgent',
        rules: ['any-effect-severe', 'other-effect-moderate'],
      });
    });

    it('is only review when dissociation is moderate at the same-day check-in', () => {
      expect(triage({ sideEffects: { dissociation: 'moderate' } }, 'checkin-same-day')).toMatchObject({
        level: 'review',
        rules: ['other-effect-moderate'],
      });
    });

    it.each(['checkin-next-day', 'checkin-week'] as const)(
      'is urgent (dissociation-after-day-one) when dissociation or out-of-body is moderate at %s',
      (kind) => {
        for (const effect of ['dissociation', 'out-of-body'] as const) {
          expect(triage({ sideEffects: { [effect]: 'moderate' } }, kind)).toMatchObject({
            level: 'urgent',
            rules: ['dissociation-after-day-one', 'other-effect-moderate'],
          });
        }
      },
    );

    it('is urgent when dissociation is severe even at the same-day check-in', () => {
      expect(triage({ sideEffects: { dissociation: 'severe' } }, 'checkin-same-day')).toMatchObject({
        level: 'urgent',
        rules: ['any-effect-severe', 'other-effect-moderate'],
      });
    });

    it('is urgent (wants-call) when the patient asks for a call', () => {
      expect(triage({ wantsCall: true })).toMatchObject({ level: 'urgent', rules: ['wants-call'] });
    });

    it('is review (other-effect-moderate) when a non-acute effect is moderate', () => {
      expect(triage({ sideEffects: { nausea: 'moderate', headache: 'mild' } })).toMatchObject({
        level: 'review',
        rules: ['other-effect-moderate'],
      });
    });

    it('is review (low-mood) when mood is 3, and routine when it is 4', () => {
      expect(triage({ mood: 3 })).toMatchObject({ level: 'review', rules: ['low-mood'] });
      expect(triage({ mood: 0 })).toMatchObject({ level: 'review', rules: ['low-mood'] });
      expect(triage({ mood: 4 })).toMatchObject({ level: 'routine', rules: [] });
    });

    it('is review (phq9-total) when the PHQ-9 total is 15, and routine at 14', () => {
      const at15 = triage({ phq9: phq9(15) }, 'checkin-week');
      expect(at15).toMatchObject({ level: 'review', rules: ['phq9-total'] });
      expect(at15.scores.phq9).toEqual({ total: 15, band: 'moderately-severe' });
      expect(triage({ phq9: phq9(14) }, 'checkin-week')).toMatchObject({ level: 'routine', rules: [] });
    });

    it('is review (gad7-total) when the GAD-7 total is 15, and routine at 14', () => {
      const at15 = triage({ gad7: gad7(15) }, 'checkin-week');
      expect(at15).toMatchObject({ level: 'review', rules: ['gad7-total'] });
      expect(at15.scores).toEqual({ gad7: { total: 15, band: 'severe' } });
      expect(triage({ gad7: gad7(14) }, 'checkin-week')).toMatchObject({ level: 'routine', rules: [] });
    });

    it('reports every rule that fired, in rule order, when many do', () => {
      const everything: Partial<CheckinAnswers> = {
        mood: 1,
        selfHarm: 'yes',
        wantsCall: true,
        sideEffects: { panic: 'severe', dissociation: 'moderate' },
        phq9: phq9(24, 3),
        gad7: gad7(21),
      };
      const result = triage(everything, 'checkin-week');
      expect(result.level).toBe('urgent');
      expect(result.rules).toEqual(DEFAULT_TRIAGE_RULES.map((defaultRule) => defaultRule.id));
      expect(result.scores).toEqual({
        phq9: { total: 27, band: 'severe' },
        gad7: { total: 21, band: 'severe' },
      });
    });

    it('reports the ids in the order of the rules it is given', () => {
      const reversed = [...DEFAULT_TRIAGE_RULES].reverse();
      expect(triage({ mood: 2, wantsCall: true }, 'checkin-same-day', reversed).rules).toEqual([
        'low-mood',
        'wants-call',
      ]);
    });

    it('is routine when there are no rules', () => {
      expect(triage({ selfHarm: 'yes' }, 'checkin-same-day', []).level).toBe('routine');
    });

    it('never matches a screener condition when the screener was not answered', () => {
      const rules = triageRulesSchema.parse([
        rule({ id: 'phq9-low', when: { answer: 'phq9Total', atMost: 27 } }),
        rule({ id: 'gad7-item', when: { answer: 'gad7Item', item: 1, atMost: 3 } }),
      ]);
      expect(triage({}, 'checkin-week', rules).rules).toEqual([]);
      expect(triage({ phq9: phq9(0), gad7: gad7(0) }, 'checkin-week', rules).rules).toEqual([
        'phq9-low',
        'gad7-item',
      ]);
    });

    it('checks both bounds of a range', () => {
      const rules = triageRulesSchema.parse([
        rule({ id: 'middling', when: { answer: 'mood', atLeast: 4, atMost: 6 } }),
      ]);
      expect([3, 4, 6, 7].map((mood) => triage({ mood }, 'checkin-week', rules).level)).toEqual([
        'routine',
        'review',
        'review',
        'routine',
      ]);
    });

    it('matches selfHarm "no" and wantsCall false when a rule asks for them', () => {
      const rules = triageRulesSchema.parse([
        rule({ id: 'no-self-harm', when: { answer: 'selfHarm', is: 'no' } }),
        rule({ id: 'no-call', when: { answer: 'wantsCall', is: false } }),
      ]);
      expect(triage({}, 'checkin-week', rules).rules).toEqual(['no-self-harm', 'no-call']);
      expect(triage({ selfHarm: 'yes', wantsCall: true }, 'checkin-week', rules).rules).toEqual([]);
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
      expect(DEFAULT_TRIAGE_RULES.map(({ id, level }) => `${level} ${id}`)).toEqual([
        'urgent self-harm',
        'urgent phq9-item9',
        'urgent acute-effect-moderate',
        'urgent any-effect-severe',
        'urgent dissociation-after-day-one',
        'urgent wants-call',
        'review other-effect-moderate',
        'review low-mood',
        'review phq9-total',
        'review gad7-total',
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
        rule({ when: { answer: 'note' } as unknown as TriageRuleInput['when'] }),
        'when.answer',
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
        scores: {},
      });
    });

    it('fires a rule the clinic added, only at the check-ins it names', () => {
      const added = rule({
        id: 'restless-same-day',
        level: 'urgent',
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
