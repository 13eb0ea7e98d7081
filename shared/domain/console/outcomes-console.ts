import { weeksUpTo } from '../time';
import { allowed, type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from './access';

/** Weeks on the outcomes page: this one and the eleven before it. */
export const OUTCOME_WEEKS = 12;

/** One ISO week of the clinic's check-in replies, by triage level. */
export interface OutcomeWeek {
  /** `2026-W48`. */
  week: string;
  /** Its Monday, in the clinic's zone (`2026-11-23`). */
  monday: string;
  urgent: number;
  review: number;
  routine: number;
}

export interface OutcomesView {
  /** Oldest first, every week present (a week without replies counts zero). */
  weeks: OutcomeWeek[];
}

/**
 * The clinic's outcomes page (clinicians, DESIGN section 10): check-in replies
 * by triage level for each of the last twelve ISO weeks in the clinic's zone,
 * one query. Each patient's PHQ-9 and GAD-7 chart is on their page.
 */
export async function showOutcomes(
  deps: ConsoleDeps,
  request: StaffRequest,
): Promise<ConsoleResult<OutcomesView>> {
  if (!(await allowed(deps, request, 'outcomes', 'PAGE#outcomes'))) return { ok: false, reason: 'forbidden' };
  const span = weeksUpTo(deps.clock.now(), deps.config.clinic.timeZone, OUTCOME_WEEKS);
  const first = span[0]?.week ?? '';
  const last = span[span.length - 1]?.week ?? '';
  const counted = new Map((await deps.replyCounts.weeks(first, last)).map((c) => [c.week, c]));
  const weeks = span.map(({ week, monday }) => {
    const found = counted.get(week);
    return {
      week,
      monday,
      urgent: found?.urgent ?? 0,
      review: found?.review ?? 0,
      routine: found?.routine ?? 0,
    };
  });
  await record(deps, request, 'view', 'PAGE#outcomes');
  return { ok: true, value: { weeks } };
}
