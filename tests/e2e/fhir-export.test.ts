import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Observation, QuestionnaireResponse, Resource } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_STAFF_PASSWORD, type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { exportFhirCommand } from '../../scripts/fhir-export-command';
import { GAD7_LOINC, PHQ9_LOINC } from '../../shared/web/fhir/resources';
import { signInOverHttp } from '../support/console-session';
import { r4Errors } from '../support/fhir-validator';

const ZONE = 'America/New_York';
let runtime: LocalRuntime;
let out: string;

type Sent = { bookingId?: string; kind?: string; channel: string; text: string };
type StoredReply = {
  replyId: string;
  bookingId: string;
  kind: string;
  receivedAt: string;
  answers: Record<string, unknown>;
};

const get = async <T>(path: string): Promise<T> => (await fetch(runtime.url + path)).json() as Promise<T>;
const post = async (path: string, body: unknown) =>
  fetch(runtime.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
const advanceTo = (at: DateTime) => post('/local/clock', { to: at.toUTC().toISO() });
async function linkOf(bookingId: string, kind: string): Promise<string> {
  const message = (await get<Sent[]>('/local/outbox')).find(
    (m) => m.bookingId === bookingId && m.kind === kind && m.channel === 'email',
  );
  const link = message?.text.match(/\/c\/[A-Za-z0-9_-]+/)?.[0];
  if (!link) throw new Error(`no ${kind} link for ${bookingId}`);
  return link;
}

/** Three patients on Monday 2 November 2026; their week check-ins are answered the week after. */
const START = DateTime.fromISO('2026-11-02T10:00', { zone: ZONE });
const PATIENTS = [
  { n: 1, phq9: [3, 3, 2, 2, 1, 1, 0, 0, 0], gad7: [3, 2, 2, 1, 1, 0, 0], difficulty: 2 },
  { n: 2, phq9: [0, 0, 0, 0, 0, 0, 0, 0, 0], gad7: [0, 0, 0, 0, 0, 0, 1], difficulty: 0 },
  { n: 3, phq9: [1, 1, 1, 1, 1, 1, 1, 1, 0], gad7: [2, 2, 2, 2, 2, 2, 2] },
];
const WEEK = { since: '2026-11-09', until: '2026-11-15' };

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  runtime = await startLocalRuntime({
    port: 0,
    clockStart: '2026-10-30T14:00:00Z',
    demo: false,
    throttle: false,
  });
  out = mkdtempSync(join(tmpdir(), 'fhir-export-'));
  for (const { n } of PATIENTS) {
    await post('/local/events', {
      Source: 'clinic.booking',
      DetailType: 'Booking Created',
      Detail: {
        bookingId: `fx-${n}`,
        version: 1,
        session: {
          startsAt: START.plus({ hours: n }).toISO(),
          durationMinutes: 60,
          timeZone: ZONE,
          treatment: 'iv-ketamine',
        },
        patient: {
          id: `fx-patient-${n}`,
          firstName: 'Noor',
          email: `fx${n}@example.org`,
          phone: `+1555020000${n}`,
        },
      },
    });
  }
  // The same-day check-in of patient 1, answered before the week exported.
  await advanceTo(START.plus({ hours: 8 }));
  expect((await post(await linkOf('fx-1', 'checkin-same-day'), { mood: 6, selfHarm: 'no' })).status).toBe(
    201,
  );
  // The week check-ins, answered on Tuesday 10 November; patient 3 also texts the clinic.
  await advanceTo(START.plus({ days: 8, hours: 6 }));
  for (const { n, phq9, gad7, difficulty } of PATIENTS) {
    const answers = {
      mood: 5,
      selfHarm: 'no',
      phq9,
      gad7,
      ...(difficulty !== undefined ? { phq9Difficulty: difficulty } : {}),
    };
    expect((await post(await linkOf(`fx-${n}`, 'checkin-week'), answers)).status).toBe(201);
  }
  expect(
    (await post('/local/sms/inbound', { from: '+15550200003', body: 'Feeling better, thanks' })).status,
  ).toBe(200);
  // Patient 3's booking then moves far away (its day list with it): its replies must still be found.
  await post('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Rescheduled',
    Detail: {
      bookingId: 'fx-3',
      version: 2,
      session: {
        startsAt: '2027-02-01T10:00:00-05:00',
        durationMinutes: 60,
        timeZone: ZONE,
        treatment: 'iv-ketamine',
      },
      patient: { id: 'fx-patient-3', firstName: 'Noor', email: 'fx3@example.org', phone: '+15550200003' },
    },
  });
}, 60_000);
afterAll(async () => {
  rmSync(out, { recursive: true, force: true });
  await runtime.close();
});

describe('FHIR export of a week through the local runtime', () => {
  let files: { type: string; lines: number; path: string }[];
  const read = (type: string): Resource[] =>
    readFileSync(join(out, `${type}.ndjson`), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Resource);

  beforeAll(async () => {
    files = await exportFhirCommand(['--since', WEEK.since, '--until', WEEK.until, '--out', out], {
      LOCAL_URL: runtime.url,
    });
  });

  it('writes one NDJSON file per resource type', () => {
    expect(files.map((f) => f.type).sort()).toEqual(
      ['Appointment', 'Observation', 'Patient', 'Questionnaire', 'QuestionnaireResponse'].sort(),
    );
  });

  it('validates every exported resource against the R4 definitions with no errors', () => {
    const all = files.flatMap((file) => read(file.type));
    expect(all.length).toBeGreaterThan(12);
    expect(all.flatMap(r4Errors)).toEqual([]);
  });

  it("exports the week's check-in replies (one of a session moved since), none from outside it and no patient text", async () => {
    const stored = (await get<StoredReply[]>('/local/replies')).filter((r) => r.bookingId.startsWith('fx-'));
    expect(stored.map((r) => r.kind).sort()).toEqual([
      'checkin-same-day',
      'checkin-week',
      'checkin-week',
      'checkin-week',
      'text',
    ]);
    const responses = read('QuestionnaireResponse') as QuestionnaireResponse[];
    const inWeek = stored.filter((r) => r.kind === 'checkin-week');
    expect(responses.map((r) => r.identifier?.value).sort()).toEqual(inWeek.map((r) => r.replyId).sort());
    for (const response of responses) {
      expect(response.questionnaire).toMatch(/\/fhir\/Questionnaire\/checkin-week\|1$/);
      const phq9 = response.item?.find((i) => i.linkId === 'phq9');
      const stored = inWeek.find((r) => r.replyId === response.identifier?.value);
      const codes = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];
      expect(phq9?.item?.slice(0, 9).map((i) => i.answer?.[0]?.valueCoding?.code)).toEqual(
        ((stored?.answers.phq9 ?? []) as number[]).map((score) => codes[score]),
      );
    }
    // The session of the 2nd is outside the week: no Appointment, but each patient who answered.
    expect(read('Appointment')).toEqual([]);
    expect(
      read('Patient')
        .map((p) => p.id)
        .sort(),
    ).toEqual(['fx-patient-1', 'fx-patient-2', 'fx-patient-3']);
  });

  it('gives each PHQ-9 and GAD-7 total as an Observation equal to the stored score, with its band', async () => {
    const stored = (await get<StoredReply[]>('/local/replies')).filter(
      (r) => r.bookingId.startsWith('fx-') && r.kind === 'checkin-week',
    );
    const observations = read('Observation') as Observation[];
    expect(observations).toHaveLength(6);
    const sum = (items: unknown) => (items as number[]).reduce((a, b) => a + b, 0);
    for (const reply of stored) {
      const of = (code: string) =>
        observations.find(
          (o) =>
            o.code.coding?.[0]?.code === code &&
            o.derivedFrom?.[0]?.reference === `QuestionnaireResponse/${reply.replyId}`,
        );
      expect(of(PHQ9_LOINC.total)?.valueInteger, reply.bookingId).toBe(sum(reply.answers.phq9));
      expect(of(GAD7_LOINC.total)?.valueInteger, reply.bookingId).toBe(sum(reply.answers.gad7));
    }
    const bands = Object.fromEntries(
      observations.map((o) => [
        `${o.subject?.reference} ${o.code.coding?.[0]?.code}`,
        o.interpretation?.[0]?.coding?.[0]?.code,
      ]),
    );
    expect(bands).toEqual({
      'Patient/fx-patient-1 44261-6': 'moderate',
      'Patient/fx-patient-1 70274-6': 'mild',
      'Patient/fx-patient-2 44261-6': 'minimal',
      'Patient/fx-patient-2 70274-6': 'minimal',
      'Patient/fx-patient-3 44261-6': 'mild',
      'Patient/fx-patient-3 70274-6': 'moderate',
    });
  });

  it('names each PHQ-9 and GAD-7 item by its LOINC code in the week questionnaire', () => {
    const week = read('Questionnaire').find((q) => q.id === 'checkin-week') as unknown as {
      item: { linkId: string; code?: { code: string }[]; item?: { code?: { code: string }[] }[] }[];
    };
    const codes = (linkId: string) => week.item.find((i) => i.linkId === linkId);
    expect(codes('phq9')?.code?.[0]?.code).toBe('44249-1');
    expect(codes('phq9')?.item?.map((i) => i.code?.[0]?.code)).toEqual([...PHQ9_LOINC.items, '69722-7']);
    expect(codes('gad7')?.code?.[0]?.code).toBe('69737-5');
    expect(codes('gad7')?.item?.map((i) => i.code?.[0]?.code)).toEqual([...GAD7_LOINC.items]);
  });

  it('refuses a command without --out, and a window the wrong way round, naming the argument', async () => {
    await expect(exportFhirCommand(['--since', '2026-11-09'], { LOCAL_URL: runtime.url })).rejects.toThrow(
      /--out/,
    );
    await expect(
      exportFhirCommand(['--since', '2026-11-09', '--until', '2026-11-01', '--out', out], {
        LOCAL_URL: runtime.url,
      }),
    ).rejects.toThrow(/--until: must come after since/);
    await expect(
      exportFhirCommand(['--since', 'last week', '--out', out], { LOCAL_URL: runtime.url }),
    ).rejects.toThrow(/--since/);
  });
});

describe('FHIR downloads in the console', () => {
  const ndjson = (text: string) =>
    text
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Resource);

  it('gives a clinician one type a week at a time, valid R4, each download in the audit with their name', async () => {
    const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
    const form = await clinician.get('/console/export');
    expect(form.status).toBe(200);
    expect(form.text).toContain('Export (FHIR R4)');
    const planned = await clinician.get('/console/export?type=Observation&from=2026-11-02&to=2026-11-15');
    const parts = [...planned.text.matchAll(/href="(\/console\/export\/fhir\?[^"]+)"/g)].map((m) =>
      (m[1] ?? '').replaceAll('&amp;', '&'),
    );
    expect(parts).toHaveLength(2);
    const first = await clinician.get(parts[0] ?? '');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/fhir+ndjson');
    expect(first.headers.get('content-disposition')).toContain('Observation-2026-11-02-to-2026-11-08.ndjson');
    expect(first.headers.get('link')).toContain('page=2');
    // The replies came on the 10th: the first week has none, the second all six totals.
    expect(ndjson(first.text)).toEqual([]);
    const second = await clinician.get(parts[1] ?? '');
    const observations = ndjson(second.text);
    expect(observations.map((o) => o.resourceType)).toEqual(Array(6).fill('Observation'));
    expect(observations.flatMap(r4Errors)).toEqual([]);
    expect(second.headers.get('link')).toBeNull();

    const admin = await signInOverHttp(runtime.url, 'admin@example.org', DEFAULT_STAFF_PASSWORD);
    const day = (await get<{ now: string }>('/local/clock')).now.slice(0, 10);
    const audit = await admin.get(`/console/audit?day=${day}&user=clinician%40example.org`);
    const exports = [...audit.text.matchAll(/exported <code>(EXPORT#fhir:Observation:[^<]+)<\/code>/g)];
    // Both at the same virtual time: in either order.
    expect(exports.map((m) => m[1]).sort()).toEqual([
      'EXPORT#fhir:Observation:2026-11-02T05:00:00.000Z/2026-11-09T05:00:00.000Z',
      'EXPORT#fhir:Observation:2026-11-09T05:00:00.000Z/2026-11-16T05:00:00.000Z',
    ]);
  });

  it('refuses a window over 31 days or a part it did not plan, and anyone but a clinician', async () => {
    const clinician = await signInOverHttp(runtime.url, 'clinician@example.org', DEFAULT_STAFF_PASSWORD);
    const tooLong = await clinician.get('/console/export?type=Patient&from=2026-10-01&to=2026-11-15');
    expect(tooLong.text).toContain('must be at most 31 days after the first day');
    expect(tooLong.text).not.toContain('/console/export/fhir?');
    expect(
      (await clinician.get('/console/export/fhir?type=Patient&from=2026-10-01&to=2026-11-15')).status,
    ).toBe(404);
    expect(
      (await clinician.get('/console/export/fhir?type=Patient&from=2026-11-01&to=2026-11-02&page=2')).status,
    ).toBe(404);
    expect(
      (await clinician.get('/console/export/fhir?type=Secrets&from=2026-11-01&to=2026-11-02')).status,
    ).toBe(404);
    const frontDesk = await signInOverHttp(runtime.url, 'frontdesk@example.org', DEFAULT_STAFF_PASSWORD);
    expect((await frontDesk.get('/console/export')).status).toBe(403);
    expect(
      (await frontDesk.get('/console/export/fhir?type=Patient&from=2026-11-01&to=2026-11-02')).status,
    ).toBe(403);
  });
});
