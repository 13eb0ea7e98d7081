import {
  TRIAGE_LEVELS,
  type TriageCondition,
  type TriageLevel,
  type TriageRule,
} from '../../contracts/triage-rules';
import type { CheckinKind } from '../../contracts/vocabulary';
import { type CheckinAnswers, SEVERITIES, type Severity, SIDE_EFFECTS } from '../../contracts/vocabulary';
import { type Gad7Score, type Phq9Score, scoreGad7, scorePhq9 } from './screeners';

export type { TriageLevel } from '../../contracts/triage-rules';

/** What triage concluded about one reply; stored with it. */
export interface TriageResult {
  /** The highest level among the rules that fired; `routine` when none did. */
  level: TriageLevel;
  /** Ids of every rule that fired, in the order of the rules. */
  rules: string[];
  /** Screener scores, for each screener the reply answered. */
  scores: { phq9?: Phq9Score; gad7?: Gad7Score };
}

/**
 * Triages one check-in reply against a clinic's rules (DESIGN sections 7
 * and 8): every rule whose check-in restriction admits `kind` and whose
 * condition holds fires; the level is the highest level among them.
 *
 * Pure and deterministic: the same answers, kind and rules always give the
 * same result, and nothing passed in is changed.
 *
 * @param answers a reply already validated at the edge (`parseCheckinJson` / `parseCheckinForm`)
 * @param kind the check-in the reply answers
 * @param rules the clinic's rules (`config.triage`), in the order their ids are reported
 * @returns the level, the ids of all rules that fired, and the PHQ-9 / GAD-7 scores when answered
 */
export function triageReply(
  answers: CheckinAnswers,
  kind: CheckinKind,
  rules: readonly TriageRule[],
): TriageResult {
  const scores: TriageResult['scores'] = {};
  if (answers.phq9 !== undefined) scores.phq9 = scorePhq9(answers.phq9);
  if (answers.gad7 !== undefined) scores.gad7 = scoreGad7(answers.gad7);

  const fired = rules.filter(
    (rule) => (rule.kinds === undefined || rule.kinds.includes(kind)) && holds(rule.when, answers, scores),
  );
  return {
    level: highestLevel(fired.map((rule) => rule.level)),
    rules: fired.map((rule) => rule.id),
    scores,
  };
}

/** How staff read a rule that fired: its description in the config, else its id. */
export function ruleDescription(rules: readonly TriageRule[], id: string): string {
  return rules.find((rule) => rule.id === id)?.description ?? id;
}

/** The highest of some levels; `routine` for none. */
export function highestLevel(levels: readonly TriageLevel[]): TriageLevel {
  let highest = 0;
  for (const level of levels) highest = Math.max(highest, TRIAGE_LEVELS.indexOf(level));
  return TRIAGE_LEVELS[highest] ?? 'routine';
}

/** The screener totals a rule may look at. */
type Totals = { readonly phq9?: { total: number }; readonly gad7?: { total: number } };

function holds(condition: TriageCondition, answers: CheckinAnswers, scores: Totals): boolean {
  switch (condition.answer) {
    case 'selfHarm':
      return answers.selfHarm === condition.is;
    case 'wantsCall':
      return answers.wantsCall === condition.is;
    case 'mood':
      return within(answers.mood, condition);
    case 'sideEffects': {
      const effects = condition.effects === 'any' ? SIDE_EFFECTS : condition.effects;
      const threshold = rank(condition.atLeast);
      return effects.some((effect) => rank(answers.sideEffects[effect] ?? 'none') >= threshold);
    }
    case 'phq9Item':
      return within(answers.phq9?.[condition.item - 1], condition);
    case 'gad7Item':
      return within(answers.gad7?.[condition.item - 1], condition);
    case 'phq9Total':
      return within(scores.phq9?.total, condition);
    case 'gad7Total':
      return within(scores.gad7?.total, condition);
    default:
      return condition satisfies never;
  }
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
 * (`selfHarm`, `mood`, `sideEffects.chest-pain`, `phq9.8`, `gad7`), so staff
 * pages can highlight what triggered a reply's triage. A total names the
 * whole screener.
 */
export function triggeringAnswers(
  answers: CheckinAnswers,
  rules: readonly TriageRule[],
  scores: Totals,
): Set<string> {
  const fields = new Set<string>();
  for (const { when } of rules) {
    if (!holds(when, answers, scores)) continue;
    switch (when.answer) {
      case 'sideEffects': {
        const effects = when.effects === 'any' ? SIDE_EFFECTS : when.effects;
        for (const effect of effects) {
          if (rank(answers.sideEffects[effect] ?? 'none') >= rank(when.atLeast))
            fields.add(`sideEffects.${effect}`);
        }
        break;
      }
      case 'phq9Item':
        fields.add(`phq9.${when.item - 1}`);
        break;
      case 'gad7Item':
        fields.add(`gad7.${when.item - 1}`);
        break;
      case 'phq9Total':
        fields.add('phq9');
        break;
      case 'gad7Total':
        fields.add('gad7');
        break;
      default:
        fields.add(when.answer);
    }
  }
  return fields;
}
