import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { FullBooking } from '../../shared/contracts/booking-events';
import type { MessageKind } from '../../shared/contracts/vocabulary';
import { planMessages } from '../../shared/domain/booking/plan';
import type { PlannedMessage } from '../../shared/domain/booking-record';
import { aBooking, DEFAULT_POLICY } from '../support/fixtures';

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Australia/Sydney',
  'Asia/Kolkata',
  'America/Phoenix',
  'Pacific/Chatham',
  'America/Los_Angeles',
  'UTC',
] as const;

const NUM_RUNS = 400;
const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
/** Around the middle of the window, so the random starts cover a year of DST changes either side. */
const BASE_INSTANT = Date.parse('2026-06-15T12:00:00Z');

const PRE_SESSION: readonly MessageKind[] = ['prep-instructions', 'prep-reminder', 'prep-day-of'];
const DAY_OFFSETS: Partial<Record<MessageKind, { anchor: 'start' | 'end'; days: number }>> = {
  'prep-reminder': { anchor: 'start', days: -1 },
  'checkin-next-day': { anchor: 'end', days: 1 },
  'checkin-week': { anchor: 'end', days: 7 },
};
const HOUR_OFFSETS: Partial<Record<MessageKind, { anchor: 'start' | 'end'; hours: number }>> = {
  'prep-day-of': { anchor: 'start', hours: -3 },
  'checkin-same-day': { anchor: 'end', hours: 4 },
};

interface Scenario {
  booking: FullBooking;
  now: string;
  activatedAt: string;
  endedAt?: string;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** DST changes of the zones above (2025-2027), so day offsets often straddle one. */
const DST_CHANGES = [
  '2025-03-09T07:00:00Z',
  '2025-03-30T01:00:00Z',
  '2025-04-05T14:00:00Z',
  '2025-09-27T14:00:00Z',
  '2025-10-04T16:00:00Z',
  '2025-10-26T01:00:00Z',
  '2025-11-02T06:00:00Z',
  '2026-03-08T07:00:00Z',
  '2026-03-29T01:00:00Z',
  '2026-04-04T16:00:00Z',
  '2026-04-04T14:00:00Z',
  '2026-09-26T14:00:00Z',
  '2026-10-03T16:00:00Z',
  '2026-10-25T01:00:00Z',
  '2026-11-01T06:00:00Z',
  '2027-03-14T07:00:00Z',
].map((at) => Math.round((Date.parse(at) - BASE_INSTANT) / MINUTE));

/** Start offsets from BASE_INSTANT: anywhere within ±400 days, or within ±8 days of a DST change. */
const startOffsetArb = fc.oneof(
  fc.integer({ min: -400 * DAY_MINUTES, max: 400 * DAY_MINUTES }),
  fc
    .tuple(fc.constantFrom(...DST_CHANGES), fc.integer({ min: -8 * DAY_MINUTES, max: 8 * DAY_MINUTES }))
    .map(([change, delta]) => change + delta),
);

/** A random booking in a random zone, a random "now" around it and, sometimes, a reported end. */
const scenarioArb: fc.Arbitrary<Scenario> = fc
  .record({
    sessionZone: fc.constantFrom(...ZONES),
    patientZone: fc.option(fc.constantFrom(...ZONES), { nil: undefined }),
    startOffsetMinutes: startOffsetArb,
    startSeconds: fc.integer({ min: 0, max: 59 }),
    durationMinutes: fc.integer({ min: 15, max: 600 }),
    contacts: fc.constantFrom('email', 'phone', 'both'),
    preferredChannel: fc.constantFrom('email', 'sms', 'both'),
    // now from 30 days before the start up to 10 days after it
    nowBeforeStartMinutes: fc.integer({ min: -10 * DAY_MINUTES, max: 30 * DAY_MINUTES }),
    nowMillis: fc.integer({ min: 0, max: 59_999 }),
    activatedBeforeNowMinutes: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 180 })),
    endJitterMinutes: fc.option(fc.integer({ min: -60, max: 240 }), { nil: undefined }),
  })
  .map((r): Scenario => {
    const startMs = BASE_INSTANT + r.startOffsetMinutes * MINUTE + r.startSeconds * 1000;
    const startsAt = DateTime.fromMillis(startMs, { zone: r.sessionZone }).toISO({
      suppressMilliseconds: true,
    });
    const booking = aBooking({
      session: { startsAt: startsAt as string, durationMinutes: r.durationMinutes, timeZone: r.sessionZone },
      patient: {
        timeZone: r.patientZone,
        email: r.contacts === 'phone' ? undefined : 'pat@example.org',
        phone: r.contacts === 'email' ? undefined : '+447700900123',
        preferredChannel: r.preferredChannel,
      },
    });
    const nowMs = startMs - r.nowBeforeStartMinutes * MINUTE + r.nowMillis;
    const endMs =
      r.endJitterMinutes === undefined
        ? undefined
        : startMs + (r.durationMinutes + r.endJitterMinutes) * MINUTE;
    return {
      booking,
      now: iso(nowMs),
      activatedAt: iso(nowMs - r.activatedBeforeNowMinutes * MINUTE),
      ...(endMs === undefined ? {} : { endedAt: iso(endMs) }),
    };
  });

function plan(s: Scenario): PlannedMessage[] {
  return planMessages({
    booking: s.booking,
    activatedAt: s.activatedAt,
    now: s.now,
    policy: DEFAULT_POLICY,
    ...(s.endedAt ? { endedAt: s.endedAt } : {}),
  });
}

const zoneOf = (booking: FullBooking) => booking.patient.timeZone ?? booking.session.timeZone;
const local = (at: string | number, zone: string) =>
  (typeof at === 'number' ? DateTime.fromMillis(at) : DateTime.fromISO(at)).setZone(zone);

/** Quiet hours 21:00 up to 08:00, computed here on the local hour alone. */
const isQuietLocal = (at: DateTime) => at.hour >= 21 || at.hour < 8;

const startMs = (s: Scenario) => Date.parse(s.booking.session.startsAt);
const endMs = (s: Scenario) =>
  s.endedAt ? Date.parse(s.endedAt) : startMs(s) + s.booking.session.durationMinutes * MINUTE;

/** Anchor plus whole days on the local calendar, same wall-clock time (built from fields, not `plus`). */
function plusLocalDays(anchorMs: number, days: number, zone: string): DateTime {
  const a = local(anchorMs, zone);
  const date = new Date(Date.UTC(a.year, a.month - 1, a.day + days));
  return DateTime.fromObject(
    {
      year: date.getUTCFullYear(),
      month: date.getUTCMonth() + 1,
      day: date.getUTCDate(),
      hour: a.hour,
      minute: a.minute,
      second: a.second,
      millisecond: a.millisecond,
    },
    { zone },
  );
}

/** True when the wall-clock time exists unchanged (not inside a spring-forward gap). */
const wallClockExists = (at: DateTime, hour: number, minute: number) =>
  at.hour === hour && at.minute === minute;

/** The same scenario planned with a tighter SMS cap. */
function planCapped(s: Scenario, smsPerDay: number): PlannedMessage[] {
  return planMessages({
    booking: s.booking,
    activatedAt: s.activatedAt,
    now: s.now,
    policy: { ...DEFAULT_POLICY, smsPerDay },
    ...(s.endedAt ? { endedAt: s.endedAt } : {}),
  });
}

const texted = (m: PlannedMessage) => m.status !== 'skipped' && m.channels.includes('sms');

describe('plan', () => {
  describe('the SMS cap (properties)', () => {
    const capArb = fc.tuple(scenarioArb, fc.integer({ min: 1, max: 3 }));

    it('never plans more texts than the cap in any rolling 24 hours', () => {
      fc.assert(
        fc.property(capArb, ([s, cap]) => {
          const times = planCapped(s, cap)
            .filter(texted)
            .map((m) => Date.parse(m.at))
            .sort((a, b) => a - b);
          for (const [i, t] of times.entries()) {
            const within = times.filter((u) => u > t - DAY_MINUTES * MINUTE && u <= t);
            expect(within.length, `text ${i} at ${new Date(t).toISOString()}`).toBeLessThanOrEqual(cap);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('sends a capped text by email, or lets it wait at most a day (never past the session), or skips it as capped', () => {
      fc.assert(
        fc.property(capArb, ([s, cap]) => {
          const free = planCapped(s, 10);
          for (const m of planCapped(s, cap)) {
            const uncapped = free.find((f) => f.kind === m.kind);
            if (m.smsCapped === undefined) {
              // A message the cap did not touch is planned as if there were none.
              expect(m).toEqual(uncapped);
              continue;
            }
            expect(uncapped?.channels, m.kind).toContain('sms');
            expect(m.plannedAt).toBe(uncapped?.plannedAt);
            if (m.smsCapped === 'email') {
              expect(m.channels).toEqual(['email']);
              expect(s.booking.patient.email).toBeDefined();
            } else if (m.status === 'skipped') {
              expect(m.reason).toBe('capped');
            } else {
              expect(m.status).toBe('scheduled');
              expect(m.channels).toEqual(['sms']);
              expect(Date.parse(m.at)).toBeGreaterThan(Date.parse(uncapped?.at ?? ''));
              expect(Date.parse(m.at) - Date.parse(m.plannedAt)).toBeLessThan(DAY_MINUTES * MINUTE);
              if (PRE_SESSION.includes(m.kind)) expect(Date.parse(m.at)).toBeLessThan(startMs(s));
              // A held-back reminder still asks before the readiness deadline.
              if (m.kind === 'prep-reminder')
                expect(Date.parse(m.at)).toBeLessThan(
                  startMs(s) - DEFAULT_POLICY.readinessHours * 60 * MINUTE,
                );
              expect(isQuietLocal(local(m.at, zoneOf(s.booking))), m.kind).toBe(false);
            }
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('keeps the whole plan within the cap when only the check-ins are planned again (a session completed)', () => {
      fc.assert(
        fc.property(capArb, fc.integer({ min: -60, max: 180 }), ([s, cap], jitter) => {
          const policy = { ...DEFAULT_POLICY, smsPerDay: cap };
          const first = planMessages({ booking: s.booking, activatedAt: s.activatedAt, now: s.now, policy });
          const after: readonly MessageKind[] = ['checkin-same-day', 'checkin-next-day', 'checkin-week'];
          const endedAt = new Date(
            startMs(s) + (s.booking.session.durationMinutes + jitter) * MINUTE,
          ).toISOString();
          const fixed = first.filter((m) => !after.includes(m.kind));
          const again = planMessages({
            booking: s.booking,
            activatedAt: s.activatedAt,
            now: s.now,
            policy,
            endedAt,
            kinds: after,
            fixed,
          });
          const times = [...fixed, ...again]
            .filter(texted)
            .map((m) => Date.parse(m.at))
            .sort((a, b) => a - b);
          for (const t of times) {
            expect(times.filter((u) => u > t - DAY_MINUTES * MINUTE && u <= t).length).toBeLessThanOrEqual(
              cap,
            );
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('leaves the default plan of a booking made days ahead untouched by the default cap of 3', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          fc.pre(startMs(s) - Date.parse(s.now) > 2 * DAY_MINUTES * MINUTE);
          expect(plan(s).filter((m) => m.smsCapped !== undefined)).toEqual([]);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('planMessages (properties)', () => {
    it('plans every kind of the policy exactly once with the booking version', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const messages = plan(s);
          expect(messages.map((m) => m.kind)).toEqual(DEFAULT_POLICY.rules.map((r) => r.kind));
          for (const m of messages) expect(m.version).toBe(s.booking.version);
          for (const m of messages) expect(m.status === 'skipped').toBe(m.reason !== undefined);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never sends anything but prep-instructions in quiet hours of the patient zone', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const zone = zoneOf(s.booking);
          for (const m of plan(s)) {
            if (m.status === 'skipped' || m.kind === 'prep-instructions') continue;
            expect(isQuietLocal(local(m.at, zone)), `${m.kind} at ${local(m.at, zone).toISO()}`).toBe(false);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('never sends a pre-session message at or after the session start', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          for (const m of plan(s)) {
            if (!PRE_SESSION.includes(m.kind) || m.status === 'skipped') continue;
            expect(Date.parse(m.at), m.kind).toBeLessThan(startMs(s));
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('schedules strictly after now and marks due exactly at now', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          for (const m of plan(s)) {
            if (m.status === 'scheduled') expect(Date.parse(m.at), m.kind).toBeGreaterThan(Date.parse(s.now));
            if (m.status === 'due') expect(Date.parse(m.at), m.kind).toBe(Date.parse(s.now));
            expect(m.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('uses only channels the patient has, and at least one', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const has = {
            email: s.booking.patient.email !== undefined,
            sms: s.booking.patient.phone !== undefined,
          };
          for (const m of plan(s)) {
            expect(m.channels.length, m.kind).toBeGreaterThan(0);
            expect(new Set(m.channels).size).toBe(m.channels.length);
            for (const channel of m.channels) expect(has[channel], `${m.kind} by ${channel}`).toBe(true);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('follows preferredChannel: email or sms alone when the patient has it', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const { preferredChannel, email, phone } = s.booking.patient;
          for (const m of plan(s)) {
            if (preferredChannel === 'email' && email) expect(m.channels).toEqual(['email']);
            if (preferredChannel === 'sms' && phone) expect(m.channels).toEqual(['sms']);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('keeps the local wall-clock time for day offsets when quiet hours do not move them', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const zone = zoneOf(s.booking);
          for (const m of plan(s)) {
            const rule = DAY_OFFSETS[m.kind];
            if (!rule) continue;
            const anchor = rule.anchor === 'start' ? startMs(s) : endMs(s);
            const a = local(anchor, zone);
            const nominal = plusLocalDays(anchor, rule.days, zone);
            if (!wallClockExists(nominal, a.hour, a.minute)) continue;
            if (isQuietLocal(nominal) || nominal.toMillis() <= Date.parse(s.now)) continue;
            expect(m.status, m.kind).toBe('scheduled');
            expect(Date.parse(m.at), `${m.kind} ${local(m.at, zone).toISO()} vs ${nominal.toISO()}`).toBe(
              nominal.toMillis(),
            );
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('counts hour offsets as elapsed time when quiet hours do not move them', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const zone = zoneOf(s.booking);
          for (const m of plan(s)) {
            const rule = HOUR_OFFSETS[m.kind];
            if (!rule) continue;
            const nominal = (rule.anchor === 'start' ? startMs(s) : endMs(s)) + rule.hours * 60 * MINUTE;
            if (isQuietLocal(local(nominal, zone)) || nominal <= Date.parse(s.now)) continue;
            expect(m.status, m.kind).toBe('scheduled');
            expect(Date.parse(m.at), m.kind).toBe(nominal);
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('moves quiet-hour times to 20:59 before or 08:00 after, within the same quiet night', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const zone = zoneOf(s.booking);
          const nowMs = Date.parse(s.now);
          for (const m of plan(s)) {
            if (m.status !== 'scheduled') continue;
            const offset = DAY_OFFSETS[m.kind] ?? HOUR_OFFSETS[m.kind];
            if (!offset) continue;
            const anchor = offset.anchor === 'start' ? startMs(s) : endMs(s);
            const a = local(anchor, zone);
            const nominal =
              'days' in offset
                ? plusLocalDays(anchor, offset.days, zone)
                : local(anchor + offset.hours * 60 * MINUTE, zone);
            if ('days' in offset && !wallClockExists(nominal, a.hour, a.minute)) continue;
            if (!isQuietLocal(nominal) || nominal.toMillis() <= nowMs) continue;
            const at = local(m.at, zone);
            const gapHours = Math.abs(at.toMillis() - nominal.toMillis()) / (60 * MINUTE);
            expect(gapHours, `${m.kind} ${nominal.toISO()} -> ${at.toISO()}`).toBeLessThanOrEqual(12);
            if (m.kind === 'checkin-next-day' || m.kind === 'checkin-week') {
              expect(at.toFormat('HH:mm:ss.SSS')).toBe('08:00:00.000');
              expect(at.toMillis()).toBeGreaterThan(nominal.toMillis());
            } else {
              expect(m.kind).not.toBe('prep-day-of');
              expect(at.toFormat('HH:mm:ss.SSS')).toBe('20:59:00.000');
              expect(at.toMillis()).toBeLessThan(nominal.toMillis());
            }
            if (m.kind === 'checkin-same-day') {
              expect(at.toMillis()).toBeGreaterThanOrEqual(endMs(s) + 2 * 60 * MINUTE);
            }
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('skips a past time beyond the grace period and never plans it due', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const zone = zoneOf(s.booking);
          const nowMs = Date.parse(s.now);
          for (const m of plan(s)) {
            const offset = HOUR_OFFSETS[m.kind];
            if (!offset) continue;
            const nominal = (offset.anchor === 'start' ? startMs(s) : endMs(s)) + offset.hours * 60 * MINUTE;
            if (isQuietLocal(local(nominal, zone))) continue;
            if (nowMs - nominal > 60 * MINUTE) {
              expect(m.status, m.kind).toBe('skipped');
              expect(m.reason === 'past' || m.reason === 'after-session-start', m.reason).toBe(true);
            }
          }
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('is deterministic and leaves its input untouched', () => {
      fc.assert(
        fc.property(scenarioArb, (s) => {
          const before = structuredClone(s);
          const first = plan(s);
          expect(plan(structuredClone(s))).toEqual(first);
          expect(s).toEqual(before);
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
