import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAFF_PASSWORD, type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { signInOverHttp } from '../support/console-session';

type OutboxEntry = {
  channel: string;
  to: string;
  topic?: string;
  kind?: string;
  bookingId?: string;
  subject?: string;
  text: string;
  at: string;
};
type Alert = { alertId: string; bookingId: string; state: string; createdAt: string; escalations: number };

let runtime: LocalRuntime;
const ZONE = 'America/New_York';

const post = async (path: string, body: unknown) => {
  const res = await fetch(runtime.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const get = async <T>(path: string): Promise<T> => (await fetch(runtime.url + path)).json() as Promise<T>;
const now = async () => (await get<{ now: string }>('/local/clock')).now;
const staffMessages = async (alertId: string) =>
  (await get<OutboxEntry[]>('/local/outbox')).filter(
    (m) => m.channel === 'staff' && m.text.includes(alertId),
  );
const alertOf = async (bookingId: string) =>
  (await get<Alert[]>('/local/alerts')).filter((a) => a.bookingId === bookingId);

/** A booking whose same-day check-in link has been sent; answers the link's path. */
async function checkinLink(bookingId: string): Promise<string> {
  const start = DateTime.fromISO(await now())
    .setZone(ZONE)
    .plus({ days: 1 })
    .set({ hour: 9, minute: 0 });
  await post('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Created',
    Detail: {
      bookingId,
      version: 1,
      session: { startsAt: start.toISO(), durationMinutes: 60, timeZone: ZONE, treatment: 'iv-ketamine' },
      patient: { id: `p-${bookingId}`, firstName: 'Kai', email: 'kai@example.org', phone: '+15550100011' },
    },
  });
  await post('/local/clock', { to: start.plus({ hours: 5, minutes: 1 }).toUTC().toISO() });
  const outbox = await get<OutboxEntry[]>('/local/outbox');
  const message = outbox.find(
    (m) => m.bookingId === bookingId && m.kind === 'checkin-same-day' && m.channel === 'email',
  );
  const link = message?.text.match(/\/c\/[A-Za-z0-9_-]+/)?.[0];
  if (!link) throw new Error(`no check-in link for ${bookingId}`);
  return link;
}

async function urgentReply(bookingId: string) {
  const res = await post(await checkinLink(bookingId), {
    mood: 2,
    selfHarm: 'yes',
    note: 'Ann Example, 555-0100',
  });
  expect(res.status).toBe(201);
  return res.body;
}

/** Waits (real time) for the in-process dispatch that plays the table's stream. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  runtime = await startLocalRuntime({ port: 0, clockStart: '2026-06-01T14:00:00Z', demo: false });
});
afterAll(() => runtime.close());

describe('staff alerts through the local runtime', () => {
  it('puts exactly one staff alert in the outbox within the same clock minute, without patient data', async () => {
    await urgentReply('al-1');
    const [alert] = await eventually(
      () => alertOf('al-1'),
      (alerts) => alerts[0]?.state === 'open',
    );
    expect(alert?.state).toBe('open');
    const messages = await staffMessages(alert?.alertId ?? '');
    // One entry per recipient (DESIGN section 6): the local config has one on-call address.
    expect(messages).toHaveLength(1);
    // Each outbox entry carries its delivery status (DESIGN section 6): taken by the channel, nothing more yet.
    expect(messages[0]).toMatchObject({
      to: 'on-call@example-clinic.org',
      topic: 'alerts',
      delivery: 'sent',
    });
    expect(messages[0]?.at.slice(0, 16)).toBe(alert?.createdAt.slice(0, 16));
    // The booking's opaque surrogate, never the booking system's id.
    expect(messages[0]?.text).toMatch(/Booking bk_[A-Za-z0-9_-]{12}/);
    expect(messages[0]?.text).not.toContain('al-1');
    // A console link: an address that shows nothing without sign-in, never a credential.
    expect(messages[0]?.text).toContain(`${runtime.url}/console/alerts/${alert?.alertId}`);
    expect(messages[0]?.text).not.toMatch(/\/a\/[A-Za-z0-9_-]{33}/);
    expect(`${messages[0]?.subject} ${messages[0]?.text}`).not.toMatch(
      /Kai|Ann Example|555-0100|self-harm|ketamine/i,
    );
  });

  it('escalates an unacknowledged alert after 15 minutes, then every 30 minutes, at most 4 times', async () => {
    await urgentReply('al-2');
    const [alert] = await eventually(
      () => alertOf('al-2'),
      (alerts) => alerts[0]?.state === 'open',
    );
    const created = DateTime.fromISO(alert?.createdAt ?? '');
    await post('/local/clock', { to: created.plus({ hours: 4 }).toUTC().toISO() });
    const escalations = (await staffMessages(alert?.alertId ?? '')).filter((m) => m.topic === 'escalation');
    expect(
      escalations.map((m) => Math.round(DateTime.fromISO(m.at).diff(created, 'minutes').minutes)),
    ).toEqual([15, 45, 75, 105]);
    expect((await alertOf('al-2'))[0]).toMatchObject({ state: 'escalated', escalations: 4 });
  });

  it('never escalates an alert acknowledged in the console, and a second acknowledgement shows who was first', async () => {
    await urgentReply('al-3');
    const [alert] = await eventually(
      () => alertOf('al-3'),
      (alerts) => alerts[0]?.state === 'open',
    );
    const [message] = await staffMessages(alert?.alertId ?? '');
    const alertPath = message?.text.match(/\/console\/alerts\/[A-Za-z0-9_.:-]+/)?.[0] ?? '';
    expect((await fetch(runtime.url + alertPath, { redirect: 'manual' })).status).toBe(303);

    const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
    const page = await clinician.get(alertPath);
    expect(page.status).toBe(200);
    expect(page.text).toContain('Kai');
    expect(page.text).toContain('tel:+15550100011');
    expect(page.text).not.toContain('<script');

    const first = await clinician.postForm(`${alertPath}/acknowledge`, {}, page.text);
    expect(first).toMatchObject({ status: 303, location: `${alertPath}?done=acknowledged` });
    expect((await alertOf('al-3'))[0]).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'Casey Clinician',
    });
    const second = await clinician.postForm(`${alertPath}/acknowledge`, {}, page.text);
    expect(second.location).toBe(`${alertPath}?done=already-acknowledged`);
    expect((await clinician.get(second.location ?? '')).text).toContain(
      'Someone else acknowledged this alert first',
    );

    expect(
      (await get<{ alertId?: string }[]>('/local/schedules')).some((s) => s.alertId === alert?.alertId),
    ).toBe(false);
    await post('/local/clock', { advance: 'PT3H' });
    expect((await staffMessages(alert?.alertId ?? '')).filter((m) => m.topic === 'escalation')).toEqual([]);
  });

  it('shows the crisis page at once while the staff channels fail, and delivers the alert exactly once after', async () => {
    await post('/local/faults', { staff: 'fail' });
    const started = Date.now();
    const reply = await urgentReply('al-4');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(reply.crisisResources).toBeDefined();
    await post('/local/clock', { advance: 'PT5M' });
    const [pending] = await alertOf('al-4');
    expect(pending?.state).toBe('pending');

    await post('/local/faults', { staff: 'ok' });
    await post('/local/clock', { advance: 'PT2M' });
    const [alert] = await alertOf('al-4');
    expect(alert?.state).toBe('open');
    expect((await staffMessages(alert?.alertId ?? '')).filter((m) => m.topic === 'alerts')).toHaveLength(1);
  });

  it('loses and duplicates nothing when the staff channels fail many times in a row', async () => {
    const links = [];
    for (const id of ['al-5a', 'al-5b', 'al-5c']) links.push(await checkinLink(id));
    await post('/local/faults', { staff: 'fail' });
    for (const link of links) expect((await post(link, { mood: 1, selfHarm: 'yes' })).status).toBe(201);
    // Thirty failed sweeps, one a minute: nothing reached anyone, and the escalation went on at its time
    // (15 minutes) instead of waiting for the first alert's copies.
    await post('/local/clock', { advance: 'PT30M' });
    for (const id of ['al-5a', 'al-5b', 'al-5c']) {
      const [alert] = await alertOf(id);
      expect(alert).toMatchObject({ state: 'escalated', escalations: 1 });
      expect(await staffMessages(alert?.alertId ?? '')).toEqual([]);
    }
    await post('/local/faults', { staff: 'ok' });
    await post('/local/clock', { advance: 'PT1M' });
    for (const id of ['al-5a', 'al-5b', 'al-5c']) {
      const [alert] = await alertOf(id);
      const messages = await staffMessages(alert?.alertId ?? '');
      // Every recipient's copy of each step, once.
      expect(messages.map((m) => `${m.topic} ${m.to}`).sort()).toEqual([
        'alerts on-call@example-clinic.org',
        'escalation clinical-lead@example-clinic.org',
      ]);
    }
  });
});

describe('one staff recipient refusing, through the local runtime', () => {
  it('keeps the alert pending and retried for that recipient alone, and escalates on time meanwhile', async () => {
    const fault = await post('/local/faults', { staff: 'fail', to: 'on-call@example-clinic.org' });
    expect(fault.body).toMatchObject({ failingStaff: ['on-call@example-clinic.org'] });
    try {
      await urgentReply('al-6');
      await post('/local/clock', { advance: 'PT16M' });
      const [alert] = await alertOf('al-6');
      expect(alert).toMatchObject({ state: 'escalated', escalations: 1 });
      expect((await staffMessages(alert?.alertId ?? '')).map((m) => `${m.topic} ${m.to}`)).toEqual([
        'escalation clinical-lead@example-clinic.org',
      ]);
    } finally {
      await post('/local/faults', { staff: 'ok', to: 'on-call@example-clinic.org' });
    }
    await post('/local/clock', { advance: 'PT1M' });
    const [alert] = await alertOf('al-6');
    expect((await staffMessages(alert?.alertId ?? '')).map((m) => `${m.topic} ${m.to}`)).toEqual([
      'escalation clinical-lead@example-clinic.org',
      'alerts on-call@example-clinic.org',
    ]);
  });

  it('names the field of a bad fault request', async () => {
    expect(await post('/local/faults', { staff: 'fail', to: '' })).toMatchObject({
      status: 400,
      body: { error: 'to: must be one address or phone' },
    });
  });
});

describe('review digest through the local runtime', () => {
  it('puts a review reply in the next daily digest once, and never again', async () => {
    const link = await checkinLink('rv-1');
    const res = await post(link, { mood: 3, selfHarm: 'no', sideEffects: { headache: 'moderate' } });
    expect(res.body.triage).toBe('review');
    const digests = async () =>
      (await get<OutboxEntry[]>('/local/outbox')).filter(
        (m) => m.channel === 'email' && m.kind === 'review-digest',
      );
    const before = (await digests()).length;

    // The digest goes at 08:00 in the clinic's zone: the next one carries the reply.
    await post('/local/clock', { advance: 'P1D' });
    const after = await digests();
    const withReply = after.slice(before).filter((d) => d.text.includes('rv-1'));
    expect(withReply).toHaveLength(1);
    expect(
      DateTime.fromISO(withReply[0]?.at ?? '')
        .setZone('America/New_York')
        .toFormat('HH:mm'),
    ).toBe('08:00');
    expect(withReply[0]?.to).toBe('care-team@example-clinic.org');
    expect(withReply[0]?.text).not.toMatch(/Kai|headache/i);
    const pagePath =
      withReply[0]?.text.match(/\/console\/replies\/[A-Za-z0-9_.:-]+\/[A-Za-z0-9_.:-]+/)?.[0] ?? '';
    expect((await fetch(runtime.url + pagePath, { redirect: 'manual' })).status).toBe(303);
    const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
    const page = await clinician.get(pagePath);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/headache/i);

    // Two more days: the reply is never listed again (later digests carry only missed check-ins).
    await post('/local/clock', { advance: 'P2D' });
    for (const later of (await digests()).slice(after.length)) {
      expect(later.text).not.toContain(pagePath);
      expect(later.text).not.toContain('Replies to review');
    }
  });
});
