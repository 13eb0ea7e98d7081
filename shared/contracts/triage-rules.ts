import { CHECKIN_KINDS, GAD7_ITEMS, PHQ9_ITEMS, SCREENER_ITEM_MAX, SIDE_EFFECTS } from './vocabulary';
import * as z from './zod';

/*
 * Triage rules as data (DESIGN sections 7 and 8). A clinic reads and edits
 * them in its config; `triageReply` evaluates them. Each rule has one
 * condition on the reply (`when`), optionally limited to some check-ins
 * (`kinds`); every rule that holds "fires", and the reply's level is the
 * highest level among the rules that fired (`routine` when none did).
 * There is no AND/OR: a list of rules is already an OR, and the one rule
 * that needs a second condition (the check-in it was reported at) has
 * `kinds` for it.
 */

/** The levels a rule can raise a reply to; a reply no rule fires for is `routine`. */
export const RULE_LEVELS = ['urgent', 'review'] as const;
export type RuleLevel = (typeof RULE_LEVELS)[number];

/** Every triage level, lowest first, so the index orders them. */
export const TRIAGE_LEVELS = ['routine', 'review', 'urgent'] as const;
export type TriageLevel = (typeof TRIAGE_LEVELS)[number];

/** Severities a side-effect condition may ask for; `none` would match every reply. */
export const SEVERITY_THRESHOLDS = ['mild', 'moderate', 'severe'] as const;

const PHQ9_TOTAL_MAX = PHQ9_ITEMS * SCREENER_ITEM_MAX;
const GAD7_TOTAL_MAX = GAD7_ITEMS * SCREENER_ITEM_MAX;

function whole(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.number({ error }).check(z.int({ error }), z.minimum(min, { error }), z.maximum(max, { error }));
}

/** `atLeast` and/or `atMost` (both inclusive) on a number of the reply. */
function bounds(min: number, max: number) {
  return { atLeast: z.optional(whole(min, max)), atMost: z.optional(whole(min, max)) };
}

type Bounds = { atLeast?: number | undefined; atMost?: number | undefined };

/** Adds the checks every bounded condition needs: at least one bound, and the bounds in order. */
function checkBounds<T extends z.ZodMiniType<Bounds>>(schema: T): T {
  return schema.check(
    z.refine<Bounds>((condition) => condition.atLeast !== undefined || condition.atMost !== undefined, {
      error: 'needs atLeast or atMost',
      path: ['atLeast'],
    }),
    z.refine<Bounds>(
      (condition) =>
        condition.atLeast === undefined ||
        condition.atMost === undefined ||
        condition.atLeast <= condition.atMost,
      { error: 'must not be below atLeast', path: ['atMost'] },
    ),
  );
}

const effect = z.enum(SIDE_EFFECTS, { error: `must be one of ${SIDE_EFFECTS.join(', ')}` });

/** The patient answered `selfHarm` with this value. */
export const selfHarmConditionSchema = z.strictObject({
  answer: z.literal('selfHarm'),
  is: z.enum(['yes', 'no'], { error: 'must be "yes" or "no"' }),
});

/** The patient asked (or did not ask) for a call. */
export const wantsCallConditionSchema = z.strictObject({
  answer: z.literal('wantsCall'),
  is: z.boolean({ error: 'must be true or false' }),
});

/** Mood (0 worst, 10 best) within the bounds. */
export const moodConditionSchema = checkBounds(
  z.strictObject({ answer: z.literal('mood'), ...bounds(0, 10) }),
);

/**
 * At least one of `effects` (or of every side effect, with `"any"`) reported
 * at `atLeast` or worse (none < mild < moderate < severe).
 */
export const sideEffectConditionSchema = z.strictObject({
  answer: z.literal('sideEffects'),
  effects: z.union(
    [
      z.literal('any'),
      z.array(effect).check(z.minLength(1, { error: 'must name at least one side effect' })),
    ],
    {
      error: `must be "any" or a list of side effects (${SIDE_EFFECTS.join(', ')})`,
    },
  ),
  atLeast: z.enum(SEVERITY_THRESHOLDS, { error: `must be one of ${SEVERITY_THRESHOLDS.join(', ')}` }),
});

/**
 * One screener item within the bounds; `item` counts from 1 as printed on the
 * questionnaire (PHQ-9 item 9 asks about thoughts of self-harm). A screener
 * the patient was not asked, or did not answer, never matches.
 */
export const phq9ItemConditionSchema = checkBounds(
  z.strictObject({
    answer: z.literal('phq9Item'),
    item: whole(1, PHQ9_ITEMS),
    ...bounds(0, SCREENER_ITEM_MAX),
  }),
);

export const gad7ItemConditionSchema = checkBounds(
  z.strictObject({
    answer: z.literal('gad7Item'),
    item: whole(1, GAD7_ITEMS),
    ...bounds(0, SCREENER_ITEM_MAX),
  }),
);

/** A screener's total within the bounds; an unanswered screener never matches. */
export const phq9TotalConditionSchema = checkBounds(
  z.strictObject({ answer: z.literal('phq9Total'), ...bounds(0, PHQ9_TOTAL_MAX) }),
);

export const gad7TotalConditionSchema = checkBounds(
  z.strictObject({ answer: z.literal('gad7Total'), ...bounds(0, GAD7_TOTAL_MAX) }),
);

const CONDITION_ANSWERS = [
  'selfHarm',
  'wantsCall',
  'mood',
  'sideEffects',
  'phq9Item',
  'phq9Total',
  'gad7Item',
  'gad7Total',
] as const;

/** What a rule looks at, told apart by `answer`. */
export const triageConditionSchema = z.discriminatedUnion(
  'answer',
  [
    selfHarmConditionSchema,
    wantsCallConditionSchema,
    moodConditionSchema,
    sideEffectConditionSchema,
    phq9ItemConditionSchema,
    phq9TotalConditionSchema,
    gad7ItemConditionSchema,
    gad7TotalConditionSchema,
  ],
  { error: `must be one of ${CONDITION_ANSWERS.join(', ')}` },
);
export type TriageCondition = z.infer<typeof triageConditionSchema>;

/** Lowercase letters and digits joined by dashes. */
const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** One triage rule. Its `id` is stored with every reply it fires for, so keep it stable. */
export const triageRuleSchema = z.strictObject({
  id: z
    .string({ error: 'must be text' })
    .check(
      z.regex(RULE_ID, { error: 'must be lowercase letters and digits joined by dashes' }),
      z.maxLength(64, { error: 'must be at most 64 characters' }),
    ),
  level: z.enum(RULE_LEVELS, { error: `must be one of ${RULE_LEVELS.join(', ')}` }),
  /** For people reading the config and staff pages; triage ignores it. */
  description: z.optional(z.string().check(z.maxLength(300, { error: 'must be at most 300 characters' }))),
  /** Only at these check-ins; absent = at every check-in. */
  kinds: z.optional(
    z
      .array(z.enum(CHECKIN_KINDS, { error: `must be one of ${CHECKIN_KINDS.join(', ')}` }))
      .check(z.minLength(1, { error: 'must name at least one check-in, or be left out' })),
  ),
  when: triageConditionSchema,
});
export type TriageRule = z.infer<typeof triageRuleSchema>;
export type TriageRuleInput = z.input<typeof triageRuleSchema>;

/** Rule ids that appear more than once, each once. */
export function duplicateRuleIds(rules: readonly { id: string }[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { id } of rules) (seen.has(id) ? repeated : seen).add(id);
  return [...repeated];
}

/**
 * DESIGN section 7, one rule per line of the design. `other-effect-moderate`
 * covers every effect, not only the "other" ones: the urgent rules fire as
 * well for those and the highest level wins, and a clinic that narrows an
 * urgent rule still sees the moderate effect it dropped on the review list.
 */
export const DEFAULT_TRIAGE_RULES: TriageRule[] = [
  {
    id: 'self-harm',
    level: 'urgent',
    description: 'Thoughts of being better off dead or of self-harm',
    when: { answer: 'selfHarm', is: 'yes' },
  },
  {
    id: 'phq9-item9',
    level: 'urgent',
    description: 'PHQ-9 item 9 (thoughts of self-harm) on several days or more',
    when: { answer: 'phq9Item', item: 9, atLeast: 1 },
  },
  {
    id: 'acute-effect-moderate',
    level: 'urgent',
    description: 'Panic, unusually high mood, chest pain or poor coordination, moderate or worse',
    when: {
      answer: 'sideEffects',
      effects: ['panic', 'unusually-high-mood', 'chest-pain', 'poor-coordination'],
      atLeast: 'moderate',
    },
  },
  {
    id: 'any-effect-severe',
    level: 'urgent',
    description: 'Any side effect severe',
    when: { answer: 'sideEffects', effects: 'any', atLeast: 'severe' },
  },
  {
    id: 'dissociation-after-day-one',
    level: 'urgent',
    description:
      'Dissociation or out-of-body experience, moderate or worse, still there the next day or later',
    kinds: ['checkin-next-day', 'checkin-week'],
    when: { answer: 'sideEffects', effects: ['dissociation', 'out-of-body'], atLeast: 'moderate' },
  },
  {
    id: 'wants-call',
    level: 'urgent',
    description: 'Asked for a call',
    when: { answer: 'wantsCall', is: true },
  },
  {
    id: 'other-effect-moderate',
    level: 'review',
    description: 'Any side effect moderate or worse',
    when: { answer: 'sideEffects', effects: 'any', atLeast: 'moderate' },
  },
  {
    id: 'low-mood',
    level: 'review',
    description: 'Mood 3 or lower',
    when: { answer: 'mood', atMost: 3 },
  },
  {
    id: 'phq9-total',
    level: 'review',
    description: 'PHQ-9 total 15 or more',
    when: { answer: 'phq9Total', atLeast: 15 },
  },
  {
    id: 'gad7-total',
    level: 'review',
    description: 'GAD-7 total 15 or more',
    when: { answer: 'gad7Total', atLeast: 15 },
  },
];

/**
 * A clinic's triage rules: at least one, ids unique. Used as the `triage`
 * field of the clinic config.
 */
export const triageRulesSchema = z.array(triageRuleSchema, { error: 'must be a list of triage rules' }).check(
  z.minLength(1, { error: 'needs at least one rule' }),
  z.refine((rules) => duplicateRuleIds(rules).length === 0, {
    error: (issue) =>
      `each rule id may appear once (repeated: ${duplicateRuleIds(issue.input as { id: string }[]).join(', ')})`,
  }),
);
