import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OutcomeWeek } from '../../shared/domain/console/outcomes-console';
import type { ConsoleClinic } from '../../shared/web/console/alerts-pages';
import { BARS, barGeometry, OutcomesPage } from '../../shared/web/console/outcomes-page';
import { renderPage } from '../../shared/web/layout';
import { visibleText } from '../support/html';
import { CLINICIAN } from '../support/staff';

const CLINIC: ConsoleClinic = {
  name: 'Riverside Clinic',
  timeZone: 'America/New_York',
  maxEscalations: 4,
  ruleDescriptions: {},
};

const week = (n: number, counts: Partial<OutcomeWeek> = {}): OutcomeWeek => ({
  week: `2026-W${String(37 + n).padStart(2, '0')}`,
  monday: `2026-${n < 4 ? '09' : n < 8 ? '10' : '11'}-0${(n % 4) + 1}`,
  urgent: 0,
  review: 0,
  routine: 0,
  ...counts,
});

describe('the weekly replies chart', () => {
  it('stacks each week inside the plot, its height in proportion to its replies, the busiest reaching the top', () => {
    const counts = fc.record({ urgent: fc.nat(40), review: fc.nat(40), routine: fc.nat(200) });
    fc.assert(
      fc.property(fc.array(counts, { minLength: 1, maxLength: 12 }), (raw) => {
        const weeks = raw.map((c, i) => week(i, c));
        const { bars, max } = barGeometry(weeks);
        const bottom = BARS.height - BARS.bottom;
        const plot = bottom - BARS.top;
        for (const bar of bars) {
          expect(bar.x).toBeGreaterThanOrEqual(BARS.left);
          expect(bar.x + bar.width).toBeLessThanOrEqual(BARS.width - BARS.right + 1e-9);
          const height = bar.segments.reduce((h, s) => h + s.height, 0);
          const total = bar.week.urgent + bar.week.review + bar.week.routine;
          expect(height).toBeCloseTo((plot * total) / max, 6);
          expect(bar.segments[0] && bar.segments[0].y + bar.segments[0].height).toBeCloseTo(bottom, 6);
          for (const segment of bar.segments) expect(segment.y).toBeGreaterThanOrEqual(BARS.top - 1e-9);
        }
        if (max > 1 || bars.some((b) => b.segments.some((s) => s.height > 0))) {
          const tallest = Math.max(...bars.map((b) => b.segments.reduce((h, s) => h + s.height, 0)));
          expect(tallest).toBeCloseTo(plot, 6);
        }
      }),
    );
  });
});

describe('the outcomes page', () => {
  it('is a labelled SVG chart with its numbers in a table, newest week first', () => {
    const weeks = Array.from({ length: 12 }, (_, i) =>
      week(i, i === 11 ? { urgent: 2, review: 1, routine: 9 } : {}),
    );
    const html = renderPage(
      <OutcomesPage viewer={{ staff: CLINICIAN, csrfToken: 'csrf' }} clinic={CLINIC} view={{ weeks }} />,
    );
    expect(html).not.toMatch(/<script|\sstyle="|\son[a-z]+=/i);
    expect(html).toContain('role="img" aria-labelledby="weekly-title weekly-desc"');
    const text = visibleText(html);
    expect(text).toContain('2 urgent, 1 review, 9 routine');
    expect(text).toMatch(/Week of\s*Urgent\s*Review\s*Routine\s*All.*2\s*1\s*9\s*12/);
    expect(html).toContain('href="/console/patients"');
  });
});
