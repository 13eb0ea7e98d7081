import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';

type Schedule = { bookingId: string; kind: string; at: string };
type Sent = { channel: string; to: string; kind?: string; bookingId?: string; subject?: string };

const ZONE = 'America/New_York';
const CALCOM_SECRET = 'local-calcom-secret';
const FHIR_TOKEN = 'local-fhir-token';
let runtime: LocalRuntime;

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  // Tuesday 20 Oct 2026, 10:00 in New York; the sessions are a week later.
  runtime = await startLocalRuntime({
    port: 0,
    clockStart: '2026-10-20T14:00:00Z',
    demo: false,
    throttle: false,
  });
});
afterAll(() => runtime.close());

const get = async <T>(path: string): Promise<T> => (await fetch(runtime.url + path)).json() as Promise<T>;
const post = async (path: string, body: string, headers: Record<string, string>) => {
  const res = await fetch(runtime.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  // biome-ignore lint/suspicious/noExplicitAny: test client reads loosely typed JSON answers
  return { status: res.status, body: (await res.json()) as any };
};

/** What a booking has planned, without its id: two bookings planned alike compare equal. */
const planOf = async (bookingId: string) =>
  (await get<Schedule[]>('/local/schedules'))
    .filter((s) => s.bookingId === bookingId)
    .map(({ kind, at }) => ({ kind, at }));
const sentTo = async (bookingId: string) =>
  (await get<Sent[]>('/local/outbox'))
    .filter((m) => m.bookingId === bookingId)
    .map((m) => `${m.channel} ${m.kind}: ${m.subject ?? ''}`);
/** Everything the local runtime shows: what a refused or repeated delivery must leave as it was. */
const everything = async () => ({
  schedules: await get<Schedule[]>('/local/schedules'),
  outbox: await get<Sent[]>('/local/outbox'),
  dlq: await get<unknown[]>('/local/dlq'),
});

/** The same booking put on the bus directly, as a booking system on the event contract would. */
const putEvent = (detailType: string, detail: Record<string, unknown>) =>
  post(
    '/local/events',
    JSON.stringify({ Source: 'clinic.booking', DetailType: detailType, Detail: detail }),
    {},
  );

function calcom(trigger: string, minute: number, payload: Record<string, unknown>) {
  return JSON.stringify({
    triggerEvent: trigger,
    createdAt: new Date(Date.UTC(2026, 9, 20, 14, minute)).toISOString(),
    payload: {
      type: 'ketamine-infusion',
      organizer: { timeZone: ZONE },
      location: 'Room 2',
      ...payload,
    },
  });
}
const sign = (body: string, secret = CALCOM_SECRET) =>
  createHmac('sha256', secret).update(body).digest('hex');
const toCalcom = (body: string, signature = sign(body)) =>
  post('/hooks/calcom', body, { 'x-cal-signature-256': signature });

const attendee = (n: number) => ({
  name: 'Ana Ruiz',
  email: `ana${n}@example.org`,
  phoneNumber: `+1555010${String(n).padStart(4, '0')}`,
  timeZone: ZONE,
  language: { locale: 'en' },
});
/** The event-contract twin of a Cal.com booking: the same session and patient (other contacts, for the SMS cap). */
const twin = (bookingId: string, version: number, startsAt: string, n: number) => ({
  bookingId,
  version,
  session: { startsAt, durationMinutes: 120, timeZone: ZONE, treatment: 'iv-ketamine', location: 'Room 2' },
  patient: {
    id: `twin-${n}`,
    firstName: 'Ana',
    email: `ana${n}@example.org`,
    phone: `+1555010${String(n).padStart(4, '0')}`,
    language: 'en',
    timeZone: ZONE,
  },
});

describe('Cal.com webhooks through the local runtime', () => {
  const start = '2026-10-27T15:00:00.000Z';
  const moved = '2026-10-29T17:00:00.000Z';
  const created = calcom('BOOKING_CREATED', 0, {
    uid: 'cal-1',
    startTime: start,
    endTime: '2026-10-27T17:00:00.000Z',
    attendees: [attendee(1)],
  });

  it('plans a signed BOOKING_CREATED exactly as the equivalent Booking Created', async () => {
    expect(await toCalcom(created)).toEqual({ status: 200, body: { bookingId: 'calcom:cal-1', version: 1 } });
    await putEvent('Booking Created', twin('twin-cal-1', 1, start, 2));
    const plan = await planOf('calcom:cal-1');
    expect(plan.length).toBeGreaterThan(3);
    expect(plan).toEqual(await planOf('twin-cal-1'));
    // The instructions went out at once, as for the twin.
    expect(await sentTo('calcom:cal-1')).toEqual(await sentTo('twin-cal-1'));
    expect(await sentTo('calcom:cal-1')).toContain(
      'email prep-instructions: Ana, how to prepare for your appointment at Riverside Clinic',
    );
  });

  it('changes nothing on a wrong signature (401) or a repeated delivery', async () => {
    const before = await everything();
    const forged = await toCalcom(created.replace('2026-10-27T15', '2026-10-28T15'), sign(created));
    expect(forged.status).toBe(401);
    expect((await toCalcom(created, sign(created, 'another-secret'))).status).toBe(401);
    expect((await post('/hooks/calcom', created, {})).status).toBe(401);
    expect(await toCalcom(created)).toEqual({ status: 200, body: { bookingId: 'calcom:cal-1', version: 1 } });
    expect(await everything()).toEqual(before);
  });

  it('moves the schedules on BOOKING_RESCHEDULED (a new uid tied by rescheduleUid), as a Booking Rescheduled', async () => {
    const rescheduled = calcom('BOOKING_RESCHEDULED', 5, {
      uid: 'cal-1b',
      rescheduleUid: 'cal-1',
      startTime: moved,
      endTime: '2026-10-29T19:00:00.000Z',
      attendees: [attendee(1)],
    });
    expect(await toCalcom(rescheduled)).toEqual({
      status: 200,
      body: { bookingId: 'calcom:cal-1', version: 2 },
    });
    await putEvent('Booking Rescheduled', twin('twin-cal-1', 2, moved, 2));
    const plan = await planOf('calcom:cal-1');
    expect(plan.find((s) => s.kind === 'checkin-same-day')?.at.slice(0, 10)).toBe('2026-10-29');
    expect(plan).toEqual(await planOf('twin-cal-1'));
  });

  it('ignores a late delivery of the first booking (older than the reschedule)', async () => {
    const before = await everything();
    const late = calcom('BOOKING_CREATED', 1, {
      uid: 'cal-1',
      startTime: start,
      endTime: '2026-10-27T17:00:00.000Z',
      attendees: [attendee(1)],
    });
    expect((await toCalcom(late)).body).toMatchObject({ ignored: 'older than the last delivery' });
    expect(await everything()).toEqual(before);
  });

  it('removes them on BOOKING_CANCELLED of the new uid', async () => {
    const cancelled = calcom('BOOKING_CANCELLED', 9, { uid: 'cal-1b', cancellationReason: 'Feeling better' });
    expect(await toCalcom(cancelled)).toEqual({
      status: 200,
      body: { bookingId: 'calcom:cal-1', version: 3 },
    });
    expect(await planOf('calcom:cal-1')).toEqual([]);
  });

  it('answers a PING 200 and keeps an unmappable delivery with its field (422)', async () => {
    const ping = calcom('PING', 0, { uid: 'ping' });
    expect(await toCalcom(ping)).toEqual({ status: 200, body: { ignored: 'PING' } });
    const unknownType = calcom('BOOKING_CREATED', 0, {
      uid: 'cal-2',
      type: 'intro-call',
      startTime: start,
      attendees: [attendee(3)],
    });
    const answer = await toCalcom(unknownType);
    expect(answer.status).toBe(422);
    expect(answer.body.errors[0].field).toBe('payload.type');
    const kept = await get<{ source: string; reason: string }[]>('/local/dlq');
    expect(kept.at(-1)).toMatchObject({
      source: 'hooks/calcom',
      reason: expect.stringContaining('payload.type'),
    });
    expect(await planOf('calcom:cal-2')).toEqual([]);
  });

  it("keeps the webhooks' booking ids to the webhooks, and the webhooks' source to their ids", async () => {
    const booking = twin('calcom:cal-1', 9, '2026-10-30T15:00:00.000Z', 4);
    const forged = await putEvent('Booking Rescheduled', booking);
    expect(forged.body.results[0]).toMatchObject({
      status: 'rejected',
      error: 'detail.bookingId: must not start with calcom: or fhir:, which belong to the booking webhooks',
    });
    const wrongSource = await post(
      '/local/events',
      JSON.stringify({
        Source: 'clinic.booking-hooks',
        DetailType: 'Booking Created',
        Detail: twin('bk-77', 1, '2026-10-30T15:00:00.000Z', 4),
      }),
      {},
    );
    expect(wrongSource.body.results[0].error).toContain('detail.bookingId: must start with calcom: or fhir:');
    expect(await planOf('calcom:cal-1')).toEqual([]);
  });

  it('refuses other methods and providers', async () => {
    expect((await fetch(`${runtime.url}/hooks/calcom`)).status).toBe(404);
    expect((await post('/hooks/acuity', '{}', {})).status).toBe(404);
  });
});

describe('FHIR Appointments through the local runtime', () => {
  const start = '2026-10-28T14:00:00Z';
  const appointment = (status: string, lastUpdated: string) => ({
    resourceType: 'Appointment',
    id: 'appt-7',
    meta: { lastUpdated },
    status,
    serviceType: [{ coding: [{ system: 'http://clinic.example.org/services', code: 'ketamine-iv' }] }],
    start,
    end: '2026-10-28T16:00:00Z',
    contained: [
      {
        resourceType: 'Patient',
        id: 'pat',
        name: [{ given: ['Ana'], family: 'Ruiz' }],
        telecom: [
          { system: 'email', value: 'ana5@example.org' },
          { system: 'phone', value: '+15550100005', use: 'mobile' },
        ],
      },
    ],
    participant: [{ actor: { reference: '#pat' }, status: 'accepted' }],
  });
  const toFhir = (body: unknown, token = FHIR_TOKEN) =>
    post('/hooks/fhir', JSON.stringify(body), {
      'content-type': 'application/fhir+json',
      authorization: `Bearer ${token}`,
    });
  /** FHIR carries no place: the twin has none either. */
  const twinOf = (version: number) => {
    const { session, ...rest } = twin('twin-fhir-7', version, '2026-10-28T14:00:00.000Z', 6);
    const { location: _place, ...withoutPlace } = session;
    return { ...rest, session: withoutPlace };
  };

  it('plans a booked Appointment as the equivalent Booking Created', async () => {
    const answer = await toFhir(appointment('booked', '2026-10-20T13:00:00Z'));
    expect(answer).toEqual({
      status: 200,
      body: { results: [{ appointmentId: 'appt-7', bookingId: 'fhir:local:appt-7', version: 1 }] },
    });
    await putEvent('Booking Created', twinOf(1));
    const plan = await planOf('fhir:local:appt-7');
    expect(plan.length).toBeGreaterThan(3);
    expect(plan).toEqual(await planOf('twin-fhir-7'));
  });

  it('changes nothing on a wrong or missing token (401) or the same post again', async () => {
    const before = await everything();
    expect((await toFhir(appointment('cancelled', '2026-10-20T13:30:00Z'), 'not-the-token')).status).toBe(
      401,
    );
    expect(
      (await post('/hooks/fhir', JSON.stringify(appointment('cancelled', '2026-10-20T13:30:00Z')), {}))
        .status,
    ).toBe(401);
    expect((await toFhir(appointment('booked', '2026-10-20T13:00:00Z'))).body.results[0].version).toBe(1);
    expect(await everything()).toEqual(before);
  });

  it('answers statuses it does not use 200, changing nothing', async () => {
    const before = await everything();
    const answer = await toFhir(appointment('arrived', '2026-10-20T13:40:00Z'));
    expect(answer).toEqual({
      status: 200,
      body: { results: [{ appointmentId: 'appt-7', ignored: 'arrived' }] },
    });
    expect(await everything()).toEqual(before);
  });

  it('removes the schedules when the Appointment is cancelled', async () => {
    const answer = await toFhir({
      resourceType: 'Bundle',
      type: 'history',
      timestamp: '2026-10-20T14:00:00Z',
      entry: [{ resource: { ...appointment('cancelled', '2026-10-20T13:50:00Z') } }],
    });
    expect(answer.body.results).toEqual([
      { appointmentId: 'appt-7', bookingId: 'fhir:local:appt-7', version: 2 },
    ]);
    expect(await planOf('fhir:local:appt-7')).toEqual([]);
  });
});
