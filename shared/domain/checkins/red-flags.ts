import {
  type CheckinAnswers,
  type CheckinKind,
  EXPECTED_SAME_DAY_EFFECTS,
  SIDE_EFFECTS,
  type SideEffect,
} from '../../contracts/vocabulary';

/** Effects that are red flags at any severity (DESIGN section 7). */
const ALWAYS_RED: readonly SideEffect[] = ['chest-pain', 'trouble-breathing', 'fainting'];

/**
 * Whether a reply carries a red flag of DESIGN section 7: self-harm
 * thoughts (or acting on them now), PHQ-9 item 9 at 1 or more, chest pain,
 * trouble breathing or fainting at any severity, or any severe effect
 * except those expected on the day of the session. Fixed by the design,
 * not by config: it decides which rejected replies are still stored, and
 * the property tests hold every triage config's defaults to it.
 */
export function hasRedFlag(answers: CheckinAnswers, kind: CheckinKind): boolean {
  if (answers.selfHarm === 'yes' || answers.selfHarmNow === 'yes') return true;
  if ((answers.phq9?.[8] ?? answers.phq9Item9 ?? 0) >= 1) return true;
  return SIDE_EFFECTS.some((effect) => {
    const severity = answers.sideEffects[effect] ?? 'none';
    if (ALWAYS_RED.includes(effect)) return severity !== 'none';
    const expected =
      kind === 'checkin-same-day' && (EXPECTED_SAME_DAY_EFFECTS as readonly string[]).includes(effect);
    return severity === 'severe' && !expected;
  });
}
