import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { EXPORT_PART_DAYS, planExport } from '../../shared/domain/console/export-console';
import {
  exportDays,
  MAX_CONSOLE_WINDOW_DAYS,
  parseExportWindow,
  replyLookbackDays,
} from '../../shared/domain/exports/export-window';

const ZONES = ['America/New_York', 'America/Los_Angeles', 'Pacific/Auckland', 'UTC'];

describe('planExport', () => {
  it('cuts any window of up to 31 days into weeks that cover it exactly, in any zone, across DST', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2026-01-01'), max: new Date('2027-12-31'), noInvalidDate: true }),
        fc.integer({ min: 1, max: MAX_CONSOLE_WINDOW_DAYS }),
        fc.constantFrom(...ZONES),
        (start, days, zone) => {
          const from = DateTime.fromJSDate(start, { zone }).toISODate() ?? '';
          const to =
            DateTime.fromISO(from, { zone })
              .plus({ days: days - 1 })
              .toISODate() ?? '';
          const plan = planExport({ type: 'Observation', from, to }, zone);
          if (!plan.ok) throw new Error(JSON.stringify(plan.errors));
          const { parts } = plan.choice;
          expect(parts.map((p) => p.page)).toEqual(parts.map((_, i) => i + 1));
          expect(parts.length).toBe(Math.ceil(days / EXPORT_PART_DAYS));
          expect(parts[0]?.window.since).toBe(DateTime.fromISO(from, { zone }).toUTC().toISO());
          expect(parts.at(-1)?.window.until).toBe(
            DateTime.fromISO(to, { zone }).plus({ days: 1 }).toUTC().toISO(),
          );
          for (const [i, part] of parts.entries()) {
            // No gap and no overlap between parts, and none longer than a week of local days.
            if (i > 0) expect(part.window.since).toBe(parts[i - 1]?.window.until);
            const local = DateTime.fromISO(part.to, { zone }).diff(
              DateTime.fromISO(part.from, { zone }),
              'days',
            ).days;
            expect(Math.round(local)).toBeLessThan(EXPORT_PART_DAYS);
          }
        },
      ),
    );
  });

  it('names every wrong field: the type, a date, a window the wrong way round or over 31 days', () => {
    const fields = (input: Record<string, string>) => {
      const plan = planExport(input, 'America/New_York');
      return plan.ok ? [] : plan.errors.map((e) => e.field);
    };
    expect(fields({ type: 'Secrets', from: '2026-11-01', to: '2026-11-02' })).toEqual(['type']);
    expect(fields({ type: 'Patient', from: '11/01/2026', to: '2026-02-30' })).toEqual(['from', 'to']);
    expect(fields({ type: 'Patient', from: '2026-11-02', to: '2026-11-01' })).toEqual(['to']);
    expect(fields({ type: 'Patient', from: '2026-11-01', to: '2026-12-01' })).toEqual([]);
    expect(fields({ type: 'Patient', from: '2026-11-01', to: '2026-12-02' })).toEqual(['to']);
  });
});

describe('parseExportWindow and exportDays', () => {
  it('reads days in the clinic zone (the last one whole) and instants with an offset, and nothing else', () => {
    const zone = 'America/New_York';
    expect(
      parseExportWindow({ since: '2026-11-01', until: '2026-11-01' }, zone, '2026-12-01T00:00:00.000Z'),
    ).toEqual({
      ok: true,
      window: { since: '2026-11-01T04:00:00.000Z', until: '2026-11-02T05:00:00.000Z' },
    });
    const now = '2026-11-20T12:00:00.000Z';
    expect(parseExportWindow({ since: '2026-11-19T10:00:00-05:00' }, zone, now)).toEqual({
      ok: true,
      window: { since: '2026-11-19T15:00:00.000Z', until: now },
    });
    for (const since of ['yesterday', '2026-11-19T10:00:00', '2026-13-01', '']) {
      const parsed = parseExportWindow({ since }, zone, now);
      expect(parsed.ok ? [] : parsed.errors.map((e) => e.field), since).toEqual(['since']);
    }
  });

  it('walks back far enough for the week check-in of a session before the window, and stops at its last day', () => {
    const days = exportDays(
      { since: '2026-11-09T05:00:00.000Z', until: '2026-11-16T05:00:00.000Z' },
      'America/New_York',
      15,
    );
    expect(days[0]).toBe('2026-10-25');
    expect(days.at(-1)).toBe('2026-11-15');
    expect(new Set(days).size).toBe(days.length);
  });

  it('looks back as far as the latest check-in and two link lives, from the config', () => {
    const config = parseClinicConfig(clinicConfigInput);
    expect(replyLookbackDays(config)).toBe(7 + 1 + 2 * config.links.ttlDays);
    const later = config.plan.map((rule) =>
      rule.kind === 'checkin-week' ? { ...rule, offset: { days: 14, hours: 3 } } : rule,
    );
    expect(replyLookbackDays({ plan: later, links: { ttlDays: 10 } })).toBe(15 + 1 + 20);
  });
});
