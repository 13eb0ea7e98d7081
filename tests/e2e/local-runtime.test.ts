import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { gsm7Units } from '../../shared/domain/messages/gsm7';

type Schedule = { bookingId: string; kind: string; at: string };
type Outbox = {
  channel: 'email' | 'sms';
  to: string;
  kind: string;
  bookingId: string;
  subject?: string;
  text: string;
  at: string;
}[];

const ZONE = 'America/New_York';
let runtime: LocalRuntime;

/** A client of the local runtime, talking to it only through its HTTP endpoints. */
const api = {
  async post(path: string, body: unknown, raw = false) {
    const res = await fetch(runtime.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: raw ? (body as string) : JSON.stringify(body),
    });
    // biome-ignore lint/suspicious/noExplicitAny: test client reads loosely typed JSON answers
    return { status: res.status, body: (await res.json()) as any };
  },
  async get<T>(path: string): Promise<T> {
    return (await fetch(runtime.url + path)).json() as Promise<T>;
  },
  event(detailType: string, detail: unknown) {
    return this.post('/local/events', { Source: 'clinic.booking', DetailType: detailType, Detail: detail });
  },
  schedulesOf: async (bookingId: string) =>
    (await api.get<Schedule[]>('/local/schedules')).filter((s) => s.bookingId === bookingId),
  outboxOf: async (bookingId: string) =>
    (await api.get<Outbox>('/local/outbox')).filter((m) => m.bookingId === bookingId),
  advanceTo: (to: string) => api.post('/local/clock', { to }),
};

function booking(
  bookingId: string,
  version: number,
  startsAt: string,
  patient: Record<string, unknown> = {},
) {
  return {
    bookingId,
    version,
    session: { startsAt, durationMinutes: 120, timeZone: ZONE, treatment: 'iv-ketamine', location: 'Room 2' },
    patient: {
      id: `p-${bookingId}`,
      firstName: 'Ramón',
      email: 'ramon@example.org',
      phone: '+15550100002',
      ...patient,
    },
  };
}

const local = (iso: string) => DateTime.fromISO(iso, { zone: ZONE });

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  // Friday 23 Oct 2026, 10:00 in New York (EDT); US DST ends on Sunday 1 Nov 2026.
  runtime = await startLocalRuntime({ port: 0, clockStart: '2026-10-23T14:00:00Z', demo: false });
});
afterAll(() => runtime.close());

describe('local runtime', () => {
  describe('a booking a week ahead across a DST change', () => {
    // 11:00, so prep-day-of (3 hours before) falls at 08:00, just out of quiet hours.
    const start = '2026-10-30T11:00:00-04:00';

    it('gets one schedule per message at the wall-clock times of the plan', async () => {
      const created = await api.event('Booking Created', booking('dst-1', 1, start));
      expect(created).toEqual({ status: 200, body: { results: [{ status: 'processed' }] } });

      const schedules = await api.schedulesOf('dst-1');
      const byKind = Object.fromEntries(
        schedules.map((s) => [s.kind, local(s.at).toFormat('yyyy-MM-dd HH:mm ZZZZ')]),
      );
      expect(byKind).toEqual({
        'prep-reminder': '2026-10-29 11:00 EDT',
        'prep-day-of': '2026-10-30 08:00 EDT',
        // Nobody answered the readiness question by then: the front desk is told (DESIGN section 11).
        'readiness-deadline': '2026-10-30 08:00 EDT',
        'checkin-same-day': '2026-10-30 17:00 EDT',
        'checkin-next-day': '2026-10-31 13:00 EDT',
        // A week later in wall-clock time: 13:00 again, though the offset changed.
        'checkin-week': '2026-11-06 13:00 EST',
      });
      const sent = await api.outboxOf('dst-1');
      expect(sent.map((m) => `${m.kind}/${m.channel}`)).toEqual(['prep-instructions/email']);
    });

    it('sends each message when the clock passes it, and never in quiet hours but the instructions', async () => {
      const { body } = await api.advanceTo('2026-11-08T00:00:00Z');
      expect(
        body.fired.filter((f: Schedule) => f.bookingId === 'dst-1').map((f: Schedule) => f.kind),
      ).toEqual([
        'prep-reminder',
        'prep-day-of',
        'readiness-deadline',
        'checkin-same-day',
        'checkin-next-day',
        'checkin-week',
      ]);
      const sent = await api.outboxOf('dst-1');
      expect(sent.map((m) => `${m.kind}/${m.channel}`)).toEqual([
        'prep-instructions/email',
        'prep-reminder/email',
        'prep-reminder/sms',
        'prep-day-of/sms',
        'checkin-same-day/email',
        'checkin-same-day/sms',
        'checkin-next-day/email',
        'checkin-next-day/sms',
        'checkin-week/email',
      ]);
      for (const message of sent.filter((m) => m.kind !== 'prep-instructions')) {
        const hour = local(message.at).hour;
        expect(hour >= 8 && hour < 21, `${message.kind} at ${message.at}`).toBe(true);
      }
      expect(await api.schedulesOf('dst-1')).toEqual([]);
    });

    it('sends every SMS as one GSM-7 segment with the name transliterated', async () => {
      const sms = (await api.get<Outbox>('/local/outbox')).filter((m) => m.channel === 'sms');
      expect(sms.length).toBeGreaterThan(0);
      for (const message of sms) {
        const units = gsm7Units(message.text);
        expect(units, message.text).toBeDefined();
        expect(units).toBeLessThanOrEqual(160);
        expect(message.text).not.toMatch(/ketamin|Ramón/i);
      }
      expect(sms.some((m) => m.text.includes('Ramon'))).toBe(true);
    });
  });

  describe('duplicates and stale events', () => {
    it('changes nothing for a duplicate or a lower version', async () => {
      const start = '2026-11-20T10:00:00-05:00';
      await api.event('Booking Created', booking('dup-1', 2, start));
      const before = await api.schedulesOf('dup-1');
      const outboxBefore = await api.outboxOf('dup-1');

      expect((await api.event('Booking Created', booking('dup-1', 2, start))).body.results).toEqual([
        { status: 'ignored' },
      ]);
      const stale = await api.event('Booking Rescheduled', booking('dup-1', 1, '2026-11-21T10:00:00-05:00'));
      expect(stale.body.results).toEqual([{ status: 'ignored' }]);
      expect((await api.event('Booking Cancelled', { bookingId: 'dup-1', version: 1 })).body.results).toEqual(
        [{ status: 'ignored' }],
      );

      expect(await api.schedulesOf('dup-1')).toEqual(before);
      expect(await api.outboxOf('dup-1')).toEqual(outboxBefore);
      expect(outboxBefore.filter((m) => m.kind === 'prep-instructions')).toHaveLength(1);
    });
  });

  describe('reschedule', () => {
    it('moves every pending message and does not resend the instructions', async () => {
      await api.event('Booking Created', booking('move-1', 1, '2026-11-20T11:00:00-05:00'));
      const before = await api.schedulesOf('move-1');
      await api.event('Booking Rescheduled', booking('move-1', 2, '2026-11-24T14:00:00-05:00'));
      const after = await api.schedulesOf('move-1');

      expect(after.map((s) => s.kind)).toEqual(before.map((s) => s.kind));
      for (const moved of after) {
        const old = before.find((s) => s.kind === moved.kind);
        expect(moved.at, moved.kind).not.toBe(old?.at);
      }
      expect(
        local(after.find((s) => s.kind === 'prep-reminder')?.at ?? '').toFormat('yyyy-MM-dd HH:mm'),
      ).toBe('2026-11-23 14:00');
      await api.advanceTo('2026-12-02T00:00:00Z');
      const instructions = (await api.outboxOf('move-1')).filter((m) => m.kind === 'prep-instructions');
      expect(instructions).toHaveLength(1);
      const reminders = (await api.outboxOf('move-1')).filter((m) => m.kind === 'prep-reminder');
      expect(reminders.map((m) => local(m.at).toFormat('yyyy-MM-dd HH:mm'))).toEqual([
        '2026-11-23 14:00',
        '2026-11-23 14:00',
      ]);
    });
  });

  describe('cancel', () => {
    it('removes every schedule and nothing is sent for it again', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start =
        DateTime.fromISO(now).plus({ days: 5 }).setZone(ZONE).set({ hour: 11, minute: 0 }).toISO() ?? '';
      await api.event('Booking Created', booking('cancel-1', 1, start));
      expect((await api.schedulesOf('cancel-1')).length).toBeGreaterThan(0);
      const sentBefore = (await api.outboxOf('cancel-1')).length;

      const cancelled = await api.event('Booking Cancelled', {
        bookingId: 'cancel-1',
        version: 2,
        reason: 'patient request',
      });
      expect(cancelled.body.results).toEqual([{ status: 'processed' }]);
      expect(await api.schedulesOf('cancel-1')).toEqual([]);

      // A late, lower-version reschedule after the cancel changes nothing.
      await api.event('Booking Rescheduled', booking('cancel-1', 1, start));
      await api.post('/local/clock', { advance: 'P30D' });
      expect(await api.schedulesOf('cancel-1')).toEqual([]);
      expect((await api.outboxOf('cancel-1')).length).toBe(sentBefore);
    });
  });

  describe('a late booking', () => {
    it('gets its instructions now and no pre-session message at or after the start', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).plus({ minutes: 40 });
      await api.event('Booking Created', booking('late-1', 1, start.toISO() ?? ''));
      const sent = await api.outboxOf('late-1');
      expect(sent.map((m) => m.kind)).toContain('prep-instructions');
      expect((await api.schedulesOf('late-1')).filter((s) => s.kind.startsWith('prep-'))).toEqual([]);

      await api.post('/local/clock', { advance: 'P8D' });
      for (const message of (await api.outboxOf('late-1')).filter((m) => m.kind.startsWith('prep-'))) {
        expect(DateTime.fromISO(message.at) < start, message.kind).toBe(true);
      }
    });
  });

  describe('a new version that keeps the time', () => {
    it('does not send again a message already sent within the grace period', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 2 }).set({ hour: 10, minute: 0 });
      const startsAt = start.toISO() ?? '';
      await api.event('Booking Created', booking('same-1', 1, startsAt));
      // The reminder goes at 10:00 the day before; half an hour later the clinic changes the location.
      await api.advanceTo(start.minus({ days: 1 }).plus({ minutes: 30 }).toUTC().toISO() ?? '');
      expect((await api.outboxOf('same-1')).filter((m) => m.kind === 'prep-reminder')).toHaveLength(2);
      const moved = booking('same-1', 2, startsAt);
      moved.session.location = 'Room 5';
      expect((await api.event('Booking Rescheduled', moved)).body.results).toEqual([{ status: 'processed' }]);
      expect((await api.outboxOf('same-1')).filter((m) => m.kind === 'prep-reminder')).toHaveLength(2);
    });
  });

  describe('a new email or phone', () => {
    const linkOf = (text: string) => text.match(/\/c\/[A-Za-z0-9_-]+/)?.[0] ?? '';
    const open = async (link: string) => (await fetch(runtime.url + link)).status;

    it('revokes the links sent to the old address and sends the current check-in again to the new one', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 2 }).set({ hour: 10, minute: 0 });
      const startsAt = start.toISO() ?? '';
      await api.event('Booking Created', booking('contact-1', 1, startsAt));
      // The same-day check-in went (email and SMS) an hour ago.
      await api.advanceTo(start.plus({ hours: 6 }).toUTC().toISO() ?? '');
      const first = (await api.outboxOf('contact-1')).filter((m) => m.kind === 'checkin-same-day');
      expect(first.map((m) => m.to).sort()).toEqual(['+15550100002', 'ramon@example.org']);
      const oldLink = linkOf(first[0]?.text ?? '');
      expect(await open(oldLink)).toBe(200);

      const moved = booking('contact-1', 2, startsAt, { email: 'ramon.new@example.org' });
      expect((await api.event('Booking Rescheduled', moved)).body.results).toEqual([{ status: 'processed' }]);

      // The old link reached the old address: revoked, with the clinic's phone.
      const refused = await fetch(runtime.url + oldLink);
      expect(refused.status).toBe(410);
      expect(await refused.text()).toContain('call');
      const again = (await api.outboxOf('contact-1')).filter((m) => m.kind === 'checkin-same-day').slice(2);
      expect(again.map((m) => m.to).sort()).toEqual(['+15550100002', 'ramon.new@example.org']);
      const newLink = linkOf(again[0]?.text ?? '');
      expect(newLink).not.toBe(oldLink);
      expect(linkOf(again[1]?.text ?? '')).toBe(newLink);
      expect(await open(newLink)).toBe(200);

      // The same details again change nothing: no third sending.
      await api.event('Booking Rescheduled', { ...moved, version: 3 });
      expect((await api.outboxOf('contact-1')).filter((m) => m.kind === 'checkin-same-day')).toHaveLength(4);
      expect(await open(newLink)).toBe(200);
    });

    it('sends nothing again when no check-in has gone yet, and later messages go to the new address', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 3 }).set({ hour: 10, minute: 0 });
      const startsAt = start.toISO() ?? '';
      await api.event('Booking Created', booking('contact-2', 1, startsAt));
      const before = (await api.outboxOf('contact-2')).length;
      await api.event('Booking Rescheduled', booking('contact-2', 2, startsAt, { phone: '+15550100009' }));
      expect((await api.outboxOf('contact-2')).length).toBe(before);
      await api.advanceTo(start.plus({ hours: 6 }).toUTC().toISO() ?? '');
      const checkin = (await api.outboxOf('contact-2')).filter((m) => m.kind === 'checkin-same-day');
      expect(checkin.map((m) => m.to).sort()).toEqual(['+15550100009', 'ramon@example.org']);
      expect(await open(linkOf(checkin[0]?.text ?? ''))).toBe(200);
    });
  });

  describe('an early-morning session', () => {
    it('moves the reminder out of quiet hours and names the day instead of saying tomorrow', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 4 }).set({ hour: 7, minute: 30 });
      await api.event('Booking Created', booking('early-1', 1, start.toISO() ?? ''));
      const reminder = (await api.schedulesOf('early-1')).find((s) => s.kind === 'prep-reminder');
      // 07:30 the day before is in quiet hours: it moves to 20:59, two evenings before.
      expect(local(reminder?.at ?? '').toFormat('yyyy-MM-dd HH:mm')).toBe(
        start.minus({ days: 2 }).toFormat('yyyy-MM-dd 20:59'),
      );
      expect((await api.schedulesOf('early-1')).map((s) => s.kind)).not.toContain('prep-day-of');
      await api.advanceTo(start.toUTC().toISO() ?? '');
      const sms = (await api.outboxOf('early-1')).find(
        (m) => m.kind === 'prep-reminder' && m.channel === 'sms',
      );
      expect(sms?.text).toContain(`on ${start.toFormat('cccc')}`);
      expect(sms?.text).not.toContain('tomorrow');
    });
  });

  describe('a Spanish-speaking, SMS-only patient in another zone', () => {
    it('gets Spanish SMS at the times of their own zone', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 3 }).set({ hour: 13, minute: 0 });
      await api.event(
        'Booking Created',
        booking('es-1', 1, start.toISO() ?? '', {
          email: undefined,
          language: 'es',
          timeZone: 'America/Los_Angeles',
        }),
      );
      const sent = await api.outboxOf('es-1');
      expect(sent.map((m) => `${m.kind}/${m.channel}`)).toEqual(['prep-instructions/sms']);
      expect(sent[0]?.text).toMatch(/\/i\/[A-Za-z0-9_-]{33}$/);
      const reminder = (await api.schedulesOf('es-1')).find((s) => s.kind === 'prep-reminder');
      // 13:00 in New York is 10:00 in Los Angeles: the day-before reminder keeps the patient's wall clock.
      expect(DateTime.fromISO(reminder?.at ?? '', { zone: 'America/Los_Angeles' }).toFormat('HH:mm')).toBe(
        '10:00',
      );
      await api.advanceTo(start.toUTC().toISO() ?? '');
      const sms = (await api.outboxOf('es-1')).find((m) => m.kind === 'prep-reminder');
      expect(sms?.text).toContain('mañana');
    });
  });

  describe('Session Completed', () => {
    it('re-anchors the check-ins to the real end, also when it arrives before the booking', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 1 }).set({ hour: 11, minute: 0 });
      const endedAt = start.plus({ hours: 3 });
      const completed = await api.event('Session Completed', {
        bookingId: 'done-1',
        endedAt: endedAt.toISO(),
      });
      expect(completed.body.results).toEqual([{ status: 'processed' }]);
      await api.event('Booking Created', booking('done-1', 1, start.toISO() ?? ''));
      const sameDay = (await api.schedulesOf('done-1')).find((s) => s.kind === 'checkin-same-day');
      expect(local(sameDay?.at ?? '').toFormat('HH:mm')).toBe(endedAt.plus({ hours: 4 }).toFormat('HH:mm'));
    });
  });

  describe('a provider outage', () => {
    it('retries a failed send, then keeps it in the DLQ, and sends each channel once when the provider is back', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).plus({ days: 3 }).setZone(ZONE).set({ hour: 11, minute: 0 });
      await api.post('/local/faults', { email: 'fail' });
      await api.event('Booking Created', booking('outage-1', 1, start.toISO() ?? ''));
      // The instructions could not go out at once: a retry is scheduled a minute later.
      expect((await api.schedulesOf('outage-1')).find((s) => s.kind === 'prep-instructions')).toBeDefined();
      // A booking cancelled meanwhile takes its pending retry with it.
      await api.event('Booking Created', booking('outage-2', 1, start.toISO() ?? ''));
      await api.event('Booking Cancelled', { bookingId: 'outage-2', version: 2 });
      expect(await api.schedulesOf('outage-2')).toEqual([]);

      await api.post('/local/clock', { advance: 'PT10M' });
      const dlq =
        await api.get<{ source: string; reason: string; detail?: { bookingId?: string } }[]>('/local/dlq');
      const kept = dlq.filter((d) => d.source === 'send-message' && d.detail?.bookingId === 'outage-1');
      expect(kept).toHaveLength(1);
      expect(kept[0]?.reason).toContain('prep-instructions failed on email');
      expect(await api.outboxOf('outage-1')).toEqual([]);

      await api.post('/local/faults', { email: 'ok' });
      await api.advanceTo(start.minus({ hours: 12 }).toUTC().toISO() ?? '');
      const sent = await api.outboxOf('outage-1');
      expect(sent.map((m) => `${m.kind}/${m.channel}`)).toEqual(['prep-reminder/email', 'prep-reminder/sms']);
    });
  });

  describe('delivery events', () => {
    it('records what the providers report, sends a bounced message by SMS once, and tells the front desk once when that fails too', async () => {
      const now = (await api.get<{ now: string }>('/local/clock')).now;
      const start = DateTime.fromISO(now).plus({ days: 5 }).setZone(ZONE).set({ hour: 11, minute: 0 });
      const patient = { email: 'Bounce.Me@example.org', phone: '+15550100777' };
      await api.event('Booking Created', booking('delivery-1', 1, start.toISO() ?? '', patient));
      const statuses = async () =>
        (await api.outboxOf('delivery-1')).map(
          (m) => `${m.kind}/${m.channel}/${(m as { delivery?: string }).delivery}`,
        );
      // The instructions go by email only.
      expect(await statuses()).toEqual(['prep-instructions/email/sent']);

      const bounce = await api.post('/local/email/events', { to: 'bounce.me@example.org', type: 'bounce' });
      expect(bounce).toMatchObject({
        status: 200,
        body: { outcome: 'recorded', status: 'bounced', followUp: { type: 'fell-back', channel: 'sms' } },
      });
      expect(await statuses()).toEqual(['prep-instructions/email/bounced', 'prep-instructions/sms/sent']);
      // Reported again, or a late delivery report: nothing changes, nothing more is sent.
      await api.post('/local/email/events', { to: patient.email, type: 'bounce' });
      expect(
        (await api.post('/local/email/events', { to: patient.email, type: 'delivery' })).body,
      ).toMatchObject({
        outcome: 'outranked',
        delivery: 'bounced',
      });
      expect(await api.outboxOf('delivery-1')).toHaveLength(2);
      expect(await api.get<unknown[]>('/local/notices')).not.toContainEqual(
        expect.objectContaining({ bookingId: 'delivery-1' }),
      );

      await api.post('/local/sms/events', { to: patient.phone, type: 'delivered' });
      const expired = await api.post('/local/sms/events', { to: patient.phone, type: 'expired' });
      expect(expired.body).toMatchObject({
        delivery: 'expired',
        followUp: { type: 'notice', reason: 'unreached-before-session' },
      });
      await api.post('/local/sms/events', { to: patient.phone, type: 'expired' });
      expect(await statuses()).toEqual(['prep-instructions/email/bounced', 'prep-instructions/sms/expired']);
      const notices = (
        await api.get<{ bookingId: string; reason: string; state: string }[]>('/local/notices')
      ).filter((n) => n.bookingId === 'delivery-1');
      expect(notices).toEqual([
        expect.objectContaining({ reason: 'unreached-before-session', state: 'open' }),
      ]);
      // Earlier bookings' readiness deadlines passed unanswered: those notices are emailed too.
      const desk = (await api.get<Outbox>('/local/outbox')).filter(
        (m) => m.kind === 'front-desk-notice' && m.subject?.startsWith('A patient could not be reached'),
      );
      expect(desk.map((m) => m.to)).toEqual(['front-desk@example-clinic.org']);
      expect(JSON.stringify(desk)).not.toMatch(/Ramón|bounce\.me|0100777|delivery-1/i);
    });

    it('names the field of a report it cannot play, and finds no message for an address never written to', async () => {
      expect(await api.post('/local/email/events', { to: 'ramon@example.org', type: 'opened' })).toEqual({
        status: 400,
        body: { error: 'type: must be one of bounce, complaint, delivery' },
      });
      expect((await api.post('/local/sms/events', { type: 'delivered' })).body.error).toMatch(/^to: /);
      expect((await api.post('/local/sms/events', { to: '+15550109999', type: 'blocked' })).status).toBe(404);
    });
  });

  describe('patient channels that fail (DESIGN section 11)', () => {
    /** Polls until `check` holds: provider events follow a send asynchronously, as on AWS. */
    async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean): Promise<T> {
      for (let i = 0; i < 50; i++) {
        const value = await read();
        if (check(value)) return value;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return read();
    }
    const kinds = async (bookingId: string) =>
      (await api.outboxOf(bookingId)).map(
        (m) => `${m.kind}/${m.channel}/${(m as { delivery?: string }).delivery}`,
      );
    const noticesOf = async (bookingId: string) =>
      (await api.get<{ bookingId: string; reason: string }[]>('/local/notices')).filter(
        (n) => n.bookingId === bookingId,
      );
    const nowPlus = async (days: number) =>
      DateTime.fromISO((await api.get<{ now: string }>('/local/clock')).now)
        .plus({ days })
        .setZone(ZONE)
        .set({ hour: 11, minute: 0 });

    it('sends nothing more to a phone on the opt-out list: its messages go by email', async () => {
      const phone = '+15550100801';
      await api.post('/local/faults', { sms: 'opted-out', to: phone });
      const start = await nowPlus(3);
      await api.event(
        'Booking Created',
        booking('optout-1', 1, start.toISO() ?? '', { phone, preferredChannel: 'sms' }),
      );
      // Past the same-day check-in (4 hours after the 2-hour session).
      await api.advanceTo(start.plus({ hours: 7 }).toUTC().toISO() ?? '');
      const sent = await kinds('optout-1');
      expect(sent.filter((k) => k.includes('/sms/'))).toEqual([]);
      expect(sent).toEqual(
        expect.arrayContaining(['prep-reminder/email/sent', 'checkin-same-day/email/sent']),
      );
      // The day-of text has no fallback: it is not sent at all.
      expect(sent.some((k) => k.startsWith('prep-day-of'))).toBe(false);
      await api.post('/local/faults', { sms: 'ok', to: phone });
    });

    it('moves a check-in whose email bounced to SMS, once', async () => {
      const email = 'week-bounce@example.org';
      const start = await nowPlus(2);
      await api.event(
        'Booking Created',
        booking('bounce-week', 1, start.toISO() ?? '', { email, phone: '+15550100802' }),
      );
      await api.advanceTo(start.plus({ days: 6 }).toUTC().toISO() ?? '');
      await api.post('/local/faults', { email: 'bounce', to: email });
      await api.advanceTo(start.plus({ days: 8 }).toUTC().toISO() ?? '');
      const sent = await eventually(
        () => kinds('bounce-week'),
        (k) => k.includes('checkin-week/email/bounced') && k.includes('checkin-week/sms/sent'),
      );
      expect(sent.filter((k) => k.startsWith('checkin-week'))).toEqual([
        'checkin-week/email/bounced',
        'checkin-week/sms/sent',
      ]);
      await api.post('/local/faults', { email: 'ok', to: email });
    });

    it('tells the front desk once when neither channel reaches the patient before the session', async () => {
      const email = 'nowhere@example.org';
      const phone = '+15550100803';
      await api.post('/local/faults', { email: 'bounce', to: email });
      await api.post('/local/faults', { sms: 'unreachable', to: phone });
      const start = await nowPlus(3);
      await api.event('Booking Created', booking('nowhere-1', 1, start.toISO() ?? '', { email, phone }));
      const first = await eventually(
        () => noticesOf('nowhere-1'),
        (n) => n.length > 0,
      );
      expect(first).toEqual([expect.objectContaining({ reason: 'unreached-before-session' })]);
      // The outbox shows a status once the event that set it is handled in full (the notice is raised inside).
      expect(
        await eventually(
          () => kinds('nowhere-1'),
          (k) => k.includes('prep-instructions/sms/unreachable'),
        ),
      ).toEqual(['prep-instructions/email/bounced', 'prep-instructions/sms/unreachable']);
      // The reminder fails on both channels too: still one notice for the booking.
      await api.advanceTo(start.minus({ hours: 20 }).toUTC().toISO() ?? '');
      await eventually(
        () => kinds('nowhere-1'),
        (k) => k.includes('prep-reminder/email/bounced') && k.includes('prep-reminder/sms/unreachable'),
      );
      expect(await noticesOf('nowhere-1')).toHaveLength(1);
      await api.post('/local/faults', { email: 'ok', to: email });
      await api.post('/local/faults', { sms: 'ok', to: phone });
    });

    it('names the field of a fault it does not know', async () => {
      expect((await api.post('/local/faults', { sms: 'bounce' })).body.error).toMatch(/^sms: must be one of/);
      expect((await api.post('/local/faults', { email: 'fail', to: 'a@example.org' })).body.error).toMatch(
        /^to: /,
      );
    });
  });

  describe("patients' texts to the clinic's number (DESIGN section 11)", () => {
    const nowPlus = async (days: number) =>
      DateTime.fromISO((await api.get<{ now: string }>('/local/clock')).now)
        .plus({ days })
        .setZone(ZONE)
        .set({ hour: 11, minute: 0 });
    const textIn = async (from: string, body: string) =>
      (await api.post('/local/sms/inbound', { from, body })).body as { outcome?: string; error?: string };
    const autoReplies = async (phone: string) =>
      (await api.get<{ to: string; kind?: string }[]>('/local/outbox')).filter(
        (m) => m.to === phone && m.kind === 'text-auto-reply',
      );
    const replyOf = async (bookingId: string) =>
      (
        await api.get<{ bookingId: string; kind: string; triage: string; answers: { note?: string } }[]>(
          '/local/replies',
        )
      ).filter((r) => r.bookingId === bookingId);

    it('lists "I feel awful" for review, raises a staff alert on an urgent phrase, answers once a day', async () => {
      const phone = '+15550100811';
      const start = await nowPlus(2);
      await api.event('Booking Created', booking('texts-1', 1, start.toISO() ?? '', { phone }));
      // Past the same-day check-in, which went by SMS too.
      await api.advanceTo(start.plus({ hours: 7 }).toUTC().toISO() ?? '');
      expect((await textIn(phone, 'I feel awful')).outcome).toBe('review');
      expect(await replyOf('texts-1')).toEqual([
        expect.objectContaining({
          kind: 'text',
          triage: 'review',
          answers: { note: 'I feel awful', sideEffects: {}, wantsCall: false },
        }),
      ]);
      expect(await autoReplies(phone)).toHaveLength(1);

      expect((await textIn(phone, 'I want to kill myself')).outcome).toBe('urgent');
      // The stream's dispatch runs in-process right after the write: the alert is delivered moments later.
      let alerts: { bookingId: string; state: string }[] = [];
      for (let i = 0; i < 50 && alerts[0]?.state !== 'open'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        alerts = (await api.get<typeof alerts>('/local/alerts')).filter((a) => a.bookingId === 'texts-1');
      }
      expect(alerts).toEqual([expect.objectContaining({ state: 'open' })]);
      const staff = (await api.get<{ channel: string; text: string }[]>('/local/outbox')).filter(
        (m) => m.channel === 'staff' && m.text.includes('text message'),
      );
      expect(staff.length).toBeGreaterThan(0);
      // An urgent text gets the crisis lines again; an ordinary one the same day does not.
      expect(await autoReplies(phone)).toHaveLength(2);
      await textIn(phone, 'sorry, me again');
      expect(await autoReplies(phone)).toHaveLength(2);
      await api.advanceTo(start.plus({ days: 1, hours: 8 }).toUTC().toISO() ?? '');
      await textIn(phone, 'a day later');
      expect(await autoReplies(phone)).toHaveLength(3);
    });

    it('sends a phone that texted STOP no further SMS: its messages go by email, and the desk is told', async () => {
      const phone = '+15550100812';
      const start = await nowPlus(3);
      await api.event('Booking Created', booking('texts-stop', 1, start.toISO() ?? '', { phone }));
      // The day-before reminder went by SMS too; the patient answers it with STOP.
      await api.advanceTo(start.minus({ hours: 20 }).toUTC().toISO() ?? '');
      expect(
        (await api.outboxOf('texts-stop')).some((m) => m.kind === 'prep-reminder' && m.channel === 'sms'),
      ).toBe(true);
      expect((await textIn(phone, 'STOP')).outcome).toBe('opted-out');
      const notices = (await api.get<{ bookingId: string; reason: string }[]>('/local/notices')).filter(
        (n) => n.bookingId === 'texts-stop',
      );
      expect(notices.map((n) => n.reason)).toEqual(['sms-opted-out']);
      const before = (await api.outboxOf('texts-stop')).length;
      await api.advanceTo(start.plus({ hours: 7 }).toUTC().toISO() ?? '');
      const after = (await api.outboxOf('texts-stop')).slice(before);
      expect(after.filter((m) => m.channel === 'sms')).toEqual([]);
      expect(after.map((m) => `${m.kind}/${m.channel}`)).toEqual(
        expect.arrayContaining(['checkin-same-day/email']),
      );
      // The day-of text has no fallback: it is not sent at all.
      expect(after.some((m) => m.kind === 'prep-day-of')).toBe(false);
      // START puts the phone back on: the next text goes by SMS again.
      expect((await textIn(phone, 'START')).outcome).toBe('opted-in');
      await api.advanceTo(start.plus({ days: 1, hours: 8 }).toUTC().toISO() ?? '');
      expect(
        (await api.outboxOf('texts-stop')).some((m) => m.kind === 'checkin-next-day' && m.channel === 'sms'),
      ).toBe(true);
    });

    it('alerts staff to an urgent text from a number the clinic never texted', async () => {
      const stranger = '+15550100899';
      expect((await textIn(stranger, 'hi, this is my new number')).outcome).toBe('unmatched');
      expect((await textIn(stranger, 'I want to kill myself')).outcome).toBe('urgent');
      let alerts: { bookingId: string; state: string }[] = [];
      for (let i = 0; i < 50 && alerts[0]?.state !== 'open'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        alerts = (await api.get<typeof alerts>('/local/alerts')).filter((a) =>
          a.bookingId.startsWith('sender.'),
        );
      }
      expect(alerts).toEqual([expect.objectContaining({ state: 'open' })]);
      expect(await autoReplies(stranger)).toHaveLength(2);
    });

    it('records YES to the readiness question, and makes one notice when nobody answered by the deadline', async () => {
      const start = await nowPlus(2);
      const [yes, silent] = ['+15550100814', '+15550100815'];
      await api.event('Booking Created', booking('ready-yes', 1, start.toISO() ?? '', { phone: yes }));
      await api.event('Booking Created', booking('ready-silent', 1, start.toISO() ?? '', { phone: silent }));
      // The day-before reminder asks; one patient answers.
      await api.advanceTo(start.minus({ hours: 20 }).toUTC().toISO() ?? '');
      const reminder = (await api.outboxOf('ready-yes')).find(
        (m) => m.kind === 'prep-reminder' && m.channel === 'sms',
      );
      expect(reminder?.text).toMatch(/Reply YES or NO$/);
      expect((await textIn(yes, 'Yes')).outcome).toBe('readiness');
      // Past the deadline (3 hours before), and past the session.
      await api.advanceTo(start.plus({ hours: 1 }).toUTC().toISO() ?? '');
      const notices = await api.get<{ bookingId: string; reason: string }[]>('/local/notices');
      expect(notices.filter((n) => n.bookingId === 'ready-yes')).toEqual([]);
      expect(notices.filter((n) => n.bookingId === 'ready-silent').map((n) => n.reason)).toEqual([
        'readiness-missing',
      ]);
      const pending = await api.get<{ bookingId: string; kind: string }[]>('/local/schedules');
      expect(pending.some((s) => s.bookingId === 'ready-silent' && s.kind === 'readiness-deadline')).toBe(
        false,
      );
    });

    it("answers HELP with the carriers' text, as the number would, and names a bad field", async () => {
      const phone = '+15550100813';
      expect((await textIn(phone, 'HELP')).outcome).toBe('help');
      const help = (await api.get<{ to: string; kind?: string; text: string }[]>('/local/outbox')).filter(
        (m) => m.to === phone && m.kind === 'help-keyword',
      );
      expect(help[0]?.text).toContain('Reply STOP to opt out');
      expect((await textIn('friend', 'hi')).error).toMatch(/^from: /);
      expect((await api.post('/local/sms/inbound', { from: phone })).body.error).toMatch(/^body: /);
    });
  });

  describe('malformed events', () => {
    it('rejects an event with no contact, naming the field, and keeps it in the DLQ', async () => {
      const noContact = booking('bad-1', 1, '2026-12-20T10:00:00-05:00', {
        email: undefined,
        phone: undefined,
      });
      const { body } = await api.event('Booking Created', noContact);
      expect(body.results[0].status).toBe('rejected');
      expect(body.results[0].error).toContain('detail.patient.email');
      const dlq = await api.get<{ source: string; reason: string }[]>('/local/dlq');
      expect(dlq.some((d) => d.reason.includes('detail.patient.email'))).toBe(true);
    });

    it('rejects an unknown time zone, naming the field', async () => {
      const event = booking('bad-2', 1, '2026-12-20T10:00:00-05:00');
      event.session.timeZone = 'Mars/Olympus_Mons';
      const { body } = await api.event('Booking Created', event);
      expect(body.results).toEqual([
        { status: 'rejected', error: expect.stringContaining('detail.session.timeZone') },
      ]);
      expect(await api.schedulesOf('bad-2')).toEqual([]);
    });

    it('answers a body that is not JSON with 400 in the same shape', async () => {
      const { status, body } = await api.post('/local/events', '{"Source": "clinic.booking", ', true);
      expect(status).toBe(400);
      expect(body.results).toEqual([{ status: 'rejected', error: expect.stringContaining('JSON') }]);
      const dlq = await api.get<{ reason: string; detail?: unknown }[]>('/local/dlq');
      expect(
        dlq.some((d) => d.reason === 'body: not valid JSON' && String(d.detail).startsWith('{"Source"')),
      ).toBe(true);
    });

    it('rejects an entry over 256 KB and keeps it', async () => {
      const big = booking('bad-3', 1, '2026-12-20T10:00:00-05:00', { firstName: 'x'.repeat(300 * 1024) });
      const { body } = await api.event('Booking Created', big);
      expect(body.results).toEqual([{ status: 'rejected', error: expect.stringContaining('256 KB') }]);
      const dlq = await api.get<{ reason: string }[]>('/local/dlq');
      expect(dlq.some((d) => d.reason.includes('256 KB'))).toBe(true);
    });

    it('treats a non-JSON body sent with a form content type as not JSON', async () => {
      const res = await fetch(`${runtime.url}/local/events`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: '{"Source":',
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        results: [{ status: 'rejected', error: 'body: not valid JSON' }],
      });
    });
  });
});
