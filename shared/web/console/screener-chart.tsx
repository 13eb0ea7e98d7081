import { DateTime } from 'luxon';
import type { VNode } from 'preact';
import { formatStaffDay } from '../../domain/alerts/staff-wording';

/** One screener's series as the chart draws it: totals over time, and its bands. */
export interface ScreenerSeries {
  /** `PHQ-9`, `GAD-7`. */
  name: string;
  /** The highest possible total (27, 21). */
  max: number;
  /** Each band's name and lowest total, least severe first. */
  floors: readonly (readonly [string, number])[];
  /** Oldest first. */
  points: readonly { at: string; total: number }[];
}

/** Light fills, least to most severe: distinct without relying on colour alone (the table says the band). */
const BAND_FILLS = ['#eef6ee', '#f8f6e4', '#fbeedd', '#f9e2dc', '#f3d5d5'];

export const CHART = { width: 320, height: 176, left: 30, right: 10, top: 8, bottom: 26 } as const;

/** The band a total falls in. */
export function bandOf(series: Pick<ScreenerSeries, 'floors'>, total: number): string {
  let band = series.floors[0]?.[0] ?? '';
  for (const [name, floor] of series.floors) if (total >= floor) band = name;
  return band;
}

/**
 * Where everything goes, in SVG units: the bands as horizontal strips (a band
 * covers its floor to the next band's floor), the points by time (one point in
 * the middle), and the y ticks at each band's floor.
 */
export function chartGeometry(series: ScreenerSeries) {
  const plotWidth = CHART.width - CHART.left - CHART.right;
  const plotHeight = CHART.height - CHART.top - CHART.bottom;
  const y = (total: number) =>
    CHART.top + plotHeight * (1 - Math.min(Math.max(total, 0), series.max) / series.max);
  const bands = series.floors.map(([name, floor], index) => {
    const ceiling = series.floors[index + 1]?.[1] ?? series.max;
    const top = y(ceiling);
    return { name, floor, y: top, height: y(floor) - top, fill: BAND_FILLS[index] ?? '#ffffff' };
  });
  const times = series.points.map((point) => Date.parse(point.at));
  const first = Math.min(...times);
  const span = Math.max(...times) - first;
  const points = series.points.map((point, index) => ({
    ...point,
    x: CHART.left + (span > 0 ? (plotWidth * ((times[index] ?? first) - first)) / span : plotWidth / 2),
    y: y(point.total),
  }));
  const line = points.map((p, index) => `${index === 0 ? 'M' : 'L'}${round(p.x)} ${round(p.y)}`).join(' ');
  return { bands, points, line };
}

/** An SVG coordinate to a tenth of a unit: enough at any screen width, and short markup. */
export const round = (value: number) => Math.round(value * 10) / 10;

function bandWords(band: string): string {
  return band.replace(/-/g, ' ');
}

/**
 * A screener's totals as an SVG chart drawn on the server (no script): the
 * bands shaded, a line through the totals, with the numbers in a table
 * beside it. The chart is one image with a text summary; the table carries
 * every value for anyone who cannot see it.
 */
export function ScreenerChart(props: { series: ScreenerSeries; timeZone: string; id: string }): VNode {
  const { series } = props;
  const geometry = chartGeometry(series);
  const first = series.points[0];
  const last = series.points[series.points.length - 1];
  const day = (at: string) =>
    formatStaffDay(DateTime.fromISO(at).setZone(props.timeZone).toISODate() ?? at.slice(0, 10), {
      withYear: true,
    });
  const summary =
    first && last
      ? `${series.points.length} ${series.points.length === 1 ? 'answer' : 'answers'}: from ${first.total} (${bandWords(
          bandOf(series, first.total),
        )}) on ${day(first.at)} to ${last.total} (${bandWords(bandOf(series, last.total))}) on ${day(last.at)}.`
      : 'No answers yet.';
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${CHART.width} ${CHART.height}`}
        role="img"
        aria-labelledby={`${props.id}-title ${props.id}-desc`}
        width="100%"
        preserveAspectRatio="xMidYMid meet"
      >
        <title id={`${props.id}-title`}>{series.name} totals over time</title>
        <desc id={`${props.id}-desc`}>{summary}</desc>
        {geometry.bands.map((band) => (
          <g>
            <rect
              x={CHART.left}
              y={round(band.y)}
              width={CHART.width - CHART.left - CHART.right}
              height={round(band.height)}
              fill={band.fill}
            />
            <text
              x={CHART.left - 4}
              y={round(band.y + band.height)}
              text-anchor="end"
              font-size="10"
              fill="#333"
            >
              {band.floor}
            </text>
          </g>
        ))}
        <path d={geometry.line} fill="none" stroke="#1f3a5f" stroke-width="2" />
        {geometry.points.map((point) => (
          <circle cx={round(point.x)} cy={round(point.y)} r="3.5" fill="#1f3a5f" />
        ))}
        {first && last ? (
          <>
            <text x={CHART.left} y={CHART.height - 8} font-size="10" fill="#333">
              {day(first.at)}
            </text>
            <text
              x={CHART.width - CHART.right}
              y={CHART.height - 8}
              text-anchor="end"
              font-size="10"
              fill="#333"
            >
              {day(last.at)}
            </text>
          </>
        ) : null}
      </svg>
      <figcaption>{summary}</figcaption>
      <table>
        <caption>{series.name} totals</caption>
        <thead>
          <tr>
            <th scope="col">Date</th>
            <th scope="col">Total</th>
            <th scope="col">Band</th>
          </tr>
        </thead>
        <tbody>
          {series.points.map((point) => (
            <tr>
              <td>{day(point.at)}</td>
              <td>{point.total}</td>
              <td>{bandWords(bandOf(series, point.total))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
