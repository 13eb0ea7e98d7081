import type { ClinicConfig } from '../../contracts/clinic-config';
import {
  TRIAGE_LEVELS,
  type TriageCondition,
  type TriageLevel,
  type TriageRule,
} from '../../contracts/triage-rules';
import {
  ADVICE,
  type Advice,
  type CheckinAnswers,
  type CheckinKind,
  SEVERITIES,
  type Severity,
  SIDE_EFFECTS,
  type SideEffect,
  STILL_NOW_EFFECTS,
  type StillNowEffect,
} from '../../contracts/vocabulary';
import type { ScreenerBaseline } from '../ports';
import { type Gad7Score, type Phq9Score, scoreGad7, scorePhq9 } from './screeners';
import { containsUrgentPhrase, foldPhrases } from './urgent-phrases';

export type { TriageLevel } from '../../contracts/triage-rules';
export type { ScreenerBaseline } from '../ports';

/** What triage concluded about one reply; stored with it. */
export interface TriageResult {
  /** The highest level among the rules that fired; `routine` when none did. */
  level: TriageLevel;
  /** Ids of every rule that fired, in the order of the rules. */
  rules: string[];
  /** The strongest advice among the rules that fired; `none` when none gave any. */
  advice: Advice;
  /** Screener scores, for each screener the reply answered. */
  scores: { phq9?: Phq9Score; gad7?: Gad7Score };
}

/** A clinic's triage: its rules and its urgent phrases, already folded (`triagePolicy`). */
export interface TriagePolicy {
  readonly rules: readonly TriageRule[];
  readonly urgentPhrases: readonly string[];
}

/** The triage policy of a clinic config, phrases folded once. */
export function triagePolicy(config: Pick<ClinicConfig, 'triage' | 'urgentPhrases'>): TriagePolicy {
  // Folded once per config (a container keeps one), not on every reply.
  let policy = policies.get(config);
  if (!policy) {
    policy = { rules: config.triage, urgentPhrases: foldPhrases(config.urgentPhrases) };
    policies.set(config, policy);
  }
  return policy;
}

const policies = new WeakMap<object, TriagePolicy>();

/**
 * Triages one check-in reply against a clinic's rules (DESIGN sections 7
 * and 8): every rule whose check-in restriction admits `kind` and whose
 * condition holds fires; the level is the highest level among them and the
 * advice the strongest.
 *
 * Pure and deterministic: the same answers, kind, policy and baseline
 * always give the same result, and nothing passed in is changed.
 *
 * @param answers a reply validated at the edge (or salvaged because it carries a red flag)
 * @param kind the check-in the reply answers
 * @param policy the clinic's rules and urgent phrases (`triagePolicy(config)`)
 * @param baseline the patient's first PHQ-9 and GAD-7 totals, when known
 * @returns the level, the ids of all rules that fired, the advice, and the screener scores when answered
 */
export function triageReply(
  answers: CheckinAnswers,
  kind: CheckinKind,
  policy: TriagePolicy,
  baseline: ScreenerBaseline = {},
): TriageResult {
  const scores: TriageResult['scores'] = {};
  if (answers.phq9 !== undefined) scores.phq9 = scorePhq9(answers.phq9);
  if (answers.gad7 !== undefined) scores.gad7 = scoreGad7(answers.gad7);
  const reply: Reply = { answers, scores, baseline, urgentPhrases: policy.urgentPhrases };

  const fired = policy.rules.filter(
    (rule) => (rule.kinds === undefined || rule.kinds.includes(kind)) && holds(rule.when, reply),
  );
  return {
    level: highestLevel(fired.map((rule) => rule.level)),
    rules: fired.map((rule) => rule.id),
    advice: strongestAdvice(fired.map((rule) => rule.advice ?? 'none')),
    scores,
  };
}

/** The strongest of some advice (emergency, crisis, call-us, callback); `none` for none. */
export function strongestAdvice(advice: readonly Advice[]): Advice {
  let strongest = ADVICE.length - 1;
  for (const one of advice) strongest = Math.min(strongest, ADVICE.indexOf(one));
  return ADVICE[strongest] ?? 'none';
}

/** How staff read a rule that fired: its description in the config, else its id. */
export function ruleDescription(rules: readonly TriageRule[], id: string): string {
  return rules.find((rule) => rule.id === id)?.description ?? TEXT_RULE_DESCRIPTIONS[id] ?? id;
}

/** The rules a patient's text to the clinic's number fires (DESIGN section 11); not the clinic's to change. */
export const TEXT_RULES = {
  urgent: 'text-urgent-phrase',
  review: 'text-message',
} as const;

const TEXT_RULE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  [TEXT_RULES.urgent]: "The patient's text to the clinic's number contains an urgent phrase",
  [TEXT_RULES.review]: "The patient texted the clinic's number",
};

/** The highest of some levels; `routine` for none. */
export function highestLevel(levels: readonly TriageLevel[]): TriageLevel {
  let highest = 0;
  for (const level of levels) highest = Math.max(highest, TRIAGE_LEVELS.indexOf(level));
  return TRIAGE_LEVELS[highest] ?? 'routine';
}

/** The screener totals a rule may look at. */
type Totals = { readonly phq9?: { total: number }; readonly gad7?: { total: number } };

/** Everything a condition may look at. */
interface Reply {
  answers: CheckinAnswers;
  scores: Totals;
  baseline: ScreenerBaseline;
  urgentPhrases: readonly string[];
}

type EffectCondition = Extract<TriageCondition, { answer: 'sideEffects' }>;

function holds(condition: TriageCondition, reply: Reply): boolean {
  const { answers, scores } = reply;
  switch (condition.answer) {
    case 'selfHarm':
      return selfHarmAnswer(answers) === condition.is;
    case 'selfHarmNow':
      return answers.selfHarmNow === condition.is;
    case 'note':
      return (
        answers.note !== undefined &&
        (condition.matches === 'anything' || containsUrgentPhrase(answers.note, reply.urgentPhrases))
      );
    case 'wantsCall':
      return answers.wantsCall === condition.is;
    case 'mood':
      return within(answers.mood, condition);
    case 'sideEffects':
      return matchingEffects(answers, condition).length > 0;
    case 'phq9Item':
      return within(phq9ItemOf(answers, condition.item), condition);
    case 'gad7Item':
      return within(answers.gad7?.[condition.item - 1], condition);
    case 'phq9Total':
      return within(scores.phq9?.total, condition);
    case 'gad7Total':
      return within(scores.gad7?.total, condition);
    case 'phq9Change': {
      const total = scores.phq9?.total;
      const first = reply.baseline.phq9;
      return within(total === undefined || first === undefined ? undefined : total - first, condition);
    }
    default:
      return condition satisfies never;
  }
}

/** A PHQ-9 item (from 1); item 9 also from a reply that kept only it. */
function phq9ItemOf(answers: CheckinAnswers, item: number): number | undefined {
  return answers.phq9?.[item - 1] ?? (item === 9 ? answers.phq9Item9 : undefined);
}

/** `selfHarmNow` yes counts as `selfHarm` yes (DESIGN section 7). */
function selfHarmAnswer(answers: CheckinAnswers): CheckinAnswers['selfHarm'] {
  return answers.selfHarmNow === 'yes' ? 'yes' : answers.selfHarm;
}

/** The effects of a condition the reply rates at its threshold or worse (and, with `stillNow`, still feels). */
function matchingEffects(answers: CheckinAnswers, condition: EffectCondition): SideEffect[] {
  const effects = condition.effects === 'any' ? SIDE_EFFECTS : condition.effects;
  const threshold = rank(condition.atLeast);
  return effects.filter(
    (effect) =>
      rank(answers.sideEffects[effect] ?? 'none') >= threshold &&
      (condition.stillNow !== true || stillFelt(answers, effect)),
  );
}

/** Whether the patient still feels an effect: unanswered counts as yes, and so does an effect the form does not follow up. */
function stillFelt(answers: CheckinAnswers, effect: SideEffect): boolean {
  if (!(STILL_NOW_EFFECTS as readonly string[]).includes(effect)) return true;
  return answers.stillNow?.[effect as StillNowEffect] !== false;
}

/** Whether a number is within inclusive bounds; a missing number never is. */
function within(value: number | undefined, bounds: { atLeast?: number; atMost?: number }): boolean {
  if (value === undefined) return false;
  return (
    (bounds.atLeast === undefined || value >= bounds.atLeast) &&
    (bounds.atMost === undefined || value <= bounds.atMost)
  );
}

function rank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

/**
 * The answers that made these rules fire, named as the form names them
 * (`selfHarm`, `mood`, `sideEffects.chest-pain`, `phq9.8`, `gad7`, `note`),
 * so staff pages can highlight what triggered a reply's triage. A total or
 * a change names the whole screener.
 *
 * @param rules the rules stored as fired for this reply
 */
export function triggeringAnswers(
  answers: CheckinAnswers,
  rules: readonly TriageRule[],
  scores: Totals,
): Set<string> {
  const fields = new Set<string>();
  for (const { when } of rules) {
    switch (when.answer) {
      case 'sideEffects':
        for (const effect of matchingEffects(answers, when)) fields.add(`sideEffects.${effect}`);
        break;
      case 'selfHarm':
        if (answers.selfHarm === 'yes') fields.add('selfHarm');
        if (answers.selfHarmNow === 'yes') fields.add('selfHarmNow');
        break;
      case 'phq9Item':
        fields.add(`phq9.${when.item - 1}`);
        break;
      case 'gad7Item':
        fields.add(`gad7.${when.item - 1}`);
        break;
      case 'phq9Total':
      case 'phq9Change':
        if (scores.phq9 !== undefined) fields.add('phq9');
        break;
      case 'gad7Total':
        if (scores.gad7 !== undefined) fields.add('gad7');
        break;
      default:
        fields.add(when.answer);
    }
  }
  return fields;
}
