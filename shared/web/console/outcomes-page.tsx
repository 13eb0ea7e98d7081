import type { VNode } from 'preact';
import { formatStaffDay } from '../../domain/alerts/staff-wording';
import type { OutcomesView, OutcomeWeek } from '../../domain/console/outcomes-console';
import type { ConsoleClinic } from './alerts-pages';
import { ConsoleDocument, type ConsoleViewer } from './console-document';
import { round } from './screener-chart';

const LEVELS = [
  { level: 'urgent', label: 'Urgent', fill: '#a4161a' },
  { level: 'review', label: 'Review', fill: '#b7791f' },
  { level: 'routine', label: 'Routine', fill: '#1f3a5f' },
] as const;

export const BARS = { width: 320, height: 170, left: 30, right: 6, top: 8, bottom: 22 } as const;

const total = (week: OutcomeWeek) => week.urgent + week.review + week.routine;

/**
 * Where each bar segment goes, in SVG units: one bar a week, stacked urgent
 * (bottom), review, routine, scaled to the busiest week (at least 1).
 */
export function barGeometry(weeks: readonly OutcomeWeek[]) {
  const plotWidth = BARS.width - BARS.left - BARS.right;
  const plotHeight = BARS.height - BARS.top - BARS.bottom;
  const max = Math.max(1, ...weeks.map(total));
  const slot = plotWidth / Math.max(1, weeks.length);
  return {
    max,
    bars: weeks.map((week, index) => {
      let base = BARS.top + plotHeight;
      const segments = LEVELS.map(({ level, fill }) => {
        const height = (plotHeight * week[level]) / max;
        base -= height;
        return { level, fill, y: base, height };
      });
      return { week, x: BARS.left + index * slot + slot * 0.15, width: slot * 0.7, segments };
    }),
  };
}

/**
 * Clinic-wide check-in replies by week and triage level: a stacked bar chart
 * drawn on the server (no script, a text summary for screen readers) and the
 * numbers in a table beside it.
 */
export function OutcomesPage(props: {
  viewer: ConsoleViewer;
  clinic: ConsoleClinic;
  view: OutcomesView;
}): VNode {
  const { weeks } = props.view;
  const geometry = barGeometry(weeks);
  const sums = LEVELS.map(
    ({ level, label }) => `${weeks.reduce((n, w) => n + w[level], 0)} ${label.toLowerCase()}`,
  );
  const first = weeks[0];
  const summary = first
    ? `Check-in replies in the ${weeks.length} weeks from ${formatStaffDay(first.monday, { withYear: true })}: ${sums.join(', ')}.`
    : 'No weeks to show.';
  return (
    <ConsoleDocument title="Outcomes" clinicName={props.clinic.name} viewer={props.viewer} current="outcomes">
      <h1>Outcomes</h1>
      <p>
        Each patient's PHQ-9 and GAD-7 totals are charted on their page (
        <a href="/console/patients">find a patient</a>
        ).
      </p>
      <section aria-labelledby="weekly">
        <h2 id="weekly">Check-in replies by week</h2>
        <figure class="chart">
          <svg
            viewBox={`0 0 ${BARS.width} ${BARS.height}`}
            role="img"
            aria-labelledby="weekly-title weekly-desc"
            width="100%"
            preserveAspectRatio="xMidYMid meet"
          >
            <title id="weekly-title">Check-in replies by week and triage level</title>
            <desc id="weekly-desc">{summary}</desc>
            <line
              x1={BARS.left}
              x2={BARS.width - BARS.right}
              y1={BARS.height - BARS.bottom}
              y2={BARS.height - BARS.bottom}
              stroke="#4a5561"
            />
            <text x={BARS.left - 4} y={BARS.top + 8} text-anchor="end" font-size="10" fill="#333">
              {geometry.max}
            </text>
            <text
              x={BARS.left - 4}
              y={BARS.height - BARS.bottom}
              text-anchor="end"
              font-size="10"
              fill="#333"
            >
              0
            </text>
            {geometry.bars.map((bar) => (
              <g>
                {bar.segments
                  .filter((segment) => segment.height > 0)
                  .map((segment) => (
                    <rect
                      x={round(bar.x)}
                      y={round(segment.y)}
                      width={round(bar.width)}
                      height={round(segment.height)}
                      fill={segment.fill}
                    />
                  ))}
              </g>
            ))}
          </svg>
          <figcaption>
            {summary}{' '}
            {LEVELS.map(
              ({ label }, index) => `${index === 0 ? 'From the bottom: ' : ''}${label.toLowerCase()}`,
            ).join(', ')}
            .
          </figcaption>
          <table>
            <caption>Replies by week</caption>
            <thead>
              <tr>
                <th scope="col">Week of</th>
                {LEVELS.map(({ label }) => (
                  <th scope="col">{label}</th>
                ))}
                <th scope="col">All</th>
              </tr>
            </thead>
            <tbody>
              {[...weeks].reverse().map((week) => (
                <tr>
                  <td>{formatStaffDay(week.monday, { withYear: true })}</td>
                  {LEVELS.map(({ level }) => (
                    <td>{week[level]}</td>
                  ))}
                  <td>{total(week)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </figure>
      </section>
    </ConsoleDocument>
  );
}
