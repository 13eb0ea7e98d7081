import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAFF_PASSWORD, type LocalRuntime } from '../../infra/local/runtime';
import { DEFAULT_TRIAGE_RULES } from '../../shared/contracts/triage-rules';
import { SIDE_EFFECTS } from '../../shared/contracts/vocabulary';
import { t } from '../../shared/web/i18n';
import { signInOverHttp } from '../support/console-session';
import { eventually, linkPath, type RuntimeClient, runtimeClient, startQuietRuntime } from './support';

/*
 * Minimum necessary PHI in logs (DESIGN section 8): a whole local scenario
 * with logging on (booking, every message, an urgent reply with a note, the
 * staff alert, its acknowledgement, a review reply and the digest, a rejected
 * event and a failed send), with the runtime's JSON log lines captured from
 * process.stdout. None may carry the patient's name, email, phone or note.
 */

const ZONE = 'America/Chicago';
const CLOCK_START = '2026-09-14T14:00:00.000Z';
const FIRST_NAME = 'Zephyrine';
const EMAIL = 'zq.patient7731@example.org';
const PHONE = '+15550187342';
const NOTE = 'Quokka marmalade sunrise, I keep thinking about the bridge';
const REVIEW_NOTE = 'Xylophone tangerine evening';

/** The phone number in any common format: E.164, national, dashes, dots, spaces, parentheses, the last 7 digits. */
const PHONE_PATTERNS = [
  /\+?1?[\s.-]?\(?555\)?[\s.-]?018[\s.-]?7342/,
  /5\D{0,3}5\D{0,3}5\D{0,3}0\D{0,3}1\D{0,3}8\D{0,3}7\D{0,3}3\D{0,3}4\D{0,3}2/,
  /018[\s.-]?7342/,
];

let runtime: LocalRuntime;
let client: RuntimeClient;
let captured = '';
let restoreStdout: () => void = () => {};
let previousQuiet: string | undefined;

beforeAll(async () => {
  previousQuiet = process.env.LOCAL_QUIET;
  delete process.env.LOCAL_QUIET;
  const original = process.stdout.write.bind(process.stdout);
  // Capture, without passing through: the lines are asserted on, not shown.
  process.stdout.write = ((chunk: string | Uint8Array) => {
    captured += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  restoreStdout = () => {
    process.stdout.write = original;
  };
  runtime = await startQuietRuntime(CLOCK_START);
  client = runtimeClient(runtime);
});

afterAll(async () => {
  await runtime?.close();
  restoreStdout();
  if (previousQuiet === undefined) delete process.env.LOCAL_QUIET;
  else process.env.LOCAL_QUIET = previousQuiet;
});

async function runScenario() {
  const start = DateTime.fromISO('2026-09-16T09:00', { zone: ZONE });
  const detail = {
    bookingId: 'phi-1',
    version: 1,
    session: {
      startsAt: start.toISO(),
      durationMinutes: 90,
      timeZone: ZONE,
      treatment: 'esketamine-nasal',
      location: 'Room 4',
    },
    patient: { id: 'p-phi-1', firstName: FIRST_NAME, email: EMAIL, phone: PHONE },
  };
  const created = await client.postJson('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Created',
    Detail: detail,
  });
  expect(created.text).toContain('processed');
  // A rejected event that carries the patient's details, and a send that fails once.
  const rejected = await client.postJson('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Rescheduled',
    Detail: { ...detail, version: 2, patient: { ...detail.patient, phone: '555-018-7342' } },
  });
  expect(rejected.text).toContain('rejected');
  await client.postJson('/local/faults', { sms: 'fail' });
  await client.advance(start.minus({ hours: 2, minutes: -1 }).toUTC().toISO() ?? '');
  await client.postJson('/local/faults', { sms: 'ok' });

  // Past the same-day check-in: an urgent reply with a note, the alert, the staff page, the acknowledgement.
  await client.advance(start.plus({ hours: 6 }).toUTC().toISO() ?? '');
  const outbox = await client.outbox();
  const sameDay = outbox.find((m) => m.kind === 'checkin-same-day' && m.channel === 'email');
  const checkin = linkPath(sameDay?.text ?? '', 'c') ?? '';
  expect(checkin).toMatch(/^\/c\//);
  expect((await client.get(checkin)).status).toBe(200);
  const urgent = await client.postJson(checkin, {
    mood: 1,
    selfHarm: 'yes',
    sideEffects: { panic: 'severe' },
    wantsCall: true,
    note: NOTE,
  });
  expect(urgent.status).toBe(201);
  const staff = await eventually(
    async () => (await client.outbox()).find((m) => m.channel === 'staff' && m.topic === 'alerts'),
    (m) => m !== undefined,
  );
  const alertPage = /\/console\/alerts\/[A-Za-z0-9_.:-]+/.exec(staff?.text ?? '')?.[0] ?? '';
  const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
  const page = await clinician.get(alertPage);
  expect(page.status).toBe(200);
  expect((await clinician.postForm(`${alertPage}/acknowledge`, {}, page.text)).status).toBe(303);
  // A form reply with an error (the note comes back on the page, not in the logs).
  const badForm = new URLSearchParams({ mood: 'eleven', selfHarm: 'no', note: REVIEW_NOTE }).toString();
  expect((await client.postRaw(checkin, badForm, 'application/x-www-form-urlencoded')).status).toBe(400);

  // The next-day check-in: a review reply, then the digest the morning after; then the week check-in.
  await client.advance(start.plus({ days: 1, hours: 6 }).toUTC().toISO() ?? '');
  const nextDay = (await client.outbox()).find((m) => m.kind === 'checkin-next-day' && m.channel === 'email');
  const review = await client.postJson(linkPath(nextDay?.text ?? '', 'c') ?? '', {
    mood: 2,
    selfHarm: 'no',
    note: REVIEW_NOTE,
  });
  expect(review.status).toBe(201);
  await client.advance(start.plus({ days: 8 }).toUTC().toISO() ?? '');
  // The week check-in bounces: it goes by SMS; the text is blocked too: the front desk is told.
  expect((await client.postJson('/local/email/events', { to: EMAIL, type: 'bounce' })).status).toBe(200);
  expect((await client.postJson('/local/sms/events', { to: PHONE, type: 'blocked' })).status).toBe(200);
  // The patient texts the clinic's number: a note for review, an urgent one, STOP and START.
  for (const body of [REVIEW_NOTE, `${NOTE} I want to kill myself`, 'STOP', 'START']) {
    expect((await client.postJson('/local/sms/inbound', { from: PHONE, body })).status, body).toBe(200);
  }
  // Booking webhooks carrying the patient: a Cal.com booking, a FHIR one, and one we cannot map (kept, 422).
  const hookStart = start.plus({ days: 20 }).toUTC().toISO() ?? '';
  const calcom = (uid: string, type: string) =>
    JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      createdAt: CLOCK_START,
      payload: {
        uid,
        type,
        startTime: hookStart,
        endTime: start.plus({ days: 20, hours: 2 }).toUTC().toISO(),
        attendees: [{ name: `${FIRST_NAME} Q`, email: EMAIL, phoneNumber: PHONE, timeZone: ZONE }],
        responses: { notes: { value: NOTE } },
      },
    });
  expect((await client.postHook('calcom', calcom('phi-cal', 'ketamine-infusion'))).status).toBe(200);
  expect((await client.postHook('calcom', calcom('phi-cal-2', 'unknown-type'))).status).toBe(422);
  const appointment = {
    resourceType: 'Appointment',
    id: 'phi-fhir',
    status: 'booked',
    serviceType: [{ coding: [{ code: 'esketamine' }] }],
    start: hookStart,
    minutesDuration: 120,
    comment: NOTE,
    contained: [
      {
        resourceType: 'Patient',
        id: 'p',
        name: [{ given: [FIRST_NAME] }],
        telecom: [
          { system: 'email', value: EMAIL },
          { system: 'sms', value: PHONE },
        ],
      },
    ],
    participant: [{ actor: { reference: '#p' } }],
  };
  expect((await client.postHook('fhir', JSON.stringify(appointment))).status).toBe(200);
  expect((await client.postHook('fhir', JSON.stringify({ ...appointment, start: 'soon' }))).status).toBe(422);
  // A clinician downloads the replies as FHIR: the answers leave in the file, never in a log line.
  const exporter = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
  const from = start.toISODate() ?? '';
  const to = start.plus({ days: 20 }).toISODate() ?? '';
  const download = await exporter.get(
    `/console/export/fhir?type=QuestionnaireResponse&from=${from}&to=${to}&page=1`,
  );
  expect(download.status).toBe(200);
  expect(download.text).toContain('Quokka marmalade');
  // A rotation of the link-signing key, through the rotation function AWS runs.
  expect((await client.postJson('/local/keys/rotate', {})).status).toBe(200);
  const final = await client.outbox();
  expect(final.some((m) => m.kind === 'review-digest')).toBe(true);
  expect(final.some((m) => m.kind === 'checkin-week')).toBe(true);
}

describe('local runtime logs', () => {
  it('carry no patient name, email, phone or free-text answer through a whole scenario', async () => {
    await runScenario();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const lines = captured.split('\n').filter((line) => line.trim() !== '');
    const logLines = lines.filter((line) => line.startsWith('{'));
    // The logs exist and cover the scenario, so the checks below can fail.
    expect(logLines.length).toBeGreaterThan(10);
    for (const message of [
      'event processed',
      'event rejected',
      'message delivered',
      'check-in reply stored',
    ]) {
      expect(
        logLines.some((line) => line.includes(`"${message}"`)),
        message,
      ).toBe(true);
    }
    expect(logLines.some((line) => /staff alert delivered/.test(line))).toBe(true);
    expect(logLines.some((line) => /staff alert acknowledged/.test(line))).toBe(true);
    expect(logLines.filter((line) => line.includes('"link key rotation step done"'))).toHaveLength(4);
    expect(logLines.filter((line) => line.includes('"delivery event recorded"'))).toHaveLength(2);
    expect(logLines.some((line) => line.includes('"front-desk notice"'))).toBe(true);
    expect(logLines.filter((line) => line.includes('"patient text stored"'))).toHaveLength(2);
    expect(logLines.filter((line) => line.includes('"sms opt-out list change recorded"'))).toHaveLength(2);
    expect(logLines.filter((line) => line.includes('"booking webhook delivered"'))).toHaveLength(2);
    // Bookings are named by their opaque surrogate, never the booking system's id.
    expect(logLines.some((line) => /"booking":"bk_[A-Za-z0-9_-]{12}"/.test(line))).toBe(true);
    expect(lines.filter((line) => line.includes('phi-1'))).toEqual([]);
    // No key: nothing shaped like one (64 URL-safe characters) in any line.
    expect(lines.filter((line) => /[A-Za-z0-9_-]{64}/.test(line))).toEqual([]);

    const leaks: string[] = [];
    for (const line of lines) {
      const lower = line.toLowerCase();
      for (const secret of [
        FIRST_NAME,
        EMAIL,
        'zq.patient7731',
        'quokka',
        'marmalade',
        'xylophone',
        'tangerine',
      ]) {
        if (lower.includes(secret.toLowerCase())) leaks.push(`${secret}: ${line.slice(0, 300)}`);
      }
      for (const pattern of PHONE_PATTERNS) {
        if (pattern.test(line)) leaks.push(`phone ${pattern}: ${line.slice(0, 300)}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('carry no triage rule id, no triage level next to a reply id, and no answer', () => {
    const logLines = captured.split('\n').filter((line) => line.startsWith('{'));
    expect(logLines.some((line) => line.includes('"replyId"'))).toBe(true);
    const leaks: string[] = [];
    const words = [
      ...DEFAULT_TRIAGE_RULES.map((rule) => rule.id),
      ...SIDE_EFFECTS,
      ...SIDE_EFFECTS.map((effect) => t('en', `sideEffect.${effect}`).toLowerCase()),
      'selfharm',
      'wantscall',
      'phq9',
      'gad7',
    ];
    for (const line of logLines) {
      const lower = line.toLowerCase();
      for (const word of words) {
        if (
          new RegExp(`(^|[^a-z0-9-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}([^a-z0-9-]|$)`).test(lower)
        ) {
          leaks.push(`${word}: ${line.slice(0, 300)}`);
        }
      }
      if (line.includes('"replyId"') && /"(urgent|review|routine)"/.test(line)) {
        leaks.push(`level with a reply id: ${line.slice(0, 300)}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
