import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { FullBooking } from '../../shared/contracts/booking-events';
import { DEFAULT_PLAN, type PlanRule } from '../../shared/contracts/clinic-config';
import type { MessageKind } from '../../shared/contracts/vocabulary';
import { isQuietTime, type PlanPolicy, pickChannels, planMessages } from '../../shared/domain/booking/plan';
import type { PlannedMessage } from '../../shared/domain/booking-record';
import { aBooking, DEFAULT_POLICY, isoUtc, localToUtc, utcToLocal } from '../support/fixtures';

const NY = 'America/New_York';
const LONDON = 'Europe/London';

/** Plans a booking with the default policy; `now` and `activatedAt` are local times in `zone`. */
function planAt(
  booking: FullBooking,
  nowLocal: string,
  opts: { zone?: string; endedAt?: string; policy?: PlanPolicy; activatedAtLocal?: string } = {},
): Record<MessageKind, PlannedMessage> {
  const zone = opts.zone ?? NY;
  const now = localToUtc(nowLocal, zone);
  const messages = planMessages({
    booking,
    activatedAt: opts.activatedAtLocal ? localToUtc(opts.activatedAtLocal, zone) : now,
    now,
    policy: opts.policy ?? DEFAULT_POLICY,
    ...(opts.endedAt ? { endedAt: opts.endedAt } : {}),
  });
  return Object.fromEntries(messages.map((m) => [m.kind, m])) as Record<MessageKind, PlannedMessage>;
}

/** A session on `local` (New York wall clock unless `zone` is given). */
function sessionAt(local: string, durationMinutes = 60, zone = NY) {
  return aBooking({
    session: {
      startsAt: DateTime.fromISO(local, { zone }).toISO({ suppressMilliseconds: true }) as string,
      durationMinutes,
      timeZone: zone,
    },
  });
}

const sorted = (channels: readonly string[]) => [...channels].sort();

/** A policy with one rule changed and no quiet hours, to look at one rule alone. */
function withRule(
  kind: MessageKind,
  change: Partial<PlanRule>,
  quietHours = DEFAULT_POLICY.quietHours,
): PlanPolicy {
  return {
    ...DEFAULT_POLICY,
    quietHours,
    rules: DEFAULT_PLAN.map((rule) => (rule.kind === kind ? { ...rule, ...change } : rule)),
  };
}
const NO_QUIET_HOURS = { start: '00:00', end: '00:00' };

describe('plan', () => {
  describe('planMessages', () => {
    describe('the default plan (DESIGN section 3 table)', () => {
      // Session Tue 2026-11-03 10:00-11:00 New York, booked Tue 2026-10-27 10:00 (before the DST change).
      const booking = aBooking();
      const plan = planAt(booking, '2026-10-27T10:00');

      it('plans the six kinds in table order, each with the booking version', () => {
        const messages = planMessages({
          booking,
          activatedAt: localToUtc('2026-10-27T10:00', NY),
          now: localToUtc('2026-10-27T10:00', NY),
          policy: DEFAULT_POLICY,
        });
        expect(messages.map((m) => m.kind)).toEqual([
          'prep-instructions',
          'prep-reminder',
          'prep-day-of',
          'checkin-same-day',
          'checkin-next-day',
          'checkin-week',
        ]);
        expect(new Set(messages.map((m) => m.version))).toEqual(new Set([1]));
      });

      it('sends prep-instructions by email, due now, when the booking arrives', () => {
        expect(plan['prep-instructions']).toEqual({
          kind: 'prep-instructions',
          plannedAt: localToUtc('2026-10-27T10:00', NY),
          at: localToUtc('2026-10-27T10:00', NY),
          status: 'due',
          channels: ['email'],
          version: 1,
        });
      });

      it('schedules prep-reminder one day before the start by email and SMS', () => {
        expect(plan['prep-reminder']).toMatchObject({ status: 'scheduled', at: '2026-11-02T15:00:00.000Z' });
        expect(sorted(plan['prep-reminder'].channels)).toEqual(['email', 'sms']);
      });

      it('schedules prep-day-of three hours before the start by SMS, before the clear-liquid cutoff', () => {
        const afternoon = planAt(sessionAt('2026-11-03T14:00'), '2026-10-27T10:00');
        expect(afternoon['prep-day-of']).toMatchObject({
          status: 'scheduled',
          at: localToUtc('2026-11-03T11:00', NY),
          channels: ['sms'],
        });
        // A 10:00 session: 07:00 is in quiet hours, and prep-day-of is never moved, only skipped.
        expect(plan['prep-day-of']).toMatchObject({ status: 'skipped', reason: 'quiet-hours' });
      });

      it('schedules checkin-same-day four hours after the end by SMS and email', () => {
        expect(plan['checkin-same-day']).toMatchObject({
          status: 'scheduled',
          at: '2026-11-03T20:00:00.000Z',
        });
        expect(sorted(plan['checkin-same-day'].channels)).toEqual(['email', 'sms']);
      });

      it('schedules checkin-next-day one day after the end by SMS and email', () => {
        expect(plan['checkin-next-day']).toMatchObject({
          status: 'scheduled',
          at: '2026-11-04T16:00:00.000Z',
        });
        expect(sorted(plan['checkin-next-day'].channels)).toEqual(['email', 'sms']);
      });

      it('schedules checkin-week seven days after the end by email', () => {
        expect(plan['checkin-week']).toMatchObject({
          status: 'scheduled',
          at: '2026-11-10T16:00:00.000Z',
          channels: ['email'],
        });
      });

      it('falls back to SMS for email-first kinds and to email for SMS-first kinds when a contact is missing', () => {
        const phoneOnly = planAt(aBooking({ patient: { email: undefined } }), '2026-10-27T10:00');
        expect(phoneOnly['prep-instructions'].channels).toEqual(['sms']);
        expect(phoneOnly['checkin-week'].channels).toEqual(['sms']);
        const emailOnly = planAt(aBooking({ patient: { phone: undefined } }), '2026-10-27T10:00');
        expect(emailOnly['prep-day-of'].channels).toEqual(['email']);
      });
    });

    describe('across a daylight-saving change', () => {
      it('keeps prep-reminder at 10:00 local the day before when booked a week ahead across the change', () => {
        // Booked in EDT (UTC-4), session in EST (UTC-5).
        const plan = planAt(aBooking(), '2026-10-27T10:00');
        expect(plan['prep-instructions'].at).toBe('2026-10-27T14:00:00.000Z');
        expect(utcToLocal(plan['prep-reminder'].at, NY)).toBe('2026-11-02T10:00');
        expect(utcToLocal(plan['prep-day-of'].at, NY)).toBe('2026-11-03T07:00');
      });

      it('keeps the wall-clock time for a day offset that straddles the autumn change (25 h elapsed)', () => {
        const plan = planAt(sessionAt('2026-11-01T10:00'), '2026-10-20T10:00');
        expect(plan['prep-reminder'].at).toBe(localToUtc('2026-10-31T10:00', NY));
        expect(plan['prep-reminder'].at).toBe('2026-10-31T14:00:00.000Z');
        expect(Date.parse('2026-11-01T15:00:00Z') - Date.parse(plan['prep-reminder'].at)).toBe(
          25 * 3_600_000,
        );
        expect(plan['prep-day-of'].at).toBe('2026-11-01T12:00:00.000Z');
      });

      it('keeps the wall-clock time for day offsets that straddle the spring change (23 h elapsed)', () => {
        const plan = planAt(sessionAt('2026-03-08T10:00'), '2026-03-01T10:00');
        expect(plan['prep-reminder'].at).toBe('2026-03-07T15:00:00.000Z');
        const before = planAt(sessionAt('2026-03-07T10:00'), '2026-03-01T10:00');
        // End Sat 11:00 EST; the week check-in is Sat 11:00 EDT.
        expect(before['checkin-next-day'].at).toBe('2026-03-08T15:00:00.000Z');
        expect(before['checkin-week'].at).toBe('2026-03-14T15:00:00.000Z');
        expect(utcToLocal(before['checkin-week'].at, NY)).toBe('2026-03-14T11:00');
      });

      it('counts hour offsets as elapsed time across the change', () => {
        // No quiet hours, so the night-time results stay where the offsets put them.
        const policy = { ...DEFAULT_POLICY, quietHours: NO_QUIET_HOURS };
        // Sun 2026-11-01 03:00 EST = 08:00Z; three elapsed hours earlier is 05:00Z (01:00 EDT, the first 01:00).
        const early = planAt(sessionAt('2026-11-01T03:00'), '2026-10-25T10:00', { policy });
        expect(early['prep-day-of'].at).toBe('2026-11-01T05:00:00.000Z');
        // Ends Sat 23:00 EDT = 03:00Z; four elapsed hours later is 07:00Z (02:00 EST).
        const late = planAt(sessionAt('2026-10-31T22:00'), '2026-10-25T10:00', { policy });
        expect(late['checkin-same-day'].at).toBe('2026-11-01T07:00:00.000Z');
      });
    });

    describe('in quiet hours (21:00 up to 08:00)', () => {
      it('moves prep-reminder earlier to 20:59 the same evening when it falls late in the evening', () => {
        const plan = planAt(sessionAt('2026-11-03T22:00'), '2026-10-27T10:00');
        expect(plan['prep-reminder']).toMatchObject({ status: 'scheduled' });
        expect(utcToLocal(plan['prep-reminder'].at, NY)).toBe('2026-11-02T20:59');
      });

      it('moves prep-reminder earlier to 20:59 the evening before when it falls early in the morning', () => {
        const plan = planAt(sessionAt('2026-11-03T07:00'), '2026-10-27T10:00');
        expect(plan['prep-reminder']).toMatchObject({ status: 'scheduled', at: '2026-11-02T01:59:00.000Z' });
        expect(utcToLocal(plan['prep-reminder'].at, NY)).toBe('2026-11-01T20:59');
      });

      it('treats 21:00 as quiet and 08:00 as not quiet', () => {
        const at2100 = planAt(sessionAt('2026-11-03T21:00'), '2026-10-27T10:00');
        expect(utcToLocal(at2100['prep-reminder'].at, NY)).toBe('2026-11-02T20:59');
        const at0800 = planAt(sessionAt('2026-11-03T08:00'), '2026-10-27T10:00');
        expect(utcToLocal(at0800['prep-reminder'].at, NY)).toBe('2026-11-02T08:00');
        const at2059 = planAt(sessionAt('2026-11-03T20:59'), '2026-10-27T10:00');
        expect(utcToLocal(at2059['prep-reminder'].at, NY)).toBe('2026-11-02T20:59');
      });

      it('skips prep-day-of when it falls in quiet hours', () => {
        const morning = planAt(sessionAt('2026-11-03T09:00'), '2026-10-27T10:00');
        expect(morning['prep-day-of']).toMatchObject({ status: 'skipped', reason: 'quiet-hours' });
        const night = planAt(sessionAt('2026-11-04T00:30'), '2026-10-27T10:00');
        expect(night['prep-day-of']).toMatchObject({ status: 'skipped', reason: 'quiet-hours' });
        const evening = planAt(sessionAt('2026-11-03T23:30'), '2026-10-27T10:00');
        expect(evening['prep-day-of']).toMatchObject({ status: 'scheduled' });
        expect(utcToLocal(evening['prep-day-of'].at, NY)).toBe('2026-11-03T20:30');
      });

      it('moves checkin-same-day earlier to 20:59 when that is at least two hours after the end', () => {
        // Ends 18:00; +4 h = 22:00 -> 20:59, which is after 20:00.
        const plan = planAt(sessionAt('2026-11-03T17:00'), '2026-10-27T10:00');
        expect(plan['checkin-same-day']).toMatchObject({ status: 'scheduled' });
        expect(utcToLocal(plan['checkin-same-day'].at, NY)).toBe('2026-11-03T20:59');
      });

      it('allows checkin-same-day at exactly end + 2 h', () => {
        // Ends 18:59; +4 h = 22:59 -> 20:59 = end + 2 h.
        const plan = planAt(sessionAt('2026-11-03T17:59'), '2026-10-27T10:00');
        expect(plan['checkin-same-day']).toMatchObject({ status: 'scheduled' });
        expect(utcToLocal(plan['checkin-same-day'].at, NY)).toBe('2026-11-03T20:59');
      });

      it('skips checkin-same-day when 20:59 would be earlier than end + 2 h', () => {
        // Ends 19:30; +4 h = 23:30; 20:59 is before 21:30.
        const plan = planAt(sessionAt('2026-11-03T18:30'), '2026-10-27T10:00');
        expect(plan['checkin-same-day']).toMatchObject({ status: 'skipped', reason: 'quiet-hours' });
        // Ends 23:00; +4 h = 03:00 the next day; 20:59 the evening before is before the end itself.
        const late = planAt(sessionAt('2026-11-03T22:00'), '2026-10-27T10:00');
        expect(late['checkin-same-day']).toMatchObject({ status: 'skipped' });
      });

      it('moves checkin-next-day and checkin-week later to 08:00 the next morning when they fall in the evening', () => {
        // Ends 21:30.
        const plan = planAt(sessionAt('2026-11-03T20:30'), '2026-10-27T10:00');
        expect(utcToLocal(plan['checkin-next-day'].at, NY)).toBe('2026-11-05T08:00');
        expect(utcToLocal(plan['checkin-week'].at, NY)).toBe('2026-11-11T08:00');
        expect(plan['checkin-next-day'].status).toBe('scheduled');
        expect(plan['checkin-week'].status).toBe('scheduled');
      });

      it('moves checkin-next-day later to 08:00 the same morning when it falls before 08:00', () => {
        // Ends 07:00.
        const plan = planAt(sessionAt('2026-11-03T06:00'), '2026-10-27T10:00');
        expect(plan['checkin-next-day'].at).toBe(localToUtc('2026-11-04T08:00', NY));
        expect(plan['checkin-week'].at).toBe(localToUtc('2026-11-10T08:00', NY));
      });

      it('sends prep-instructions at once even when the patient books in quiet hours', () => {
        const plan = planAt(aBooking(), '2026-10-27T23:15');
        expect(plan['prep-instructions']).toMatchObject({
          status: 'due',
          at: localToUtc('2026-10-27T23:15', NY),
        });
      });
    });

    describe('when a planned time is already past', () => {
      // Session Tue 2026-11-03 12:00; prep-day-of is due at 09:00.
      const noon = () => sessionAt('2026-11-03T12:00');
      it('makes a message due now within the 60-minute grace period', () => {
        const plan = planAt(noon(), '2026-11-03T09:30', { activatedAtLocal: '2026-10-27T10:00' });
        expect(plan['prep-day-of']).toMatchObject({
          status: 'due',
          at: localToUtc('2026-11-03T09:30', NY),
          channels: ['sms'],
        });
      });

      it('records a message more than 60 minutes past as skipped "past"', () => {
        const plan = planAt(noon(), '2026-11-03T10:01', { activatedAtLocal: '2026-10-27T10:00' });
        expect(plan['prep-day-of']).toMatchObject({ status: 'skipped', reason: 'past' });
        expect(plan['prep-reminder']).toMatchObject({ status: 'skipped', reason: 'past' });
        expect(plan['prep-instructions']).toMatchObject({ status: 'skipped', reason: 'past' });
      });

      it('skips an "earlier" kind within grace when now is in quiet hours', () => {
        // Reminder 11-02 21:30 -> 20:59; now 21:20 is within grace but quiet.
        const plan = planAt(sessionAt('2026-11-03T21:30'), '2026-11-02T21:20', {
          activatedAtLocal: '2026-10-27T10:00',
        });
        expect(plan['prep-reminder']).toMatchObject({ status: 'skipped' });
        // Same-day check-in: ends 16:30, +4 h = 20:30; now 21:10.
        const checkin = planAt(sessionAt('2026-11-03T15:30'), '2026-11-03T21:10', {
          activatedAtLocal: '2026-10-27T10:00',
        });
        expect(checkin['checkin-same-day']).toMatchObject({ status: 'skipped' });
      });

      it('skips a "skip" kind within grace when now is in quiet hours', () => {
        // Session 23:30: prep-day-of at 20:30; now 21:05.
        const plan = planAt(sessionAt('2026-11-03T23:30'), '2026-11-03T21:05', {
          activatedAtLocal: '2026-10-27T10:00',
        });
        expect(plan['prep-day-of']).toMatchObject({ status: 'skipped' });
      });

      it('moves a "later" kind within grace to 08:00 when now is in quiet hours', () => {
        // Ends 20:30; next-day check-in 11-04 20:30; now 11-04 21:10.
        const plan = planAt(sessionAt('2026-11-03T19:30'), '2026-11-04T21:10', {
          activatedAtLocal: '2026-10-27T10:00',
        });
        expect(plan['checkin-next-day']).toMatchObject({
          status: 'scheduled',
          at: localToUtc('2026-11-05T08:00', NY),
        });
      });

      it('sends a "send" kind within grace at once even in quiet hours', () => {
        const plan = planAt(aBooking(), '2026-10-27T22:00', { activatedAtLocal: '2026-10-27T21:30' });
        expect(plan['prep-instructions']).toMatchObject({
          status: 'due',
          at: localToUtc('2026-10-27T22:00', NY),
        });
      });
    });

    describe('for a late booking', () => {
      it('sends prep-instructions now and no reminder when the session starts in 30 minutes', () => {
        const plan = planAt(aBooking(), '2026-11-03T09:30');
        expect(plan['prep-instructions']).toMatchObject({
          status: 'due',
          at: localToUtc('2026-11-03T09:30', NY),
        });
        expect(plan['prep-reminder']).toMatchObject({ status: 'skipped', reason: 'past' });
        expect(plan['prep-day-of']).toMatchObject({ status: 'skipped' });
        expect(plan['checkin-same-day']).toMatchObject({ status: 'scheduled' });
      });

      it('sends prep-day-of at once when the session starts in two and a half hours', () => {
        const plan = planAt(sessionAt('2026-11-03T12:00'), '2026-11-03T09:30');
        expect(plan['prep-instructions'].status).toBe('due');
        expect(plan['prep-day-of']).toMatchObject({ status: 'due', at: localToUtc('2026-11-03T09:30', NY) });
      });

      it('drops prep-instructions when the booking arrives at or after the session start', () => {
        const atStart = planAt(aBooking(), '2026-11-03T10:00');
        expect(atStart['prep-instructions']).toMatchObject({
          status: 'skipped',
          reason: 'after-session-start',
        });
        const after = planAt(aBooking(), '2026-11-03T10:15');
        expect(after['prep-instructions']).toMatchObject({ status: 'skipped' });
        expect(after['checkin-same-day']).toMatchObject({ status: 'scheduled' });
      });

      it('drops a pre-session message that grace would make due at or after the start', () => {
        const policy = withRule('prep-day-of', { offset: { minutes: -30 } });
        const plan = planAt(aBooking(), '2026-11-03T10:00', { policy, activatedAtLocal: '2026-10-27T10:00' });
        expect(plan['prep-day-of']).toMatchObject({ status: 'skipped', reason: 'after-session-start' });
      });
    });

    describe("in the patient's own time zone", () => {
      it('computes day offsets in the patient zone, not the session zone', () => {
        // Session Sun 2026-10-25 10:00 EDT = 14:00Z = 14:00 GMT in London (UK DST ended that morning).
        const booking = aBooking({
          session: { startsAt: '2026-10-25T10:00:00-04:00' },
          patient: { timeZone: LONDON },
        });
        const plan = planAt(booking, '2026-10-18T10:00', { zone: LONDON });
        // The day before at 14:00 London wall clock is 14:00 BST = 13:00Z (New York's wall clock would give 14:00Z).
        expect(plan['prep-reminder'].at).toBe('2026-10-24T13:00:00.000Z');
      });

      it('applies quiet hours in the patient zone', () => {
        // Session 16:00 EST = 21:00 GMT: the reminder at 21:00 London moves to 20:59 London.
        const booking = aBooking({
          session: { startsAt: '2026-11-03T16:00:00-05:00' },
          patient: { timeZone: LONDON },
        });
        const plan = planAt(booking, '2026-10-27T10:00', { zone: LONDON });
        expect(utcToLocal(plan['prep-reminder'].at, LONDON)).toBe('2026-11-02T20:59');
        const sameInNewYork = planAt(
          aBooking({ session: { startsAt: '2026-11-03T16:00:00-05:00' } }),
          '2026-10-27T10:00',
        );
        expect(utcToLocal(sameInNewYork['prep-reminder'].at, NY)).toBe('2026-11-02T16:00');
      });

      it('skips checkin-same-day that is quiet for the patient though not for the clinic', () => {
        // Ends 18:00 EST = 23:00 GMT; +4 h = 03:00 London: 20:59 the evening before is before the end.
        const booking = aBooking({
          session: { startsAt: '2026-11-03T17:00:00-05:00' },
          patient: { timeZone: LONDON },
        });
        const plan = planAt(booking, '2026-10-27T10:00', { zone: LONDON });
        expect(plan['checkin-same-day']).toMatchObject({ status: 'skipped', reason: 'quiet-hours' });
        expect(utcToLocal(plan['checkin-next-day'].at, LONDON)).toBe('2026-11-05T08:00');
      });
    });

    describe('with preferredChannel', () => {
      const kindsOf = (plan: Record<MessageKind, PlannedMessage>) =>
        Object.fromEntries(Object.values(plan).map((m) => [m.kind, sorted(m.channels)]));

      it('sends everything by email when the patient prefers email and has one', () => {
        const plan = planAt(aBooking({ patient: { preferredChannel: 'email' } }), '2026-10-27T10:00');
        for (const channels of Object.values(kindsOf(plan))) expect(channels).toEqual(['email']);
      });

      it('sends by SMS when the patient prefers email but has no email', () => {
        const plan = planAt(
          aBooking({ patient: { preferredChannel: 'email', email: undefined } }),
          '2026-10-27T10:00',
        );
        for (const channels of Object.values(kindsOf(plan))) expect(channels).toEqual(['sms']);
      });

      it('sends everything by SMS when the patient prefers SMS and has a phone', () => {
        const plan = planAt(aBooking({ patient: { preferredChannel: 'sms' } }), '2026-10-27T10:00');
        for (const channels of Object.values(kindsOf(plan))) expect(channels).toEqual(['sms']);
      });

      it('sends by email when the patient prefers SMS but has no phone', () => {
        const plan = planAt(
          aBooking({ patient: { preferredChannel: 'sms', phone: undefined } }),
          '2026-10-27T10:00',
        );
        for (const channels of Object.values(kindsOf(plan))) expect(channels).toEqual(['email']);
      });

      it('uses the one contact a "both" patient has for every kind', () => {
        const emailOnly = planAt(aBooking({ patient: { phone: undefined } }), '2026-10-27T10:00');
        for (const channels of Object.values(kindsOf(emailOnly))) expect(channels).toEqual(['email']);
        const phoneOnly = planAt(aBooking({ patient: { email: undefined } }), '2026-10-27T10:00');
        for (const channels of Object.values(kindsOf(phoneOnly))) expect(channels).toEqual(['sms']);
      });
    });

    describe('with a reported session end', () => {
      it('anchors the check-ins to endedAt and leaves the pre-session messages alone', () => {
        const booking = aBooking();
        const base = planAt(booking, '2026-10-27T10:00');
        const plan = planAt(booking, '2026-10-27T10:00', { endedAt: '2026-11-03T12:30:00-05:00' });
        expect(plan['checkin-same-day'].at).toBe(localToUtc('2026-11-03T16:30', NY));
        expect(plan['checkin-next-day'].at).toBe(localToUtc('2026-11-04T12:30', NY));
        expect(plan['checkin-week'].at).toBe(localToUtc('2026-11-10T12:30', NY));
        expect(plan['prep-reminder']).toEqual(base['prep-reminder']);
        expect(plan['prep-day-of']).toEqual(base['prep-day-of']);
        expect(plan['prep-instructions']).toEqual(base['prep-instructions']);
      });

      it('plans an earlier-than-booked end from the reported time, not start + duration', () => {
        const plan = planAt(aBooking({ session: { durationMinutes: 240 } }), '2026-10-27T10:00', {
          endedAt: isoUtc('2026-11-03T10:45:00-05:00'),
        });
        expect(plan['checkin-same-day'].at).toBe(localToUtc('2026-11-03T14:45', NY));
      });
    });

    describe('with kinds', () => {
      it('plans only the kinds asked for', () => {
        const messages = planMessages({
          booking: aBooking(),
          activatedAt: '2026-10-27T14:00:00Z',
          now: '2026-10-27T14:00:00Z',
          policy: DEFAULT_POLICY,
          kinds: ['checkin-week', 'prep-day-of'],
        });
        expect(messages.map((m) => m.kind).sort()).toEqual(['checkin-week', 'prep-day-of']);
      });
    });
  });

  describe('pickChannels', () => {
    const both = { email: 'a@example.org', phone: '+15555550123', preferredChannel: 'both' as const };

    it('returns each channel the patient has for a "both" rule', () => {
      expect(sorted(pickChannels('both', both))).toEqual(['email', 'sms']);
      expect(pickChannels('both', { ...both, phone: undefined })).toEqual(['email']);
    });

    it('returns the rule channel when the patient has it, else the other one', () => {
      expect(pickChannels('email', both)).toEqual(['email']);
      expect(pickChannels('sms', both)).toEqual(['sms']);
      expect(pickChannels('email', { ...both, email: undefined })).toEqual(['sms']);
      expect(pickChannels('sms', { ...both, phone: undefined })).toEqual(['email']);
    });

    it('lets a preferred channel override the rule', () => {
      expect(pickChannels('both', { ...both, preferredChannel: 'sms' })).toEqual(['sms']);
      expect(pickChannels('sms', { ...both, preferredChannel: 'email' })).toEqual(['email']);
    });

    it('returns no channel when the patient has no contact', () => {
      expect(pickChannels('both', { preferredChannel: 'both' })).toEqual([]);
    });
  });

  describe('isQuietTime', () => {
    const at = (local: string) => DateTime.fromISO(local, { zone: NY });
    const quiet = DEFAULT_POLICY.quietHours;

    it('is quiet from 21:00 up to, not including, 08:00', () => {
      expect(isQuietTime(at('2026-11-03T20:59'), quiet)).toBe(false);
      expect(isQuietTime(at('2026-11-03T21:00'), quiet)).toBe(true);
      expect(isQuietTime(at('2026-11-03T00:00'), quiet)).toBe(true);
      expect(isQuietTime(at('2026-11-03T07:59'), quiet)).toBe(true);
      expect(isQuietTime(at('2026-11-03T08:00'), quiet)).toBe(false);
    });

    it('handles quiet hours that do not wrap midnight', () => {
      const afternoon = { start: '13:00', end: '14:00' };
      expect(isQuietTime(at('2026-11-03T12:59'), afternoon)).toBe(false);
      expect(isQuietTime(at('2026-11-03T13:30'), afternoon)).toBe(true);
      expect(isQuietTime(at('2026-11-03T14:00'), afternoon)).toBe(false);
    });

    it('has no quiet time when start equals end', () => {
      expect(isQuietTime(at('2026-11-03T03:00'), NO_QUIET_HOURS)).toBe(false);
    });
  });
});
