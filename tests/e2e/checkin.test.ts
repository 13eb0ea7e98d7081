import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { TRIAGE_TABLE } from '../support/triage-table';

type OutboxEntry = { channel: string; kind: string; bookingId: string; text: string; at: string };
type Reply = {
  replyId: string;
  bookingId: string;
  kind: string;
  triage: string;
  rules: string[];
  answers: unknown;
};

let runtime: LocalRuntime;
const ZONE = 'America/Chicago';

async function post(path: string, body: unknown, contentType = 'application/json') {
  const res = await fetch(runtime.url + path, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

const getJson = async <T>(path: string): Promise<T> => (await fetch(runtime.url + path)).json() as Promise<T>;

/** The check-in link the patient got for a kind, read from the outbox like a patient reads their email. */
async function linkFor(bookingId: string, kind: string): Promise<string> {
  const outbox = await getJson<OutboxEntry[]>('/local/outbox');
  const message = outbox.find((m) => m.bookingId === bookingId && m.kind === kind);
  const link = message?.text.match(/http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_-]+/)?.[0];
  if (!link) throw new Error(`no ${kind} link for ${bookingId}`);
  return new URL(link).pathname;
}

async function bookAndRunPastCheckins(bookingId: string, language: 'en' | 'es' = 'en') {
  const now = (await getJson<{ now: string }>('/local/clock')).now;
  const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 2 }).set({ hour: 9, minute: 0 });
  await post('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Created',
    Detail: {
      bookingId,
      version: 1,
      session: { startsAt: start.toISO(), durationMinutes: 60, timeZone: ZONE, treatment: 'im-ketamine' },
      patient: {
        id: `p-${bookingId}`,
        firstName: 'Lee',
        email: 'lee@example.org',
        phone: '+15550100009',
        language,
      },
    },
  });
  // Just past the week check-in, while the same-day link (7 days valid) still works.
  await post('/local/clock', { to: start.plus({ days: 7, hours: 2 }).toUTC().toISO() });
}

const routine = { mood: 7, sideEffects: { nausea: 'mild' }, selfHarm: 'no' };

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  runtime = await startLocalRuntime({ port: 0, clockStart: '2026-04-06T15:00:00Z', demo: false });
  await bookAndRunPastCheckins('ci-1');
});
afterAll(() => runtime.close());

describe('check-in links through the local runtime', () => {
  it('opens the form from the link in the outbox', async () => {
    const path = await linkFor('ci-1', 'checkin-next-day');
    const res = await fetch(runtime.url + path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const html = await res.text();
    expect(html).toContain('<form');
    expect(html).toContain('name="selfHarm"');
  });

  it.each([
    ['routine', routine, 'routine'],
    ['review', { mood: 2, sideEffects: { headache: 'moderate' }, selfHarm: 'no' }, 'review'],
    ['urgent', { mood: 5, sideEffects: {}, selfHarm: 'yes', note: 'hard night' }, 'urgent'],
  ])('stores a %s JSON reply with its triage, visible in /local/replies', async (_name, answers, level) => {
    const path = await linkFor('ci-1', 'checkin-same-day');
    const res = await post(path, answers);
    expect(res.status).toBe(201);
    const body = JSON.parse(res.text) as {
      replyId: string;
      triage: string;
      rules: string[];
      crisisResources?: unknown[];
    };
    expect(body.triage).toBe(level);
    const stored = (await getJson<Reply[]>('/local/replies')).find((r) => r.replyId === body.replyId);
    expect(stored).toMatchObject({
      bookingId: 'ci-1',
      kind: 'checkin-same-day',
      triage: level,
      rules: body.rules,
    });
    expect(stored?.answers).toMatchObject(answers);
  });

  it('answers an urgent reply with crisis resources including 911 and 988', async () => {
    const res = await post(await linkFor('ci-1', 'checkin-week'), { mood: 1, selfHarm: 'yes' });
    const body = JSON.parse(res.text) as {
      triage: string;
      crisisResources: { phone?: string; sms?: string }[];
    };
    expect(body.triage).toBe('urgent');
    const numbers = body.crisisResources.flatMap((r) => [r.phone, r.sms]);
    expect(numbers).toContain('911');
    expect(numbers).toContain('988');
  });

  it('answers 400 naming each bad field', async () => {
    const res = await post(await linkFor('ci-1', 'checkin-same-day'), {
      mood: 11,
      sideEffects: { nausea: 'awful' },
    });
    expect(res.status).toBe(400);
    const fields = (JSON.parse(res.text) as { errors: { field: string }[] }).errors.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['mood', 'sideEffects.nausea', 'selfHarm']));
  });

  it('keeps every reply: a correction through the same link is a new reply', async () => {
    const path = await linkFor('ci-1', 'checkin-next-day');
    const before = (await getJson<Reply[]>('/local/replies')).length;
    await post(path, routine);
    await post(path, { ...routine, mood: 6 });
    expect((await getJson<Reply[]>('/local/replies')).length).toBe(before + 2);
  });

  it('refuses a tampered link with 403 and a page, not a stack trace', async () => {
    const path = await linkFor('ci-1', 'checkin-next-day');
    const last = path.at(-1) === 'A' ? 'B' : 'A';
    const res = await fetch(runtime.url + path.slice(0, -1) + last);
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain('<html');
    expect(html).not.toMatch(/Error:|at .*\.ts:\d+/);
    const json = await post(path.slice(0, -1) + last, routine);
    expect(json.status).toBe(403);
  });

  it('refuses an expired link with 410 and says how to reach the clinic', async () => {
    await bookAndRunPastCheckins('ci-old');
    const path = await linkFor('ci-old', 'checkin-same-day');
    await post('/local/clock', { advance: 'P8D' });
    const res = await fetch(runtime.url + path);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain('555');
  });

  it('serves the full instructions behind an SMS-only patient link', async () => {
    const now = (await getJson<{ now: string }>('/local/clock')).now;
    const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 3 }).set({ hour: 9, minute: 0 });
    await post('/local/events', {
      Source: 'clinic.booking',
      DetailType: 'Booking Created',
      Detail: {
        bookingId: 'sms-only-1',
        version: 1,
        session: {
          startsAt: start.toISO(),
          durationMinutes: 60,
          timeZone: ZONE,
          treatment: 'esketamine-nasal',
        },
        patient: { id: 'p-sms', firstName: 'Sol', phone: '+15550100010', language: 'es' },
      },
    });
    const outbox = await getJson<OutboxEntry[]>('/local/outbox');
    const sms = outbox.find((m) => m.bookingId === 'sms-only-1' && m.kind === 'prep-instructions');
    expect(sms?.channel).toBe('sms');
    const link = sms?.text.match(/http:\/\/127\.0\.0\.1:\d+\/i\/[A-Za-z0-9_-]+/)?.[0] ?? '';
    const res = await fetch(link);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('lang="es"');
    expect(html).toMatch(/benzodiazepin/i);
  });
});

describe('DESIGN section 7 triage through the local runtime', () => {
  const bookingOf = (index: number) => `tri-${index}`;

  /** Books one session per case (and two more), then runs the clock past every check-in at once. */
  beforeAll(async () => {
    const now = (await getJson<{ now: string }>('/local/clock')).now;
    const start = DateTime.fromISO(now).setZone(ZONE).plus({ days: 2 }).set({ hour: 9, minute: 0 });
    const ids = [...TRIAGE_TABLE.map((_, index) => bookingOf(index)), 'tri-fatigue', 'tri-twice'];
    for (const bookingId of ids) {
      const res = await post('/local/events', {
        Source: 'clinic.booking',
        DetailType: 'Booking Created',
        Detail: {
          bookingId,
          version: 1,
          session: { startsAt: start.toISO(), durationMinutes: 60, timeZone: ZONE, treatment: 'iv-ketamine' },
          patient: { id: `p-${bookingId}`, firstName: 'Ana', email: 'ana@example.org', language: 'en' },
        },
      });
      expect(res.status).toBe(200);
    }
    await post('/local/clock', { to: start.plus({ days: 7, hours: 2 }).toUTC().toISO() });
  }, 120_000);

  type Alert = { alertId: string; bookingId: string; replyIds: string[] };
  const alertsOf = async (bookingId: string) =>
    (await getJson<Alert[]>('/local/alerts')).filter((alert) => alert.bookingId === bookingId);

  it.each(TRIAGE_TABLE.map((row, index) => ({ ...row, index })))(
    '$name -> $level, $advice',
    async ({ changes, kind, level, advice, index }) => {
      const res = await post(await linkFor(bookingOf(index), kind), changes);
      expect(res.status).toBe(201);
      expect(JSON.parse(res.text)).toMatchObject({ triage: level, advice });
      // An urgent reply, and only an urgent one, raises a staff alert.
      expect(await alertsOf(bookingOf(index))).toHaveLength(level === 'urgent' ? 1 : 0);
    },
  );

  it('does not page for severe tiredness on the same day, an expected effect', async () => {
    const form = 'mood=6&sideEffects.fatigue=severe&selfHarm=no';
    const res = await post(
      await linkFor('tri-fatigue', 'checkin-same-day'),
      form,
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('<h1>Thank you</h1>');
    expect(await alertsOf('tri-fatigue')).toEqual([]);
    const [stored] = (await getJson<Reply[]>('/local/replies')).filter((r) => r.bookingId === 'tri-fatigue');
    expect(stored).toMatchObject({ triage: 'review', rules: ['effect-moderate'] });
  });

  it('adds a second urgent reply to the open alert: no second alert, one "updated" message', async () => {
    const link = await linkFor('tri-twice', 'checkin-next-day');
    await post(link, { mood: 4, selfHarm: 'yes', selfHarmNow: 'no' });
    const second = await post(link, { mood: 4, selfHarm: 'no', sideEffects: { 'chest-pain': 'mild' } });
    expect(JSON.parse(second.text)).toMatchObject({ triage: 'urgent', advice: 'emergency' });
    const alerts = await alertsOf('tri-twice');
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.replyIds).toHaveLength(2);
    const staff = (await getJson<OutboxEntry[]>('/local/outbox')).filter(
      (m) => m.channel === 'staff' && m.text.includes(alerts[0]?.alertId ?? '-'),
    );
    expect(staff.filter((m) => m.text.startsWith('URGENT update'))).toHaveLength(1);
  });
});

describe('a cancelled booking through the local runtime', () => {
  it('answers its check-in link with 410 and the clinic phone once the booking is cancelled', async () => {
    await bookAndRunPastCheckins('cx-1');
    const link = await linkFor('cx-1', 'checkin-same-day');
    expect((await fetch(runtime.url + link)).status).toBe(200);
    const cancelled = await post('/local/events', {
      Source: 'clinic.booking',
      DetailType: 'Booking Cancelled',
      Detail: { bookingId: 'cx-1', version: 2 },
    });
    expect(cancelled.status).toBe(200);
    const page = await fetch(runtime.url + link);
    expect(page.status).toBe(410);
    const text = await page.text();
    expect(text).toContain('This appointment was cancelled');
    expect(text).toContain('tel:');
    const reply = await post(link, routine);
    expect(reply.status).toBe(410);
  });
});

describe('per-route budgets through the local runtime', () => {
  let throttled: LocalRuntime;
  afterAll(() => throttled?.close());

  it('keeps a flood of GETs with garbage tokens from stopping a patient reply', async () => {
    throttled = await startLocalRuntime({
      port: 0,
      clockStart: '2026-04-06T15:00:00Z',
      demo: false,
      throttle: true,
    });
    const call = (path: string, init?: RequestInit) => fetch(throttled.url + path, init);
    const start = DateTime.fromISO('2026-04-08T09:00', { zone: ZONE });
    await call('/local/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        Source: 'clinic.booking',
        DetailType: 'Booking Created',
        Detail: {
          bookingId: 'th-1',
          version: 1,
          session: { startsAt: start.toISO(), durationMinutes: 60, timeZone: ZONE, treatment: 'kap' },
          patient: { id: 'p-th-1', firstName: 'Kai', email: 'kai@example.org' },
        },
      }),
    });
    await call('/local/clock', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ to: start.plus({ hours: 6 }).toUTC().toISO() }),
    });
    const outbox = (await (await call('/local/outbox')).json()) as OutboxEntry[];
    const link = outbox
      .find((m) => m.bookingId === 'th-1' && m.kind === 'checkin-same-day')
      ?.text.match(/\/c\/[A-Za-z0-9_-]+/)?.[0];
    if (!link) throw new Error('no check-in link');

    const statuses = await Promise.all(
      Array.from({ length: 500 }, (_, i) =>
        call(`/c/garbage-${i}`).then(async (r) => {
          await r.arrayBuffer();
          return r.status;
        }),
      ),
    );
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThan(400);
    expect(statuses.filter((status) => status === 429).length).toBeLessThan(500);
    const reply = await call(link, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(routine),
    });
    expect(reply.status).toBe(201);
    const replies = (await (await call('/local/replies')).json()) as Reply[];
    expect(replies.filter((r) => r.bookingId === 'th-1')).toHaveLength(1);
  });
});

describe('link keys rotating in the local runtime', () => {
  it('opens a link signed with the previous key, and refuses one whose key has been retired', async () => {
    await bookAndRunPastCheckins('rot-1');
    const link = await linkFor('rot-1', 'checkin-same-day');
    expect((await fetch(runtime.url + link)).status).toBe(200);
    const rotated = await post('/local/keys/rotate', {});
    expect(rotated.status).toBe(200);
    expect(JSON.parse(rotated.text)).toEqual({ current: 2, previous: 1 });
    expect((await fetch(runtime.url + link)).status).toBe(200);
    await post('/local/keys/rotate', {});
    expect((await fetch(runtime.url + link)).status).toBe(403);
  });
});

describe('routing on the route key', () => {
  it('answers 404 for a method or path the API has no route for, never the patient page', async () => {
    await bookAndRunPastCheckins('rt-1');
    const link = await linkFor('rt-1', 'checkin-same-day');
    const put = await fetch(runtime.url + link, { method: 'PUT', body: '{}' });
    expect(put.status).toBe(404);
    expect(await put.text()).not.toContain('<form');
    const putInstructions = await fetch(`${runtime.url}/i/${link.slice(3)}`, { method: 'PUT', body: '' });
    expect(putInstructions.status).toBe(404);
  });
});
