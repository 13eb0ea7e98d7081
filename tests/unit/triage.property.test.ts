import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCheckinJson } from '../../shared/contracts/checkin-reply';
import {
  DEFAULT_TRIAGE_RULES,
  DEFAULT_URGENT_PHRASES,
  TRIAGE_LEVELS,
  type TriageLevel,
  type TriageRule,
  triageRuleSchema,
} from '../../shared/contracts/triage-rules';
import {
  asksScreeners,
  CHECKIN_KINDS,
  type CheckinAnswers,
  type CheckinKind,
  EXPECTED_SAME_DAY_EFFECTS,
  GAD7_ITEMS,
  PHQ9_ITEMS,
  SEVERITIES,
  type Severity,
  SIDE_EFFECTS,
  type SideEffect,
  STILL_NOW_EFFECTS,
  type StillNowEffect,
} from '../../shared/contracts/vocabulary';
import { hasRedFlag } from '../../shared/domain/checkins/red-flags';
import { type ScreenerBaseline, triageReply } from '../../shared/domain/checkins/triage';
import { foldPhrases } from '../../shared/domain/checkins/urgent-phrases';

const NUM_RUNS = 500;

const severity = fc.constantFrom(...SEVERITIES);
const sideEffects = fc.record(
  Object.fromEntries(SIDE_EFFECTS.map((effect) => [effect, severity])) as Record<
    SideEffect,
    fc.Arbitrary<Severity>
  >,
  { requiredKeys: [] },
);
const screener = (items: number) =>
  fc.array(fc.integer({ min: 0, max: 3 }), { minLength: items, maxLength: items });
const note = fc
  .string({ minLength: 1, maxLength: 40 })
  .map((text) => text.trim())
  .filter((text) => text.length > 0);

const PHRASES = foldPhrases(DEFAULT_URGENT_PHRASES);

/** Triage with the default urgent phrases. */
function triage(
  answers: CheckinAnswers,
  kind: CheckinKind,
  rules: readonly TriageRule[] = DEFAULT_TRIAGE_RULES,
  baseline: ScreenerBaseline = {},
) {
  return triageReply(answers, kind, { rules, urgentPhrases: PHRASES }, baseline);
}

const yesNo = fc.constantFrom('no' as const, 'yes' as const);

/**
 * Makes generated answers what the contract stores: "still now" only for
 * effects rated mild or worse, `selfHarmNow` present after a yes.
 */
function asStored(answers: CheckinAnswers, selfHarmNow: 'no' | 'yes'): CheckinAnswers {
  const { stillNow, ...rest } = answers;
  const kept = Object.fromEntries(
    Object.entries(stillNow ?? {}).filter(
      ([effect]) => (answers.sideEffects[effect as SideEffect] ?? 'none') !== 'none',
    ),
  );
  return {
    ...rest,
    ...(Object.keys(kept).length > 0 ? { stillNow: kept } : {}),
    ...(answers.selfHarm === 'yes' && answers.selfHarmNow === undefined ? { selfHarmNow } : {}),
  };
}

/** Valid answers for `kind`: screeners only where they are asked, optional fields sometimes left out. */
function answersFor(kind: CheckinKind): fc.Arbitrary<CheckinAnswers> {
  const base = {
    mood: fc.integer({ min: 0, max: 10 }),
    sideEffects,
    stillNow: fc.record(
      Object.fromEntries(STILL_NOW_EFFECTS.map((effect) => [effect, fc.boolean()])) as Record<
        StillNowEffect,
        fc.Arbitrary<boolean>
      >,
      { requiredKeys: [] },
    ),
    selfHarm: yesNo,
    selfHarmNow: yesNo,
    wantsCall: fc.boolean(),
    note,
  };
  const required: ('mood' | 'sideEffects' | 'selfHarm' | 'wantsCall')[] = [
    'mood',
    'sideEffects',
    'selfHarm',
    'wantsCall',
  ];
  const answers = asksScreeners(kind)
    ? fc.record(
        {
          ...base,
          phq9: screener(PHQ9_ITEMS),
          phq9Difficulty: fc.integer({ min: 0, max: 3 }),
          gad7: screener(GAD7_ITEMS),
        },
        { requiredKeys: required },
      )
    : fc.record(base, { requiredKeys: required });
  return fc.tuple(answers, yesNo).map(([generated, now]) => asStored(generated as CheckinAnswers, now));
}

const kind = fc.constantFrom(...CHECKIN_KINDS);
const reply = kind.chain((k) => answersFor(k).map((answers) => ({ kind: k, answers })));

/** Answers no more concerning than `answers`: severities, screener items and the flags only go down, mood only up. */
function calmerThan(answers: CheckinAnswers): fc.Arbitrary<CheckinAnswers> {
  const lower = (value: number, max: number) => fc.integer({ min: 0, max: Math.min(value, max) });
  const lowerSeverity = (current: Severity) =>
    fc.constantFrom(...SEVERITIES.slice(0, SEVERITIES.indexOf(current) + 1));
  const lowerItems = (items: number[] | undefined) =>
    items === undefined
      ? fc.constant(undefined)
      : fc.option(fc.tuple(...items.map((item) => lower(item, 3))), { nil: undefined });
  return fc
    .record({
      mood: fc.integer({ min: answers.mood ?? 0, max: 10 }),
      sideEffects: fc.record(
        Object.fromEntries(
          Object.entries(answers.sideEffects).map(([effect, current]) => [effect, lowerSeverity(current)]),
        ) as Record<SideEffect, fc.Arbitrary<Severity>>,
      ),
      selfHarm:
        answers.selfHarm === 'yes'
          ? fc.constantFrom('no' as const, 'yes' as const)
          : fc.constant('no' as const),
      selfHarmNow: answers.selfHarmNow === 'yes' ? yesNo : fc.constant('no' as const),
      // Still felt only where it was, and only while the effect is still rated.
      stillNow: fc.constant(answers.stillNow),
      wantsCall: answers.wantsCall ? fc.boolean() : fc.constant(false),
      phq9: lowerItems(answers.phq9),
      gad7: lowerItems(answers.gad7),
    })
    .map(({ phq9, gad7, selfHarmNow, stillNow, ...rest }) => ({
      ...rest,
      ...(answers.selfHarmNow === undefined ? {} : { selfHarmNow }),
      ...(stillNow === undefined ? {} : { stillNow }),
      ...(answers.note === undefined ? {} : { note: answers.note }),
      ...(phq9 === undefined ? {} : { phq9 }),
      ...(gad7 === undefined ? {} : { gad7 }),
    }));
}

/** Any rule the schema accepts (some generated candidates are not, and are dropped). */
const bounds = (max: number) =>
  fc.record(
    { atLeast: fc.integer({ min: 0, max }), atMost: fc.integer({ min: 0, max }) },
    { requiredKeys: [] },
  );
const condition = fc.oneof(
  fc.record({ answer: fc.constant('selfHarm'), is: fc.constantFrom('yes', 'no') }),
  fc.record({ answer: fc.constant('selfHarmNow'), is: fc.constantFrom('yes', 'no') }),
  fc.record({ answer: fc.constant('note'), matches: fc.constantFrom('anything', 'urgentPhrases') }),
  fc.record({ answer: fc.constant('wantsCall'), is: fc.boolean() }),
  bounds(10).map((b) => ({ answer: 'mood', ...b })),
  fc.record(
    {
      answer: fc.constant('sideEffects'),
      effects: fc.oneof(
        fc.constant('any'),
        fc.uniqueArray(fc.constantFrom(...SIDE_EFFECTS), { minLength: 1, maxLength: 4 }),
      ),
      atLeast: fc.constantFrom('mild', 'moderate', 'severe'),
      stillNow: fc.constant(true),
    },
    { requiredKeys: ['answer', 'effects', 'atLeast'] },
  ),
  fc
    .tuple(fc.integer({ min: 1, max: PHQ9_ITEMS }), bounds(3))
    .map(([item, b]) => ({ answer: 'phq9Item', item, ...b })),
  fc
    .tuple(fc.integer({ min: 1, max: GAD7_ITEMS }), bounds(3))
    .map(([item, b]) => ({ answer: 'gad7Item', item, ...b })),
  bounds(27).map((b) => ({ answer: 'phq9Total', ...b })),
  bounds(21).map((b) => ({ answer: 'gad7Total', ...b })),
);
const anyRule: fc.Arbitrary<TriageRule> = fc
  .record(
    {
      id: fc.stringMatching(/^[a-z]{1,6}(?:-[a-z0-9]{1,4})?$/),
      level: fc.constantFrom('urgent', 'review'),
      advice: fc.constantFrom('emergency', 'crisis', 'call-us'),
      kinds: fc.uniqueArray(fc.constantFrom(...CHECKIN_KINDS), { minLength: 1, maxLength: 3 }),
      when: condition,
    },
    { requiredKeys: ['id', 'level', 'when'] },
  )
  // Urgent rules carry advice, review rules none.
  .map(({ advice, ...candidate }) => (candidate.level === 'urgent' ? { ...candidate, advice } : candidate))
  .map((candidate) => triageRuleSchema.safeParse(candidate))
  .filter((result) => result.success)
  .map((result) => result.data as TriageRule);
const ruleSet = fc.uniqueArray(anyRule, { selector: (r) => r.id, maxLength: 12 });

const rank = (level: TriageLevel) => TRIAGE_LEVELS.indexOf(level);

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

describe('triage (properties)', () => {
  describe('answer arbitraries', () => {
    it('generates replies the contract accepts unchanged', () => {
      fc.assert(
        fc.property(reply, ({ kind: k, answers }) => {
          const parsed = parseCheckinJson(answers, k);
          expect(parsed).toEqual({ ok: true, value: answers });
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('triageReply with the default rules', () => {
    it('is urgent with crisis advice or stronger whenever selfHarm is yes, whatever else the reply says', () => {
      fc.assert(
        fc.property(reply, yesNo, ({ kind: k, answers }, now) => {
          const result = triage({ ...answers, selfHarm: 'yes', selfHarmNow: now }, k);
          expect(result.level).toBe('urgent');
          expect(result.rules).toContain('self-harm');
          expect(['emergency', 'crisis']).toContain(result.advice);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never ends routine for a reply that names a red flag of DESIGN section 7', () => {
      const redFlag = fc.oneof(
        fc.constant((a: CheckinAnswers) => ({ ...a, selfHarm: 'yes' as const, selfHarmNow: 'no' as const })),
        fc.constant((a: CheckinAnswers) => ({ ...a, selfHarmNow: 'yes' as const })),
        fc
          .tuple(
            fc.constantFrom('chest-pain', 'trouble-breathing', 'fainting'),
            fc.constantFrom('mild', 'moderate', 'severe'),
          )
          .map(([effect, severity]) => (a: CheckinAnswers) => ({
            ...a,
            sideEffects: { ...a.sideEffects, [effect]: severity },
          })),
        fc.constantFrom(...SIDE_EFFECTS).map((effect) => (a: CheckinAnswers) => ({
          ...a,
          sideEffects: { ...a.sideEffects, [effect]: 'severe' as const },
        })),
      );
      fc.assert(
        fc.property(reply, redFlag, ({ kind: k, answers }, add) => {
          const flagged = add(answers);
          fc.pre(hasRedFlag(flagged, k));
          expect(triage(flagged, k).level).not.toBe('routine');
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never ends routine when PHQ-9 item 9 is 1 or more (urgent, crisis)', () => {
      const week = answersFor('checkin-week');
      fc.assert(
        fc.property(week, fc.integer({ min: 1, max: 3 }), (answers, item9) => {
          const phq9 = [...(answers.phq9 ?? [0, 0, 0, 0, 0, 0, 0, 0, 0]).slice(0, 8), item9];
          const result = triage({ ...answers, phq9 }, 'checkin-week');
          expect(hasRedFlag({ ...answers, phq9 }, 'checkin-week')).toBe(true);
          expect(result).toMatchObject({ level: 'urgent' });
          expect(result.rules).toContain('phq9-item9');
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never pages for a same-day reply whose only effects are the expected ones', () => {
      const expectedOnly = fc.record({
        mood: fc.integer({ min: 0, max: 10 }),
        sideEffects: fc.record(
          Object.fromEntries(EXPECTED_SAME_DAY_EFFECTS.map((effect) => [effect, severity])) as Record<
            (typeof EXPECTED_SAME_DAY_EFFECTS)[number],
            fc.Arbitrary<Severity>
          >,
          { requiredKeys: [] },
        ),
        stillNow: fc.record(
          { dissociation: fc.boolean(), 'out-of-body': fc.boolean() },
          { requiredKeys: [] },
        ),
        selfHarm: fc.constant('no' as const),
        wantsCall: fc.boolean(),
      });
      fc.assert(
        fc.property(expectedOnly, (answers) => {
          const result = triage(answers, 'checkin-same-day');
          expect(result.level).not.toBe('urgent');
          expect(['none', 'callback']).toContain(result.advice);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('is at least review with the callback advice (or stronger) whenever the patient asks for a call', () => {
      fc.assert(
        fc.property(reply, ({ kind: k, answers }) => {
          const result = triage({ ...answers, wantsCall: true }, k);
          expect(result.level).not.toBe('routine');
          expect(result.rules).toContain('wants-call');
          expect(result.advice).not.toBe('none');
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never raises the level when the answers only get calmer (lower severities, higher mood)', () => {
      const pair = reply.chain(({ kind: k, answers }) =>
        calmerThan(answers).map((calmer) => ({ kind: k, answers, calmer })),
      );
      fc.assert(
        fc.property(pair, ({ kind: k, answers, calmer }) => {
          const before = triage(answers, k);
          const after = triage(calmer, k);
          expect(rank(after.level)).toBeLessThanOrEqual(rank(before.level));
          // Every rule here is monotone, so the calmer reply fires a subset of the rules.
          expect(after.rules.every((id) => before.rules.includes(id))).toBe(true);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('is routine exactly when no rule fired', () => {
      fc.assert(
        fc.property(reply, ({ kind: k, answers }) => {
          const result = triage(answers, k);
          expect(result.level === 'routine').toBe(result.rules.length === 0);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('triageReply with any rules', () => {
    it('sets the level to the highest level among the rules that fired', () => {
      fc.assert(
        fc.property(reply, ruleSet, ({ kind: k, answers }, rules) => {
          const result = triage(answers, k, rules);
          const firedLevels = rules.filter((r) => result.rules.includes(r.id)).map((r) => rank(r.level));
          expect(rank(result.level)).toBe(Math.max(0, ...firedLevels));
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('reports exactly the rules that fire on their own, in rule order', () => {
      fc.assert(
        fc.property(reply, ruleSet, ({ kind: k, answers }, rules) => {
          const result = triage(answers, k, rules);
          const firesAlone = rules.filter((r) => triage(answers, k, [r]).rules.length === 1).map((r) => r.id);
          expect(result.rules).toEqual(firesAlone);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never lowers the level when a clinic adds rules', () => {
      fc.assert(
        fc.property(reply, ruleSet, ruleSet, ({ kind: k, answers }, rules, extra) => {
          const ids = new Set(rules.map((r) => r.id));
          const more = [...rules, ...extra.filter((r) => !ids.has(r.id))];
          expect(rank(triage(answers, k, more).level)).toBeGreaterThanOrEqual(
            rank(triage(answers, k, rules).level),
          );
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('gives the same result every time and changes nothing it is given', () => {
      fc.assert(
        fc.property(reply, ruleSet, ({ kind: k, answers }, rules) => {
          const frozenAnswers = deepFreeze(structuredClone(answers));
          const frozenRules = deepFreeze(structuredClone(rules));
          const first = triage(frozenAnswers, k, frozenRules);
          const second = triage(frozenAnswers, k, frozenRules);
          expect(second).toEqual(first);
          expect(frozenAnswers).toEqual(answers);
          expect(frozenRules).toEqual(rules);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
