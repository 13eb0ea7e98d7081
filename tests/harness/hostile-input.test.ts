import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAFF_PASSWORD, type LocalRuntime } from '../../infra/local/runtime';
import { signInOverHttp } from '../support/console-session';
import {
  eventually,
  linkPath,
  type OutboxEntry,
  type RuntimeClient,
  runtimeClient,
  startQuietRuntime,
  unsafeMarkup,
} from './support';

/*
 * Hostile input through the local runtime's HTTP endpoints: malformed,
 * oversized, deeply nested, wrong-typed, prototype-polluting and
 * script-laden booking events and check-in replies. Each gets a clear
 * rejection naming the field, the server keeps answering, and no markup from
 * input reaches a page or an email unescaped.
 */

const ZONE = 'America/New_York';
const CLOCK_START = '2026-05-04T13:00:00.000Z';
const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const JS_URL = 'javascript:alert(1)';
const HOSTILE_TEXT = `${SCRIPT} ${IMG} ${JS_URL} <a href="javascript:alert(2)">x</a>`;

let runtime: LocalRuntime;
let client: RuntimeClient;
let previousQuiet: string | undefined;

beforeAll(async () => {
  previousQuiet = process.env.LOCAL_QUIET;
  process.env.LOCAL_QUIET = '1';
  runtime = await startQuietRuntime(CLOCK_START);
  client = runtimeClient(runtime);
});
afterAll(async () => {
  await runtime.close();
  if (previousQuiet === undefined) delete process.env.LOCAL_QUIET;
  else process.env.LOCAL_QUIET = previousQuiet;
});

function nested(depth: number, leaf = '0'): string {
  return `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}`;
}

const startsAt = DateTime.fromISO('2026-05-05T10:00', { zone: ZONE });

function booking(
  overrides: { bookingId?: string; session?: object; patient?: object; version?: number } = {},
) {
  return {
    bookingId: overrides.bookingId ?? 'hx-valid',
    version: overrides.version ?? 1,
    session: {
      startsAt: startsAt.toISO(),
      durationMinutes: 60,
      timeZone: ZONE,
      treatment: 'iv-ketamine',
      ...overrides.session,
    },
    patient: {
      id: 'p-hx',
      firstName: 'Hal',
      email: 'hal@example.org',
      phone: '+15550100077',
      ...overrides.patient,
    },
  };
}

const entry = (detail: unknown, detailType = 'Booking Created', source: unknown = 'clinic.booking') =>
  JSON.stringify({ Source: source, DetailType: detailType, Detail: detail });
/** A valid booking's JSON with one field's text replaced verbatim (for keys JSON.stringify cannot write). */
const rawDetail = (replace: [string, string]) =>
  `{"Source":"clinic.booking","DetailType":"Booking Created","Detail":${JSON.stringify(booking()).replace(...replace)}}`;

interface EventCase {
  name: string;
  body: string;
  status: number;
  /** The field the rejection must name (a prefix of the error text). */
  field: string;
}

const huge = 'x'.repeat(300 * 1024);

const EVENT_CASES: EventCase[] = [
  { name: 'a body that is not JSON', body: '{"Source": "clinic.booking",', status: 400, field: 'body' },
  { name: 'an empty body', body: '', status: 400, field: 'body' },
  { name: 'a body of JSON null', body: 'null', status: 200, field: 'source' },
  { name: 'a number for the entry', body: '42', status: 200, field: 'source' },
  { name: 'a string for the entry', body: '"Booking Created"', status: 200, field: 'source' },
  { name: 'a boolean for the entry', body: 'true', status: 200, field: 'source' },
  { name: 'a number for Source', body: entry(booking(), 'Booking Created', 7), status: 200, field: 'source' },
  {
    name: 'an unknown Source',
    body: entry(booking(), 'Booking Created', 'evil.source'),
    status: 200,
    field: 'source',
  },
  {
    name: 'a null DetailType',
    body: JSON.stringify({ Source: 'clinic.booking', DetailType: null, Detail: booking() }),
    status: 200,
    field: 'detail-type',
  },
  {
    name: 'an unknown DetailType',
    body: entry(booking(), 'Booking Deleted'),
    status: 200,
    field: 'detail-type',
  },
  { name: 'a null Detail', body: entry(null), status: 200, field: 'detail' },
  { name: 'a boolean Detail', body: entry(false), status: 200, field: 'detail' },
  { name: 'an array Detail', body: entry([booking()]), status: 200, field: 'detail' },
  { name: 'a Detail string that is not JSON', body: entry('{"bookingId":'), status: 200, field: 'detail' },
  {
    name: 'the version as a string',
    body: entry({ ...booking(), version: '2' }),
    status: 200,
    field: 'detail.version',
  },
  {
    name: 'a fractional version',
    body: entry({ ...booking(), version: 1.5 }),
    status: 200,
    field: 'detail.version',
  },
  { name: 'version 0', body: entry({ ...booking(), version: 0 }), status: 200, field: 'detail.version' },
  {
    name: 'a version that overflows to Infinity',
    body: rawDetail(['"version":1', '"version":1e999']),
    status: 200,
    field: 'detail.version',
  },
  {
    name: 'a duration as a string',
    body: entry(booking({ session: { durationMinutes: '60' } })),
    status: 200,
    field: 'detail.session.durationMinutes',
  },
  {
    name: 'a null session',
    body: entry({ ...booking(), session: null }),
    status: 200,
    field: 'detail.session',
  },
  {
    name: 'an array for the session',
    body: entry({ ...booking(), session: [booking().session] }),
    status: 200,
    field: 'detail.session',
  },
  {
    name: 'an array for the patient',
    body: entry({ ...booking(), patient: [booking().patient] }),
    status: 200,
    field: 'detail.patient',
  },
  {
    name: 'a start without an offset',
    body: entry(booking({ session: { startsAt: '2026-05-05T10:00:00' } })),
    status: 200,
    field: 'detail.session.startsAt',
  },
  {
    name: 'a start on February 30th',
    body: entry(booking({ session: { startsAt: '2026-02-30T10:00:00Z' } })),
    status: 200,
    field: 'detail.session.startsAt',
  },
  {
    name: 'a start as a number',
    body: entry(booking({ session: { startsAt: 1_778_000_000_000 } })),
    status: 200,
    field: 'detail.session.startsAt',
  },
  {
    name: 'an unknown time zone',
    body: entry(booking({ session: { timeZone: 'Mars/Olympus_Mons' } })),
    status: 200,
    field: 'detail.session.timeZone',
  },
  {
    name: 'an unknown treatment',
    body: entry(booking({ session: { treatment: 'psilocybin' } })),
    status: 200,
    field: 'detail.session.treatment',
  },
  {
    name: 'a phone that is not E.164',
    body: entry(booking({ patient: { phone: '555-0100' } })),
    status: 200,
    field: 'detail.patient.phone',
  },
  {
    name: 'a phone as a number',
    body: entry(booking({ patient: { phone: 15550100077 } })),
    status: 200,
    field: 'detail.patient.phone',
  },
  {
    name: 'markup in the email',
    body: entry(booking({ patient: { email: `"${IMG}"@example.org` } })),
    status: 200,
    field: 'detail.patient.email',
  },
  {
    name: 'no email and no phone',
    body: entry(booking({ patient: { email: undefined, phone: undefined } })),
    status: 200,
    field: 'detail.patient',
  },
  {
    name: 'a script in the booking id',
    body: entry(booking({ bookingId: SCRIPT })),
    status: 200,
    field: 'detail.bookingId',
  },
  {
    name: 'a javascript: booking id',
    body: entry(booking({ bookingId: JS_URL })),
    status: 200,
    field: 'detail.bookingId',
  },
  {
    name: 'a booking id of 129 characters',
    body: entry(booking({ bookingId: 'b'.repeat(129) })),
    status: 200,
    field: 'detail.bookingId',
  },
  {
    name: 'a blank first name',
    body: entry(booking({ patient: { firstName: '   ' } })),
    status: 200,
    field: 'detail.patient.firstName',
  },
  {
    name: 'a first name of 101 characters',
    body: entry(booking({ patient: { firstName: 'N'.repeat(101) } })),
    status: 200,
    field: 'detail.patient.firstName',
  },
  {
    name: 'a first name as an object',
    body: entry(booking({ patient: { firstName: { toString: 'Hal' } } })),
    status: 200,
    field: 'detail.patient.firstName',
  },
  {
    name: 'a key the contract does not have',
    body: entry({ ...booking(), isAdmin: true }),
    status: 200,
    field: 'detail.isAdmin',
  },
  {
    name: 'a __proto__ key in the detail',
    body: rawDetail(['{"bookingId"', '{"__proto__":{"polluted":"yes"},"bookingId"']),
    status: 200,
    field: 'detail',
  },
  {
    name: 'a __proto__ key in the patient',
    body: rawDetail(['"patient":{', '"patient":{"__proto__":{"polluted":"yes"},']),
    status: 200,
    field: 'detail.patient',
  },
  {
    name: 'a constructor.prototype key in the session',
    body: entry(booking({ session: { constructor: { prototype: { polluted: 'yes' } } } })),
    status: 200,
    field: 'detail.session.constructor',
  },
  {
    name: 'a cancel with the version as a string',
    body: entry({ bookingId: 'hx-c', version: '3' }, 'Booking Cancelled'),
    status: 200,
    field: 'detail.version',
  },
  {
    name: 'a cancel without a booking id',
    body: entry({ version: 3 }, 'Booking Cancelled'),
    status: 200,
    field: 'detail.bookingId',
  },
  {
    name: 'a cancel reason of 501 characters',
    body: entry({ bookingId: 'hx-c', version: 3, reason: 'r'.repeat(501) }, 'Booking Cancelled'),
    status: 200,
    field: 'detail.reason',
  },
  {
    name: 'a completion at "yesterday"',
    body: entry({ bookingId: 'hx-c', endedAt: 'yesterday' }, 'Session Completed'),
    status: 200,
    field: 'detail.endedAt',
  },
  {
    name: 'a Detail nested 10,000 arrays deep',
    body: `{"Source":"clinic.booking","DetailType":"Booking Created","Detail":${nested(10_000)}}`,
    status: 200,
    field: 'detail',
  },
  {
    name: 'a first name nested 10,000 arrays deep',
    body: rawDetail(['"firstName":"Hal"', `"firstName":${nested(10_000, '"Hal"')}`]),
    status: 200,
    field: 'detail.patient.firstName',
  },
  {
    name: 'a body nested 10,000 objects deep',
    body: `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
    status: 200,
    field: 'source',
  },
  {
    name: 'an entry over 256 KB',
    body: entry(booking({ patient: { firstName: huge } })),
    status: 200,
    field: 'entry',
  },
  {
    name: 'an entry over 256 KB in the Detail text',
    body: entry(JSON.stringify(booking({ session: { location: huge } }))),
    status: 200,
    field: 'entry',
  },
  {
    name: 'a body over 4 MB',
    body: entry(booking({ patient: { firstName: 'x'.repeat(5 * 1024 * 1024) } })),
    status: 413,
    field: 'body',
  },
];

interface EventAnswer {
  results?: { status: string; error?: string }[];
  error?: string;
}

/**
 * A rejection that names `field`: `detail.session.timeZone: must be…`, or for
 * an unknown key its parent and the key, `detail.session: Unrecognized key: "constructor"`.
 */
function namesField(field: string): RegExp {
  const quote = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const cut = field.lastIndexOf('.');
  const parent = quote(field.slice(0, Math.max(cut, 0)));
  const key = quote(field.slice(cut + 1));
  return new RegExp(`(^|; )(${quote(field)}[.:]|${parent}: [^;]*"${key}")`);
}

async function expectAlive() {
  const clock = await client.get('/local/clock');
  expect(clock.status).toBe(200);
  expect(JSON.parse(clock.text)).toHaveProperty('now');
}

describe('POST /local/events with hostile input', () => {
  it.each(EVENT_CASES)(
    'rejects $name naming the field, and keeps serving',
    async ({ body, status, field }) => {
      const lettersBefore = (await client.getJson<unknown[]>('/local/dlq')).length;
      const answer = await client.postRaw('/local/events', body);
      expect(answer.status).toBe(status);
      const parsed = JSON.parse(answer.text) as EventAnswer;
      expect(parsed.results).toHaveLength(1);
      expect(parsed.results?.[0]?.status).toBe('rejected');
      expect(parsed.results?.[0]?.error ?? '').toMatch(namesField(field));
      // Never silently dropped: kept with its reason (a body over 4 MB is refused before it is an event).
      if (status !== 413)
        expect((await client.getJson<unknown[]>('/local/dlq')).length).toBe(lettersBefore + 1);
      await expectAlive();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('keeps every rejected entry in the DLQ with its reason', async () => {
    const before = JSON.parse((await client.get('/local/dlq')).text) as unknown[];
    await client.postRaw('/local/events', entry({ ...booking(), version: 'two' }));
    const after = JSON.parse((await client.get('/local/dlq')).text) as { source: string; reason: string }[];
    expect(after.length).toBe(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      source: 'booking-events',
      reason: expect.stringContaining('detail.version'),
    });
  });

  it('answers each entry of a mixed batch on its own: the good one is processed, the bad ones rejected', async () => {
    const good = booking({ bookingId: 'hx-batch' });
    const answer = await client.postJson('/local/events', [
      { Source: 'clinic.booking', DetailType: 'Booking Created', Detail: { ...good, version: '1' } },
      { Source: 'clinic.booking', DetailType: 'Booking Created', Detail: good },
      {
        Source: 'clinic.booking',
        DetailType: 'Booking Created',
        Detail: { ...good, patient: { ...good.patient, firstName: huge } },
      },
      null,
    ]);
    expect(answer.status).toBe(200);
    const results = (JSON.parse(answer.text) as EventAnswer).results ?? [];
    expect(results.map((r) => r.status)).toEqual(['rejected', 'processed', 'rejected', 'rejected']);
  });

  it('leaves Object.prototype untouched after every prototype-pollution attempt', () => {
    for (const probe of [{}, Object.create(null) ?? {}, []]) {
      expect((probe as Record<string, unknown>).polluted).toBeUndefined();
    }
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

/** A Cal.com delivery of a booking, with `payload` merged in. */
const calcomDelivery = (payload: Record<string, unknown> = {}, top: Record<string, unknown> = {}) =>
  JSON.stringify({
    triggerEvent: 'BOOKING_CREATED',
    createdAt: '2026-06-01T12:00:00Z',
    payload: {
      uid: 'hx-cal',
      type: 'ketamine-infusion',
      startTime: '2026-06-20T15:00:00Z',
      endTime: '2026-06-20T17:00:00Z',
      attendees: [{ name: 'Ana', email: 'hx-cal@example.org', timeZone: ZONE }],
      ...payload,
    },
    ...top,
  });
/** A delivery whose notes nest `levels` arrays deep, written as text (stringify could not write it). */
const deepDelivery = (levels: number) =>
  calcomDelivery({ uid: 'hx-deep', responses: { notes: { value: 'DEEP' } } }).replace(
    '"DEEP"',
    `${'['.repeat(levels)}${']'.repeat(levels)}`,
  );

const HOOK_CASES: {
  name: string;
  provider: 'calcom' | 'fhir';
  body: string;
  headers?: Record<string, string>;
  status: number;
  field?: string;
}[] = [
  {
    name: 'an unsigned Cal.com delivery',
    provider: 'calcom',
    body: calcomDelivery(),
    headers: {},
    status: 401,
  },
  {
    name: 'a signature that is not hex',
    provider: 'calcom',
    body: calcomDelivery(),
    headers: { 'x-cal-signature-256': 'z'.repeat(64) },
    status: 401,
  },
  {
    name: 'a signature of another length',
    provider: 'calcom',
    body: calcomDelivery(),
    headers: { 'x-cal-signature-256': 'ab' },
    status: 401,
  },
  {
    name: 'a signed body that is not JSON',
    provider: 'calcom',
    body: '{"triggerEvent":',
    status: 422,
    field: 'body',
  },
  {
    name: 'a body over 64 KB',
    provider: 'calcom',
    body: calcomDelivery({ junk: 'x'.repeat(70_000) }),
    status: 413,
  },
  {
    name: 'nesting 30,000 levels deep',
    provider: 'calcom',
    body: deepDelivery(30_000),
    status: 422,
    field: 'body',
  },
  {
    name: 'a prototype-pollution payload',
    provider: 'calcom',
    body: calcomDelivery({ uid: 'hx-proto', constructor: { prototype: { polluted: 1 } } }).replace(
      '"payload":{',
      '"payload":{"__proto__":{"polluted":1},',
    ),
    status: 200,
  },
  {
    name: 'a first name of 5,000 characters',
    provider: 'calcom',
    body: calcomDelivery({
      uid: 'hx-long',
      attendees: [{ name: 'A'.repeat(5000), email: 'a@example.org', timeZone: ZONE }],
    }),
    status: 422,
    field: 'patient.firstName',
  },
  {
    name: 'a time zone that is no zone',
    provider: 'calcom',
    body: calcomDelivery({
      uid: 'hx-zone',
      organizer: { timeZone: 'Mars/Olympus' },
      attendees: [{ name: 'Ana', email: 'a@example.org', timeZone: 'Mars/Olympus' }],
    }),
    status: 422,
    field: 'timeZone',
  },
  {
    name: 'no attendee',
    provider: 'calcom',
    body: calcomDelivery({ uid: 'hx-none', attendees: [] }),
    status: 422,
    field: 'email',
  },
  { name: 'a FHIR post without a token', provider: 'fhir', body: '{}', headers: {}, status: 401 },
  {
    name: 'a FHIR token for another server',
    provider: 'fhir',
    body: '{}',
    headers: { authorization: 'Bearer local-fhir-token-2' },
    status: 401,
  },
  {
    name: 'a FHIR resource that is no Appointment',
    provider: 'fhir',
    body: '{"resourceType":"Patient"}',
    status: 422,
    field: 'resourceType',
  },
  {
    name: 'a bundle of 21 Appointments',
    provider: 'fhir',
    body: JSON.stringify({
      resourceType: 'Bundle',
      entry: Array.from({ length: 21 }, (_, i) => ({
        resource: { resourceType: 'Appointment', id: `a${i}`, status: 'booked', participant: [] },
      })),
    }),
    status: 422,
    field: 'entry',
  },
];

describe('POST /hooks/{provider} with hostile input', () => {
  it.each(HOOK_CASES)(
    'answers $name with $status, keeps what it cannot map, and keeps serving',
    async (hook) => {
      const lettersBefore = (await client.getJson<unknown[]>('/local/dlq')).length;
      const answer = await client.postHook(hook.provider, hook.body, hook.headers);
      expect(answer.status).toBe(hook.status);
      if (hook.field) expect(answer.text).toContain(hook.field);
      // A refused delivery changes nothing; one we cannot map is kept with its reason.
      expect((await client.getJson<unknown[]>('/local/dlq')).length).toBe(
        lettersBefore + (hook.status === 422 ? 1 : 0),
      );
      await expectAlive();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(Object.prototype).not.toHaveProperty('polluted');
    },
  );
});

/** A booking whose patient and session carry markup (valid: strings are allowed), run past its check-ins. */
async function hostileBooking(bookingId: string, smsOnly = false): Promise<DateTime> {
  const start = DateTime.fromISO(await client.now())
    .setZone(ZONE)
    .plus({ days: 1 })
    .set({ hour: 10, minute: 0, second: 0, millisecond: 0 });
  const detail = booking({
    bookingId,
    patient: { firstName: SCRIPT, email: smsOnly ? undefined : `${bookingId}@example.org` },
    session: { startsAt: start.toISO(), location: IMG, clinicianName: JS_URL },
  });
  const answer = await client.postJson('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Created',
    Detail: detail,
  });
  expect((JSON.parse(answer.text) as EventAnswer).results?.[0]?.status).toBe('processed');
  return start;
}

async function emailOf(bookingId: string, kind: string): Promise<OutboxEntry> {
  const message = (await client.outbox()).find(
    (m) => m.bookingId === bookingId && m.kind === kind && m.channel === 'email',
  );
  if (!message) throw new Error(`no ${kind} email for ${bookingId}`);
  return message;
}

function expectEscaped(where: string, html: string, mustMention = 'alert(1)') {
  expect(unsafeMarkup(html), where).toEqual([]);
  // Not vacuous: the hostile text did reach this page or email, escaped.
  expect(html, where).toContain(mustMention);
}

describe('markup from input in emails and pages', () => {
  let checkinPath = '';

  beforeAll(async () => {
    const start = await hostileBooking('hx-markup');
    // Past the same-day check-in (end + 4 h).
    await client.advance(start.plus({ hours: 5, minutes: 5 }).toUTC().toISO() ?? '');
    checkinPath = linkPath((await emailOf('hx-markup', 'checkin-same-day')).text, 'c') ?? '';
    expect(checkinPath).toMatch(/^\/c\//);
  });

  it('escapes the first name and session fields in every email and on the instructions page', async () => {
    const emails = (await client.outbox()).filter(
      (m) => m.bookingId === 'hx-markup' && m.channel === 'email',
    );
    expect(emails.length).toBeGreaterThanOrEqual(3);
    for (const email of emails) expectEscaped(`${email.kind} email`, email.html ?? '');
    // The full-instructions page is linked from the SMS of a patient without email.
    await hostileBooking('hx-sms', true);
    const sms = (await client.outbox()).find(
      (m) => m.bookingId === 'hx-sms' && m.kind === 'prep-instructions',
    );
    const page = await client.get(linkPath(sms?.text ?? '', 'i') ?? '/i/missing');
    expect(page.status).toBe(200);
    expectEscaped('instructions page', page.text);
  });

  it('escapes the outbox on the home page', async () => {
    const home = await client.get('/');
    expect(home.status).toBe(200);
    expect(unsafeMarkup(home.text)).toEqual([]);
  });

  it('re-displays a form with errors with the hostile note escaped and the bad field named', async () => {
    const form = new URLSearchParams({ mood: 'eleven', selfHarm: 'no', note: HOSTILE_TEXT }).toString();
    const answer = await client.postRaw(checkinPath, form, 'application/x-www-form-urlencoded');
    expect(answer.status).toBe(400);
    expect(answer.type).toMatch(/text\/html/);
    expectEscaped('form re-display', answer.text);
    expect(answer.text).toContain('id="mood-error"');
    // The note was kept for the patient to correct, escaped.
    expect(answer.text).toContain('alert(2)');
  });

  it('escapes the note on the reply page, and on the console alert page before and after acknowledging', async () => {
    const form = new URLSearchParams({ mood: '1', selfHarm: 'yes', note: HOSTILE_TEXT }).toString();
    const answer = await client.postRaw(checkinPath, form, 'application/x-www-form-urlencoded');
    expect(answer.status).toBe(200);
    expect(unsafeMarkup(answer.text)).toEqual([]);
    expect(answer.text).toMatch(/988/);

    // Staff messages name the booking by its surrogate: find the alert through the local runtime.
    const alert = await eventually(
      async () =>
        (await client.getJson<{ bookingId: string; alertId: string }[]>('/local/alerts')).find(
          (a) => a.bookingId === 'hx-markup',
        ),
      (a) => a !== undefined,
    );
    const staff = await eventually(
      async () =>
        (await client.outbox()).find((m) => m.channel === 'staff' && m.text.includes(alert?.alertId ?? '?')),
      (m) => m !== undefined,
    );
    expect(staff?.text).not.toContain('hx-markup');
    // The staff message points into the console, which shows nothing to a signed-out visit.
    const alertPath = /\/console\/alerts\/[A-Za-z0-9_.:-]+/.exec(staff?.text ?? '')?.[0];
    expect(alertPath).toBeDefined();
    const signedOut = await client.get(alertPath ?? '');
    expect(signedOut.status).toBe(303);
    expect(signedOut.text).not.toContain('hx-markup');

    const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
    const page = await clinician.get(alertPath ?? '');
    expect(page.status).toBe(200);
    expectEscaped('console alert page', page.text);
    const ack = await clinician.postForm(`${alertPath}/acknowledge`, {}, page.text);
    expect(ack.status).toBe(303);
    const again = await clinician.get(alertPath ?? '');
    expect(again.text).toContain('Acknowledged by');
    expectEscaped('console alert page after acknowledgement', again.text);
  });

  it('escapes the note on the console page of a review reply from the digest', async () => {
    const answer = await client.postJson(checkinPath, { mood: 2, selfHarm: 'no', note: HOSTILE_TEXT });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toMatchObject({ triage: 'review' });
    await client.advance(
      DateTime.fromISO(await client.now())
        .plus({ days: 1, hours: 2 })
        .toUTC()
        .toISO() ?? '',
    );
    const digest = (await client.outbox()).find((m) => m.kind === 'review-digest');
    expect(digest).toBeDefined();
    expect(unsafeMarkup(digest?.html ?? '')).toEqual([]);
    const reviewPath = /\/console\/replies\/[A-Za-z0-9_.:-]+\/[A-Za-z0-9_.:-]+/.exec(digest?.text ?? '')?.[0];
    expect(reviewPath).toBeDefined();
    const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
    const page = await clinician.get(reviewPath ?? '/console/replies/missing/missing');
    expect(page.status).toBe(200);
    expectEscaped('console reply page', page.text);
  });
});

interface ReplyCase {
  name: string;
  body: string;
  form?: boolean;
  status: number;
  field: string;
}

const JSON_REPLY_CASES: ReplyCase[] = [
  { name: 'a body that is not JSON', body: '{"mood": 3,', status: 400, field: 'body' },
  { name: 'an empty body', body: '', status: 400, field: 'body' },
  { name: 'JSON null', body: 'null', status: 400, field: 'body' },
  { name: 'a JSON array', body: '[{"mood":3,"selfHarm":"no"}]', status: 400, field: 'body' },
  { name: 'a JSON string', body: '"mood=3"', status: 400, field: 'body' },
  { name: 'mood as a string', body: '{"mood":"5","selfHarm":"no"}', status: 400, field: 'mood' },
  { name: 'a fractional mood', body: '{"mood":5.5,"selfHarm":"no"}', status: 400, field: 'mood' },
  {
    name: 'a mood that overflows to Infinity',
    body: '{"mood":1e999,"selfHarm":"no"}',
    status: 400,
    field: 'mood',
  },
  { name: 'a negative mood', body: '{"mood":-1,"selfHarm":"no"}', status: 400, field: 'mood' },
  { name: 'no mood', body: '{"selfHarm":"no"}', status: 400, field: 'mood' },
  { name: 'selfHarm as a boolean', body: '{"mood":5,"selfHarm":true}', status: 400, field: 'selfHarm' },
  { name: 'selfHarm null', body: '{"mood":5,"selfHarm":null}', status: 400, field: 'selfHarm' },
  {
    name: 'wantsCall as a string',
    body: '{"mood":5,"selfHarm":"no","wantsCall":"true"}',
    status: 400,
    field: 'wantsCall',
  },
  {
    name: 'side effects as an array',
    body: '{"mood":5,"selfHarm":"no","sideEffects":["nausea"]}',
    status: 400,
    field: 'sideEffects',
  },
  {
    name: 'an unknown severity',
    body: '{"mood":5,"selfHarm":"no","sideEffects":{"nausea":"extreme"}}',
    status: 400,
    field: 'sideEffects.nausea',
  },
  {
    name: 'a __proto__ side effect',
    body: '{"mood":5,"selfHarm":"no","sideEffects":{"__proto__":{"polluted":"yes"}}}',
    status: 400,
    field: 'sideEffects.__proto__',
  },
  {
    name: 'a constructor side effect',
    body: '{"mood":5,"selfHarm":"no","sideEffects":{"constructor":"severe"}}',
    status: 400,
    field: 'sideEffects.constructor',
  },
  {
    name: 'a toString side effect',
    body: '{"mood":5,"selfHarm":"no","sideEffects":{"toString":"severe"}}',
    status: 400,
    field: 'sideEffects.toString',
  },
  {
    name: 'a __proto__ key at the top',
    body: '{"__proto__":{"polluted":"yes"},"mood":5,"selfHarm":"no"}',
    status: 400,
    field: '__proto__',
  },
  {
    // As deep as fits under the 16 KB cap.
    name: 'side effects nested 5,000 arrays deep',
    body: `{"mood":5,"selfHarm":"no","sideEffects":${nested(5_000)}}`,
    status: 400,
    field: 'sideEffects',
  },
  {
    name: 'a note nested 5,000 arrays deep',
    body: `{"mood":5,"selfHarm":"no","note":${nested(5_000, '"x"')}}`,
    status: 400,
    field: 'note',
  },
  {
    name: 'a body nested 2,500 objects deep',
    body: `${'{"a":'.repeat(2_500)}1${'}'.repeat(2_500)}`,
    status: 400,
    field: 'a',
  },
  {
    name: 'a note of 2,001 characters',
    body: JSON.stringify({ mood: 5, selfHarm: 'no', note: 'n'.repeat(2001) }),
    status: 400,
    field: 'note',
  },
  {
    name: 'a note of 3 MB (over the 16 KB reply cap)',
    body: JSON.stringify({ mood: 5, selfHarm: 'no', note: `${SCRIPT}${'n'.repeat(3 * 1024 * 1024)}` }),
    status: 413,
    field: 'body',
  },
  {
    name: 'PHQ-9 at the same-day check-in',
    body: '{"mood":5,"selfHarm":"no","phq9":[0,0,0,0,0,0,0,0,0]}',
    status: 400,
    field: 'phq9',
  },
  {
    name: 'a field the reply does not have',
    body: '{"mood":5,"selfHarm":"no","isAdmin":true}',
    status: 400,
    field: 'isAdmin',
  },
];

const FORM_REPLY_CASES: ReplyCase[] = [
  { name: 'mood sent twice', body: 'mood=1&mood=9&selfHarm=no', status: 400, field: 'mood' },
  { name: 'selfHarm sent twice', body: 'mood=5&selfHarm=no&selfHarm=yes', status: 400, field: 'selfHarm' },
  {
    name: 'a mood that is not a number',
    body: `mood=${encodeURIComponent(SCRIPT)}&selfHarm=no`,
    status: 400,
    field: 'mood',
  },
  { name: 'an unknown selfHarm', body: 'mood=5&selfHarm=maybe', status: 400, field: 'selfHarm' },
  {
    name: 'wantsCall other than yes',
    body: 'mood=5&selfHarm=no&wantsCall=true',
    status: 400,
    field: 'wantsCall',
  },
  { name: 'a __proto__ field', body: 'mood=5&selfHarm=no&__proto__=x', status: 400, field: '__proto__' },
  {
    name: 'a __proto__ side effect',
    body: 'mood=5&selfHarm=no&sideEffects.__proto__=severe',
    status: 400,
    field: 'sideEffects.__proto__',
  },
  {
    name: 'a constructor field',
    body: 'mood=5&selfHarm=no&constructor.prototype=x',
    status: 400,
    field: 'constructor.prototype',
  },
  {
    name: 'a note of 2,001 characters',
    body: `mood=5&selfHarm=no&note=${'n'.repeat(2001)}`,
    status: 400,
    field: 'note',
  },
  {
    name: 'a note sent 1,000 times',
    body: `mood=5&selfHarm=no${'&note=x'.repeat(1000)}`,
    status: 400,
    field: 'note',
  },
  {
    name: 'a PHQ-9 item at the same-day check-in',
    body: 'mood=5&selfHarm=no&phq9.0=1',
    status: 400,
    field: 'phq9.0',
  },
  { name: 'broken percent-encoding', body: 'mood=%E0%A4%A&selfHarm=no', status: 400, field: 'mood' },
].map((c) => ({ ...c, form: true }));

describe('check-in replies with hostile input', () => {
  let checkinPath = '';

  beforeAll(async () => {
    const start = await hostileBooking('hx-replies');
    await client.advance(start.plus({ hours: 5, minutes: 10 }).toUTC().toISO() ?? '');
    checkinPath = linkPath((await emailOf('hx-replies', 'checkin-same-day')).text, 'c') ?? '';
    expect(checkinPath).toMatch(/^\/c\//);
  });

  it.each(JSON_REPLY_CASES)(
    'answers JSON with $name by 400 naming the field',
    async ({ body, status, field }) => {
      const answer = await client.postRaw(checkinPath, body, 'application/json');
      expect(answer.status).toBe(status);
      const errors = (JSON.parse(answer.text) as { errors: { field: string; message: string }[] }).errors;
      expect(errors.map((e) => e.field)).toContain(field);
      for (const error of errors) expect(error.message.length).toBeGreaterThan(0);
      await expectAlive();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it.each(FORM_REPLY_CASES)(
    'answers a form with $name by the form again, the field marked',
    async ({ body, status, field }) => {
      const answer = await client.postRaw(checkinPath, body, 'application/x-www-form-urlencoded');
      expect(answer.status).toBe(status);
      expect(answer.type).toMatch(/text\/html/);
      expect(unsafeMarkup(answer.text)).toEqual([]);
      // The error is tied to its field: a known field is marked invalid, an unknown one is named in the summary.
      const escapedField = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      expect(answer.text).toMatch(new RegExp(`aria-invalid="true"|${escapedField}`));
      await expectAlive();
    },
  );

  it('answers a form of 3 MB with 413 and the crisis box, and keeps serving', async () => {
    const answer = await client.postRaw(
      checkinPath,
      `mood=5&selfHarm=no&note=${encodeURIComponent(SCRIPT)}${'n'.repeat(3 * 1024 * 1024)}`,
      'application/x-www-form-urlencoded',
    );
    expect(answer.status).toBe(413);
    expect(unsafeMarkup(answer.text)).toEqual([]);
    expect(answer.text).toContain('class="emergency"');
    expect(answer.text).toContain('href="tel:988"');
    await expectAlive();
  });

  it('answers a body over 4 MB with 413 and keeps serving', async () => {
    const answer = await client.postRaw(
      checkinPath,
      `{"note":"${'n'.repeat(5 * 1024 * 1024)}"}`,
      'application/json',
    );
    expect(answer.status).toBe(413);
    await expectAlive();
  });

  it('stores none of the rejected replies', async () => {
    const replies = await client.getJson<{ bookingId: string }[]>('/local/replies');
    expect(replies.filter((r) => r.bookingId === 'hx-replies')).toEqual([]);
  });

  it('still takes a normal reply after all of it', async () => {
    const answer = await client.postJson(checkinPath, { mood: 7, selfHarm: 'no' });
    expect(answer.status).toBe(201);
    expect(JSON.parse(answer.text)).toMatchObject({ triage: 'routine' });
  });
});
