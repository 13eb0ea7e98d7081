import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GAD7_FLOORS, PHQ9_FLOORS } from '../../shared/domain/checkins/screeners';
import type { PatientView } from '../../shared/domain/console/patient-console';
import type { AlertRecord, StoredReply } from '../../shared/domain/ports';
import type { ConsoleClinic } from '../../shared/web/console/alerts-pages';
import { PatientPage, PatientSearchPage, patientConsolePath } from '../../shared/web/console/patient-page';
import { bandOf, CHART, chartGeometry, type ScreenerSeries } from '../../shared/web/console/screener-chart';
import { renderPage } from '../../shared/web/layout';
import { CONSOLE_STYLE } from '../../shared/web/styles';
import { aBooking } from '../support/fixtures';
import { escapedText, visibleText } from '../support/html';
import { CLINICIAN } from '../support/staff';

const CLINIC: ConsoleClinic = {
  name: 'Riverside Clinic',
  timeZone: 'America/New_York',
  maxEscalations: 4,
  ruleDescriptions: { 'self-harm': 'Thoughts of self-harm' },
};
const VIEWER = { staff: CLINICIAN, csrfToken: 'csrf-token-value' };
const IMG = '<img src=x onerror=alert(1)>';
const PHQ9: Omit<ScreenerSeries, 'points'> = { name: 'PHQ-9', max: 27, floors: PHQ9_FLOORS };

const REPLY: StoredReply = {
  replyId: 'rp-1',
  bookingId: 'bk-1',
  kind: 'checkin-week',
  receivedAt: '2026-11-09T15:00:00.000Z',
  answers: { mood: 2, sideEffects: {}, selfHarm: 'yes', wantsCall: false, note: 'secret note' },
  triage: 'urgent',
  rules: ['self-harm'],
  scores: { phq9: { total: 21, band: 'severe' }, gad7: { total: 16, band: 'severe' } },
  alertId: 'al-1',
};
const ALERT: AlertRecord = {
  alertId: 'al-1',
  bookingId: 'bk-1',
  replyId: 'rp-1',
  replyKind: 'checkin-week',
  rules: ['self-harm'],
  createdAt: '2026-11-09T15:00:00.000Z',
  state: 'acknowledged',
  escalations: 0,
  acknowledgedBy: 'Casey',
};

function view(overrides: Partial<PatientView> = {}): PatientView {
  const booking = aBooking({ bookingId: 'bk-1', patient: { id: 'pt-1', firstName: IMG } });
  return {
    patientId: 'pt-1',
    patient: booking.patient,
    timeline: [
      { type: 'alert', at: ALERT.createdAt, alert: ALERT, reason: 'Thoughts of self-harm' },
      { type: 'reply', at: REPLY.receivedAt, reply: REPLY },
      { type: 'session', at: booking.session.startsAt, booking, status: 'active' },
    ],
    clinical: true,
    screeners: [
      { at: '2026-10-02T15:00:00.000Z', bookingId: 'bk-0', replyId: 'rp-0', phq9: 18, gad7: 14 },
      { at: REPLY.receivedAt, bookingId: 'bk-1', replyId: 'rp-1', phq9: 21, gad7: 16 },
    ],
    bookings: 1,
    ...overrides,
  };
}

const render = (v: PatientView) => renderPage(<PatientPage viewer={VIEWER} clinic={CLINIC} view={v} />);

describe('the screener chart', () => {
  it('puts every point inside the plot, higher totals higher up, later answers further right', () => {
    const point = fc.record({
      at: fc
        .integer({ min: Date.parse('2025-01-01'), max: Date.parse('2027-01-01') })
        .map((t) => new Date(t).toISOString()),
      total: fc.integer({ min: 0, max: 27 }),
    });
    fc.assert(
      fc.property(fc.array(point, { minLength: 1, maxLength: 40 }), (raw) => {
        const points = [...raw].sort((a, b) => a.at.localeCompare(b.at));
        const { points: placed } = chartGeometry({ ...PHQ9, points });
        for (const p of placed) {
          expect(p.x).toBeGreaterThanOrEqual(CHART.left);
          expect(p.x).toBeLessThanOrEqual(CHART.width - CHART.right);
          expect(p.y).toBeGreaterThanOrEqual(CHART.top);
          expect(p.y).toBeLessThanOrEqual(CHART.height - CHART.bottom);
        }
        for (let i = 1; i < placed.length; i++) {
          const [a, b] = [placed[i - 1], placed[i]];
          if (!a || !b) continue;
          expect(b.x).toBeGreaterThanOrEqual(a.x);
          if (b.total > a.total) expect(b.y).toBeLessThan(a.y);
        }
      }),
    );
  });

  it('shades each band from its floor to the next, covering the whole plot without overlap', () => {
    for (const series of [
      { ...PHQ9, points: [] },
      { name: 'GAD-7', max: 21, floors: GAD7_FLOORS, points: [] },
    ]) {
      const { bands } = chartGeometry(series);
      expect(bands.map((b) => b.name)).toEqual(series.floors.map(([name]) => name));
      const bottom = CHART.height - CHART.bottom;
      expect(bands[0] && bands[0].y + bands[0].height).toBeCloseTo(bottom, 6);
      expect(bands[bands.length - 1]?.y).toBeCloseTo(CHART.top, 6);
      for (let i = 1; i < bands.length; i++) {
        expect(bands[i - 1]?.y).toBeCloseTo((bands[i]?.y ?? 0) + (bands[i]?.height ?? 0), 6);
      }
    }
  });

  it('names the band of a total as the scoring does', () => {
    expect([0, 4, 5, 9, 10, 14, 15, 19, 20, 27].map((t) => bandOf(PHQ9, t))).toEqual([
      'minimal',
      'minimal',
      'mild',
      'mild',
      'moderate',
      'moderate',
      'moderately-severe',
      'moderately-severe',
      'severe',
      'severe',
    ]);
  });
});

describe('the patient page', () => {
  it('is a console page without script, with both charts as labelled SVG images and their numbers in tables', () => {
    const html = render(view({ patient: aBooking({ patient: { id: 'pt-1' } }).patient }));
    expect(html).toContain(`<style>${CONSOLE_STYLE}</style>`);
    expect(html).not.toMatch(/<script|\sstyle="|\son[a-z]+=/i);
    expect(html.match(/<svg /g)).toHaveLength(2);
    expect(html).toContain('role="img" aria-labelledby="phq9-title phq9-desc"');
    expect(html).toContain('<title id="gad7-title">GAD-7 totals over time</title>');
    const text = visibleText(html);
    expect(text).toContain('2 answers: from 18 (moderately severe) on Friday 2 October 2026');
    expect(text).toContain('to 21 (severe) on Monday 9 November 2026');
    expect(text).toMatch(/Date\s*Total\s*Band.*18\s*moderately severe.*21\s*severe/);
  });

  it('escapes the first name and the patient id from the booking system', () => {
    const hostileId = '"><script>x</script>';
    const html = render(view({ patientId: hostileId }));
    expect(html).not.toContain(IMG);
    expect(html).toContain(escapedText(IMG));
    expect(html).not.toContain(hostileId);
    expect(patientConsolePath(hostileId)).toBe('/console/patients/%22%3E%3Cscript%3Ex%3C%2Fscript%3E');
  });

  it('shows the alert and the reply with links, flags what is urgent, and never prints the answers themselves', () => {
    const html = render(view());
    expect(html).toContain('href="/console/alerts/al-1"');
    expect(html).toContain('href="/console/replies/bk-1/rp-1"');
    const text = visibleText(html);
    expect(text).toContain('Urgent alert: Thoughts of self-harm; acknowledged, by Casey.');
    expect(text).toContain('reply: urgent (PHQ-9 21, GAD-7 16)');
    expect(text).not.toContain('secret note');
  });

  it('for the front desk: no chart section, answered check-ins only', () => {
    const booking = aBooking({ bookingId: 'bk-1', patient: { id: 'pt-1' } });
    const html = render(
      view({
        clinical: false,
        screeners: [],
        timeline: [
          { type: 'answered', at: REPLY.receivedAt, kind: 'checkin-week' },
          { type: 'session', at: booking.session.startsAt, booking, status: 'cancelled' },
        ],
      }),
    );
    expect(html).not.toContain('<svg');
    expect(html).not.toContain('PHQ-9');
    const text = visibleText(html);
    expect(text).toMatch(/week check-in answered/i);
    expect(text).toContain('(cancelled)');
  });

  it('links to the newest and to older sessions, the cursor encoded', () => {
    const middle = render(
      view({ before: '2026-06-01T14:00:00.000Z#bk-9', next: '2026-05-01T14:00:00.000Z#bk 8' }),
    );
    expect(middle).toContain('href="/console/patients/pt-1"');
    expect(middle).toContain('href="/console/patients/pt-1?before=2026-05-01T14%3A00%3A00.000Z%23bk%208"');
    expect(visibleText(middle)).toContain('(older sessions)');
    expect(render(view())).not.toContain('Older sessions');
  });

  it('finds a patient with a GET form, and says so when an id finds no one', () => {
    const html = renderPage(<PatientSearchPage viewer={VIEWER} clinic={CLINIC} notFound={IMG} />);
    expect(html).toContain('<form method="get" action="/console/patients">');
    expect(html).toContain('<label for="patient-id">');
    expect(html).toContain(escapedText(IMG));
    expect(html).not.toContain(IMG);
  });
});
