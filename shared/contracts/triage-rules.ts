import {
  ADVICE,
  type Advice,
  CHECKIN_KINDS,
  type CheckinKind,
  GAD7_ITEMS,
  PHQ9_ITEMS,
  SCREENER_ITEM_MAX,
  SIDE_EFFECTS,
} from './vocabulary';
import * as z from './zod';

/*
 * Triage rules as data (DESIGN sections 7 and 8). A clinic reads and edits
 * them in its config; `triageReply` evaluates them. Each rule has one
 * condition on the reply (`when`), optionally limited to some check-ins
 * (`kinds`); every rule that holds "fires", and the reply's level is the
 * highest level among the rules that fired (`routine` when none did).
 * There is no AND/OR: a list of rules is already an OR; the second
 * conditions the defaults need (the check-in it was reported at, "still
 * felt now") are fields of the rule or the condition. A rule's `advice`
 * says what the patient is told to do; the reply's advice is the strongest
 * among its rules (emergency, crisis, call-us, callback).
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

/** The patient answered `selfHarm` with this value; `selfHarmNow` yes counts as `selfHarm` yes. */
export const selfHarmConditionSchema = z.strictObject({
  answer: z.literal('selfHarm'),
  is: z.enum(['yes', 'no'], { error: 'must be "yes" or "no"' }),
});

/** The patient answered the follow-up "thinking of acting on it now" with this value. */
export const selfHarmNowConditionSchema = z.strictObject({
  answer: z.literal('selfHarmNow'),
  is: z.enum(['yes', 'no'], { error: 'must be "yes" or "no"' }),
});

/**
 * The note: `anything` fires for any note; `urgentPhrases` when it contains
 * one of the clinic's urgent phrases (config `urgentPhrases`, every
 * language, ignoring case, accents and punctuation).
 */
export const noteConditionSchema = z.strictObject({
  answer: z.literal('note'),
  matches: z.enum(['anything', 'urgentPhrases'], { error: 'must be "anything" or "urgentPhrases"' }),
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
 * at `atLeast` or worse (none < mild < moderate < severe). With `stillNow`,
 * only an effect the patient still feels counts: an unanswered "still now"
 * counts as yes, and so does an effect the form does not follow up.
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
  stillNow: z.optional(z.literal(true, { error: 'must be true, or left out' })),
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

/**
 * The PHQ-9 total minus the patient's first PHQ-9 total (their baseline);
 * never matches without both.
 */
export const phq9ChangeConditionSchema = checkBounds(
  z.strictObject({ answer: z.literal('phq9Change'), ...bounds(-PHQ9_TOTAL_MAX, PHQ9_TOTAL_MAX) }),
);

const CONDITION_ANSWERS = [
  'selfHarm',
  'selfHarmNow',
  'note',
  'wantsCall',
  'mood',
  'sideEffects',
  'phq9Item',
  'phq9Total',
  'gad7Item',
  'gad7Total',
  'phq9Change',
] as const;

/** What a rule looks at, told apart by `answer`. */
export const triageConditionSchema = z.discriminatedUnion(
  'answer',
  [
    selfHarmConditionSchema,
    selfHarmNowConditionSchema,
    noteConditionSchema,
    wantsCallConditionSchema,
    moodConditionSchema,
    sideEffectConditionSchema,
    phq9ItemConditionSchema,
    phq9TotalConditionSchema,
    gad7ItemConditionSchema,
    gad7TotalConditionSchema,
    phq9ChangeConditionSchema,
  ],
  { error: `must be one of ${CONDITION_ANSWERS.join(', ')}` },
);
export type TriageCondition = z.infer<typeof triageConditionSchema>;

/** Lowercase letters and digits joined by dashes. */
const RULE_ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** What a rule may tell the patient to do: urgent rules one of the first three, review rules `callback` or nothing. */
export const RULE_ADVICE = ADVICE.filter((advice) => advice !== 'none') as Exclude<Advice, 'none'>[];
const URGENT_ADVICE: readonly Advice[] = ['emergency', 'crisis', 'call-us'];

/** One triage rule. Its `id` is stored with every reply it fires for, so keep it stable. */
export const triageRuleSchema = z
  .strictObject({
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
    /** What the patient is told to do when this rule fires; required on urgent rules. */
    advice: z.optional(z.enum(RULE_ADVICE, { error: `must be one of ${RULE_ADVICE.join(', ')}` })),
    when: triageConditionSchema,
  })
  .check(
    z.refine(
      (rule) => rule.level !== 'urgent' || (rule.advice !== undefined && URGENT_ADVICE.includes(rule.advice)),
      {
        error: `an urgent rule needs advice ${URGENT_ADVICE.join(', ')}`,
        path: ['advice'],
      },
    ),
    z.refine((rule) => rule.level !== 'review' || rule.advice === undefined || rule.advice === 'callback', {
      error: 'a review rule may only have advice callback',
      path: ['advice'],
    }),
  );
export type TriageRule = z.infer<typeof triageRuleSchema>;
export type TriageRuleInput = z.input<typeof triageRuleSchema>;

/** Rule ids that appear more than once, each once. */
export function duplicateRuleIds(rules: readonly { id: string }[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { id } of rules) (seen.has(id) ? repeated : seen).add(id);
  return [...repeated];
}

/** Later check-ins, where effects of the dose itself should have passed. */
const LATER: CheckinKind[] = ['checkin-next-day', 'checkin-week'];

/**
 * DESIGN section 7's default triage, one rule per clause of its table.
 * `effect-moderate` covers every effect, not only those no urgent rule
 * names: the urgent rules fire as well and the highest level wins, and a
 * clinic that narrows an urgent rule still sees the effect it dropped on the
 * review list. No rule lists fatigue, dissociation or out-of-body as urgent
 * on the same day: they are expected then.
 */
export const DEFAULT_TRIAGE_RULES: TriageRule[] = [
  {
    id: 'self-harm',
    level: 'urgent',
    advice: 'crisis',
    description: 'Thoughts of being better off dead or of self-harm',
    when: { answer: 'selfHarm', is: 'yes' },
  },
  {
    id: 'phq9-item9',
    level: 'urgent',
    advice: 'crisis',
    description: 'PHQ-9 item 9 (thoughts of self-harm) on several days or more',
    when: { answer: 'phq9Item', item: 9, atLeast: 1 },
  },
  {
    id: 'note-urgent-phrase',
    level: 'urgent',
    advice: 'crisis',
    description: 'The note contains an urgent phrase',
    when: { answer: 'note', matches: 'urgentPhrases' },
  },
  {
    id: 'psychiatric-moderate-later',
    level: 'urgent',
    advice: 'crisis',
    description: 'Panic, unusually high mood or hallucinations, moderate or worse, the next day or later',
    kinds: LATER,
    when: {
      answer: 'sideEffects',
      effects: ['panic', 'unusually-high-mood', 'hallucinations'],
      atLeast: 'moderate',
    },
  },
  {
    id: 'dissociation-lasting',
    level: 'urgent',
    advice: 'crisis',
    description:
      'Dissociation or out-of-body feeling, moderate or worse and still felt, the next day or later',
    kinds: LATER,
    when: {
      answer: 'sideEffects',
      effects: ['dissociation', 'out-of-body'],
      atLeast: 'moderate',
      stillNow: true,
    },
  },
  {
    id: 'psychiatric-severe',
    level: 'urgent',
    advice: 'crisis',
    description: 'Panic, unusually high mood, hallucinations or restlessness, severe',
    when: {
      answer: 'sideEffects',
      effects: ['panic', 'unusually-high-mood', 'hallucinations', 'restlessness'],
      atLeast: 'severe',
    },
  },
  {
    id: 'heart-breathing-fainting',
    level: 'urgent',
    advice: 'emergency',
    description: 'Chest pain, trouble breathing or fainting, mild or worse',
    when: {
      answer: 'sideEffects',
      effects: ['chest-pain', 'trouble-breathing', 'fainting'],
      atLeast: 'mild',
    },
  },
  {
    id: 'neurological-moderate-later',
    level: 'urgent',
    advice: 'emergency',
    description: 'Confusion or poor coordination, moderate or worse, the next day or later',
    kinds: LATER,
    when: { answer: 'sideEffects', effects: ['confusion', 'poor-coordination'], atLeast: 'moderate' },
  },
  {
    id: 'physical-severe',
    level: 'urgent',
    advice: 'emergency',
    description: 'Dizziness, racing heart, headache, blurred vision, confusion or poor coordination, severe',
    when: {
      answer: 'sideEffects',
      effects: ['dizziness', 'racing-heart', 'headache', 'blurred-vision', 'confusion', 'poor-coordination'],
      atLeast: 'severe',
    },
  },
  {
    id: 'stomach-bladder-severe',
    level: 'urgent',
    advice: 'call-us',
    description: 'Nausea, vomiting or bladder symptoms, severe',
    when: { answer: 'sideEffects', effects: ['nausea', 'vomiting', 'bladder'], atLeast: 'severe' },
  },
  {
    id: 'effect-moderate',
    level: 'review',
    description: 'Any side effect moderate or worse',
    when: { answer: 'sideEffects', effects: 'any', atLeast: 'moderate' },
  },
  {
    id: 'bladder',
    level: 'review',
    description: 'Bladder symptoms, mild or worse',
    when: { answer: 'sideEffects', effects: ['bladder'], atLeast: 'mild' },
  },
  {
    id: 'psychiatric-mild-later',
    level: 'review',
    description: 'Unusually high mood, hallucinations or confusion, mild, the next day or later',
    kinds: LATER,
    when: {
      answer: 'sideEffects',
      effects: ['unusually-high-mood', 'hallucinations', 'confusion'],
      atLeast: 'mild',
    },
  },
  {
    id: 'dissociation-mild-lasting',
    level: 'review',
    description: 'Dissociation or out-of-body feeling, mild and still felt, the next day or later',
    kinds: LATER,
    when: {
      answer: 'sideEffects',
      effects: ['dissociation', 'out-of-body'],
      atLeast: 'mild',
      stillNow: true,
    },
  },
  {
    id: 'low-mood',
    level: 'review',
    description: 'Mood 3 or lower',
    when: { answer: 'mood', atMost: 3 },
  },
  {
    id: 'note',
    level: 'review',
    description: 'Wrote a note',
    when: { answer: 'note', matches: 'anything' },
  },
  {
    id: 'wants-call',
    level: 'review',
    advice: 'callback',
    description: 'Asked for a call',
    when: { answer: 'wantsCall', is: true },
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
  {
    id: 'phq9-rise',
    level: 'review',
    description: 'PHQ-9 total up 5 or more from the first',
    when: { answer: 'phq9Change', atLeast: 5 },
  },
];

/**
 * The default urgent phrases (DESIGN section 7): a safety net for notes and
 * texts, not language understanding. Short and conservative: a phrase here
 * pages the on-call clinician, so each one names self-harm or a medical
 * emergency plainly. Matched as whole words, ignoring case, accents and
 * punctuation ("can't" and "cant" are the same).
 */
export const DEFAULT_URGENT_PHRASES = {
  en: [
    'kill myself',
    'killing myself',
    'end my life',
    'end it',
    'suicide',
    'suicidal',
    'want to die',
    'wanna die',
    'better off dead',
    'hurt myself',
    'hurting myself',
    'overdose',
    'cant breathe',
    'cannot breathe',
    'passed out',
    'fainted',
    'chest pain',
  ],
  es: [
    'matarme',
    'suicidarme',
    'suicidio',
    'quitarme la vida',
    'quiero morir',
    'me quiero morir',
    'mejor muerto',
    'mejor muerta',
    'hacerme dano',
    'acabar con todo',
    'terminar con todo',
    'sobredosis',
    'no puedo respirar',
    'me desmaye',
    'dolor de pecho',
    'dolor en el pecho',
  ],
};

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
