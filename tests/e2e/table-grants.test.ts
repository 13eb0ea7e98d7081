import { createHmac } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_NAMES, TABLE_ACCESS } from '../../infra/function-permissions';
import { DEFAULT_STAFF_PASSWORD, type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import type { TableCall } from '../../infra/local/table-calls';
import { runtimeClient } from '../harness/support';
import { signInOverHttp } from '../support/console-session';

/**
 * The IAM table of `infra/function-permissions.ts` against what the code
 * does: every function runs its paths through the local runtime (one
 * DynamoDB client per function, as on AWS) and each call is recorded as it
 * goes on the wire. A call the table does not grant would be AccessDenied
 * on AWS; a grant no call uses is privilege nobody needs.
 */
const ZONE = 'America/New_York';
const NOW = DateTime.fromISO('2026-06-01T10:00:00', { zone: ZONE });
let runtime: LocalRuntime;
const calls: TableCall[] = [];

type OutboxEntry = { bookingId: string; kind: string; channel: string; text: string; to: string };

// The harness's client: a fresh loopback connection per request.
const post = (path: string, body: unknown) => runtimeClient(runtime).postJson(path, body);
const get = <T>(path: string) => runtimeClient(runtime).getJson<T>(path);
const advanceTo = (at: DateTime) => post('/local/clock', { to: at.toUTC().toISO() });
const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

function bookingEvent(
  bookingId: string,
  version: number,
  startsAt: DateTime,
  email = 'kai@example.org',
  phone = '+15550100011',
  patientId = 'p-grants',
) {
  return {
    Source: 'clinic.booking',
    DetailType: version === 1 ? 'Booking Created' : 'Booking Rescheduled',
    Detail: {
      bookingId,
      version,
      session: { startsAt: startsAt.toISO(), durationMinutes: 60, timeZone: ZONE, treatment: 'iv-ketamine' },
      patient: { id: patientId, firstName: 'Kai', phone, ...(email ? { email } : {}) },
    },
  };
}

async function linkIn(bookingId: string, kind: string | undefined, prefix: 'c' | 'i' = 'c'): Promise<string> {
  const outbox = await get<OutboxEntry[]>('/local/outbox');
  const message = outbox.find(
    (m) =>
      m.bookingId === bookingId && (kind === undefined || m.kind === kind) && m.text.includes(`/${prefix}/`),
  );
  const link = message?.text.match(new RegExp(`/${prefix}/[A-Za-z0-9_-]+`))?.[0];
  if (!link) throw new Error(`no /${prefix}/ link in ${kind} of ${bookingId}`);
  return link;
}

/** Every path of every function the table speaks for: bookings, messages, replies, alerts, digest, console. */
async function runEveryFunction() {
  const start = NOW.plus({ days: 2 }).set({ hour: 9 });
  // booking-events: a booking, one moved and cancelled, one whose check-ins are due on arrival.
  await post('/local/events', bookingEvent('g-1', 1, start));
  await post('/local/events', bookingEvent('g-2', 1, start));
  await post('/local/events', bookingEvent('g-2', 2, start.plus({ hours: 1 })));
  await post('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Cancelled',
    Detail: { bookingId: 'g-2', version: 3 },
  });
  // Its week check-in fell due 10 minutes ago (within the grace period): it goes out while the event is processed.
  await post('/local/events', bookingEvent('g-late', 1, NOW.minus({ days: 7, minutes: 70 })));
  await post('/local/events', bookingEvent('g-soon', 1, NOW.plus({ hours: 2 })));
  // send-message: a series; the first session's week check-in is covered by the next session, so it is
  // skipped (and the skip recorded) when its schedule fires.
  await post(
    '/local/events',
    bookingEvent('g-series-1', 1, start, 'kai@example.org', '+15550100011', 'p-series'),
  );
  await post(
    '/local/events',
    bookingEvent('g-series-2', 1, start.plus({ days: 8 }), 'kai@example.org', '+15550100011', 'p-series'),
  );
  // Text messages only: the instructions go as a link.
  await post('/local/events', bookingEvent('g-sms', 1, start, ''));
  // record-delivery-events: instructions that bounce (the address is marked on its patient) go by SMS with a
  // link; a delivery report the bounce outranks; the text is blocked too: a front-desk notice.
  await post(
    '/local/events',
    bookingEvent('g-bounce', 1, start, 'gone@example.org', '+15550100013', 'p-gone'),
  );
  expect((await post('/local/email/events', { to: 'gone@example.org', type: 'bounce' })).status).toBe(200);
  expect((await post('/local/email/events', { to: 'gone@example.org', type: 'delivery' })).status).toBe(200);
  expect((await post('/local/sms/events', { to: '+15550100013', type: 'blocked' })).status).toBe(200);
  // The readiness form, before the session: no ride home is a front-desk notice, raised and emailed from the
  // check-in function.
  const instructions = await linkIn('g-sms', 'prep-instructions', 'i');
  const readiness = await fetch(runtime.url + instructions, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'rideHome=no&fasting=yes&newMedicine=no',
  });
  expect(readiness.status).toBe(200);

  // send-message and the check-in function: instructions, the form, replies (urgent, review, a joining urgent).
  await advanceTo(start.plus({ hours: 5, minutes: 1 }));
  await fetch(runtime.url + instructions);
  const sameDay = await linkIn('g-1', 'checkin-same-day');
  expect((await fetch(runtime.url + sameDay)).status).toBe(200);
  // dispatch-alerts: the first delivery fails, so the sweeper retries it.
  await post('/local/faults', { staff: 'fail' });
  expect((await post(sameDay, { mood: 2, selfHarm: 'yes', note: 'x' })).status).toBe(201);
  await settle();
  await post('/local/faults', { staff: 'ok' });
  await advanceTo(start.plus({ hours: 5, minutes: 3 }));
  expect(
    (await post(sameDay, { mood: 3, selfHarm: 'no', sideEffects: { headache: 'moderate' } })).status,
  ).toBe(201);
  expect((await post(sameDay, { mood: 1, selfHarm: 'yes', selfHarmNow: 'no' })).status).toBe(201);
  await settle();
  // receive-patient-texts: a text for review (auto-reply), two urgent ones (the second joins the first's alert),
  // STOP (marked on the patient, a front-desk notice) and START (the mark cleared).
  for (const body of ['I feel awful', 'I want to kill myself', 'I want to kill myself', 'STOP', 'START']) {
    expect((await post('/local/sms/inbound', { from: '+15550100011', body })).status, body).toBe(200);
    await settle();
  }
  // booking-events: a new phone for g-sms sends its current check-in again (and revokes the old link).
  await post('/local/events', bookingEvent('g-sms', 2, start, '', '+15550100012'));
  // handle-booking-hooks: a Cal.com booking, then its reschedule (an alias, the next version), and a FHIR one.
  const hook = (provider: string, body: unknown, headers: Record<string, string>) => {
    const raw = JSON.stringify(body);
    const signature = createHmac('sha256', 'local-calcom-secret').update(raw).digest('hex');
    return fetch(`${runtime.url}/hooks/${provider}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-cal-signature-256': signature, ...headers },
      body: raw,
    });
  };
  const calcom = (trigger: string, minute: number, uid: string, previous?: string) => ({
    triggerEvent: trigger,
    createdAt: NOW.plus({ minutes: minute }).toUTC().toISO(),
    payload: {
      uid,
      ...(previous ? { rescheduleUid: previous } : {}),
      type: 'ketamine-infusion',
      startTime: start.plus({ days: 3 }).toUTC().toISO(),
      endTime: start.plus({ days: 3, hours: 2 }).toUTC().toISO(),
      attendees: [{ name: 'Kai', email: 'kai.hook@example.org', timeZone: ZONE }],
    },
  });
  expect((await hook('calcom', calcom('BOOKING_CREATED', 1, 'g-cal'), {})).status).toBe(200);
  expect((await hook('calcom', calcom('BOOKING_RESCHEDULED', 2, 'g-cal-2', 'g-cal'), {})).status).toBe(200);
  const appointment = {
    resourceType: 'Appointment',
    id: 'g-fhir',
    status: 'booked',
    appointmentType: { coding: [{ code: 'kap' }] },
    start: start.plus({ days: 4 }).toUTC().toISO(),
    minutesDuration: 90,
    contained: [
      {
        resourceType: 'Patient',
        id: 'p',
        name: [{ given: ['Kai'] }],
        telecom: [{ system: 'email', value: 'kai.f@example.org' }],
      },
    ],
    participant: [{ actor: { reference: '#p' } }],
  };
  const bearer = { authorization: 'Bearer local-fhir-token' };
  expect((await hook('fhir', appointment, bearer)).status).toBe(200);
  expect((await hook('fhir', { ...appointment, status: 'fulfilled' }, bearer)).status).toBe(200);
  // Escalations, the next-day check-in (missed), the week check-in with screeners, digests on the way.
  await advanceTo(start.plus({ days: 7, hours: 10 }));
  const week = await linkIn('g-1', 'checkin-week');
  const weekly = { mood: 3, selfHarm: 'no', phq9: [2, 2, 2, 2, 2, 2, 2, 2, 0], gad7: [1, 1, 1, 1, 1, 1, 1] };
  expect((await post(week, weekly)).status).toBe(201);
  // record-delivery-events: a week check-in that bounces goes by SMS, once the day lists say no session covers it.
  expect(
    JSON.parse((await post('/local/email/events', { to: 'gone@example.org', type: 'bounce' })).text),
  ).toMatchObject({
    followUp: { type: 'fell-back', channel: 'sms' },
  });
  await advanceTo(start.plus({ days: 9 }));

  // The console: every page, acknowledge and close, mark reviewed, the audit, sign-out.
  const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
  const staff = (await get<OutboxEntry[]>('/local/outbox')).find((m) => m.text.includes('/console/alerts/'));
  const alertPath = staff?.text.match(/\/console\/alerts\/[A-Za-z0-9_.:-]+/)?.[0] ?? '';
  for (const path of [
    '/console/alerts',
    '/console/today',
    alertPath,
    '/console/patients/p-grants',
    '/console/outcomes',
  ]) {
    expect((await clinician.get(path)).status, path).toBe(200);
    // A session seen a minute ago is touched (its idle timeout starts again).
    await advanceTo(DateTime.fromISO((await get<{ now: string }>('/local/clock')).now).plus({ minutes: 2 }));
  }
  const alert = await clinician.get(alertPath);
  expect((await clinician.postForm(`${alertPath}/acknowledge`, {}, alert.text)).status).toBe(303);
  const closing = { reached: 'yes', safe: 'yes', plan: 'Seen tomorrow' };
  expect((await clinician.postForm(`${alertPath}/close`, closing, alert.text)).status).toBe(303);
  const review = await clinician.get('/console/review');
  const replyPage = review.text.match(/href="(\/console\/replies\/[^"]+)"/)?.[1] ?? '';
  expect((await clinician.get(replyPage)).status).toBe(200);
  const marks = [...review.text.matchAll(/action="(\/console\/(?:replies|missed)\/[^"]+\/reviewed)"/g)];
  expect(marks.map((m) => m[1]?.split('/')[2])).toEqual(expect.arrayContaining(['replies', 'missed']));
  for (const [, action] of marks)
    expect((await clinician.postForm(action ?? '', {}, review.text)).status, action).toBe(303);
  const admin = await signInOverHttp(runtime.url, 'admin@example.org', DEFAULT_STAFF_PASSWORD);
  const audit = await admin.get('/console/audit');
  expect(audit.status).toBe(200);
  expect((await admin.postForm('/console/sign-out', {}, audit.text)).status).toBe(303);
}

/** `fn action partition#` or `fn Query index`, as the table grants them. */
const grantOf = (call: TableCall) =>
  `${call.fn} ${call.action} ${call.index ?? `${call.partition?.split('#')[0] ?? '(none)'}#`}`;

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  runtime = await startLocalRuntime({
    port: 0,
    clockStart: NOW.toUTC().toISO() ?? '',
    demo: false,
    onTableCall: (call) => calls.push(call),
  });
  await runEveryFunction();
}, 60_000);
afterAll(() => runtime.close());

describe('the per-function table grants', () => {
  const granted = new Set(
    FUNCTION_NAMES.flatMap((fn) => [
      ...TABLE_ACCESS[fn].items.flatMap((g) => g.actions.map((action) => `${fn} ${action} ${g.partition}`)),
      ...TABLE_ACCESS[fn].queryIndexes.map((index) => `${fn} Query ${index}`),
    ]),
  );

  it('cover every call each function makes', () => {
    const used = calls.filter((call) => call.fn !== 'local').map(grantOf);
    expect(used.length).toBeGreaterThan(100);
    expect([...new Set(used.filter((grant) => !granted.has(grant)))]).toEqual([]);
  });

  it('hold nothing no call uses', () => {
    const used = new Set(calls.map(grantOf));
    expect([...granted].filter((grant) => !used.has(grant))).toEqual([]);
  });

  it('record calls from every function that has table access', () => {
    const withTable = FUNCTION_NAMES.filter((fn) => TABLE_ACCESS[fn].items.length > 0);
    expect(withTable).toHaveLength(10);
    expect(new Set(calls.map((call) => call.fn))).toEqual(new Set([...withTable, 'local']));
  });
});
