import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoHookBookingStore } from '../../shared/adapters/dynamodb/hook-booking-store';
import { HOOK_EVENT_SOURCE, parseBookingEvent } from '../../shared/contracts/booking-events';
import { type FhirHookDeps, receiveFhirDelivery } from '../../shared/domain/hooks/fhir-hook';
import type { HookEvent } from '../../shared/domain/hooks/hook-delivery';
import type { DeadLetter } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';

const TOKEN = 'token-of-the-ehr-0001';
let store: DynamoHookBookingStore;
let counter = 0;

beforeAll(async () => {
  const { db, tableName } = await freshTable();
  store = new DynamoHookBookingStore(db, tableName);
});

/** A session from 14:00 to 16:00 UTC on 10 June. */
const START = '2026-06-10T14:00:00Z';

function harness() {
  const put: HookEvent[] = [];
  const kept: DeadLetter[] = [];
  let now = '2026-06-01T12:00:00.000Z';
  const deps: FhirHookDeps = {
    clock: { now: () => now },
    tokens: { ehr: TOKEN },
    treatments: { 'ketamine-iv': 'iv-ketamine' },
    timeZone: 'America/Chicago',
    source: HOOK_EVENT_SOURCE,
    versions: store,
    publish: async (events) => void put.push(...events),
    deadLetters: { keep: async (letter) => void kept.push(letter) },
    metrics: { count: () => {}, flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const id = `appt-${++counter}`;
  const appointment = (status: string, lastUpdated: string, extra: Record<string, unknown> = {}) => ({
    resourceType: 'Appointment',
    id,
    meta: { lastUpdated },
    status,
    serviceType: [{ coding: [{ code: 'ketamine-iv' }] }],
    start: START,
    minutesDuration: 120,
    contained: [
      {
        resourceType: 'Patient',
        id: 'pt-1',
        name: [{ given: ['Lena'] }],
        telecom: [{ system: 'email', value: 'lena@example.org' }],
      },
    ],
    participant: [{ actor: { reference: '#pt-1' } }],
    ...extra,
  });
  const post = async (body: unknown) =>
    (await receiveFhirDelivery(deps, {
      rawBody: JSON.stringify(body),
      authorization: `Bearer ${TOKEN}`,
    })) as {
      status: number;
      body: { results: Record<string, unknown>[]; errors: { field: string; message: string }[] };
    };
  const at = (iso: string) => {
    now = iso;
  };
  return { deps, put, kept, id, bookingId: `fhir:ehr:${id}`, appointment, post, at };
}

describe('FHIR Appointments on dynalite', () => {
  it('puts the Booking Created of the contract, its patient scoped by the source', async () => {
    const h = harness();
    const answer = await h.post(h.appointment('booked', '2026-06-01T10:00:00Z'));
    expect(answer).toEqual({
      status: 200,
      body: { results: [{ appointmentId: h.id, bookingId: h.bookingId, version: 1 }] },
    });
    expect(h.put).toHaveLength(1);
    const [event] = h.put;
    expect(event?.detail).toMatchObject({
      bookingId: h.bookingId,
      version: 1,
      session: { startsAt: '2026-06-10T14:00:00.000Z', durationMinutes: 120, timeZone: 'America/Chicago' },
      patient: { id: 'fhir:ehr:pt-1', firstName: 'Lena', email: 'lena@example.org' },
    });
    const valid = parseBookingEvent({
      source: event?.source,
      detailType: event?.detailType,
      detail: event?.detail,
      allowedSources: [HOOK_EVENT_SOURCE],
    });
    expect(valid.ok).toBe(true);
  });

  it('numbers each change, puts the same event again for the same post, and ignores an older one', async () => {
    const h = harness();
    await h.post(h.appointment('booked', '2026-06-01T10:00:00Z'));
    const moved = h.appointment('booked', '2026-06-01T11:00:00Z', { start: '2026-06-11T14:00:00Z' });
    expect((await h.post(moved)).body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, version: 2 },
    ]);
    expect((await h.post(moved)).body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, version: 2 },
    ]);
    expect(h.put.map((e) => e.detail.version)).toEqual([1, 2, 2]);
    expect(h.put[2]).toEqual(h.put[1]);
    const stale = await h.post(h.appointment('cancelled', '2026-06-01T10:30:00Z'));
    expect(stale.body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, ignored: 'older than the last delivery' },
    ]);
    expect(h.put).toHaveLength(3);
  });

  it('knows a post without a time of its own when it comes again, even after a later change', async () => {
    const h = harness();
    const untimed = (status: string) => {
      const { meta: _none, ...appointment } = h.appointment(status, '');
      return appointment;
    };
    h.at('2026-06-01T12:00:00.000Z');
    await h.post(untimed('booked'));
    h.at('2026-06-01T12:05:00.000Z');
    // The same post again, received later: the same event, the same version.
    expect((await h.post(untimed('booked'))).body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, version: 1 },
    ]);
    h.at('2026-06-01T12:10:00.000Z');
    await h.post(untimed('cancelled'));
    // The booking's post retried after the cancel (its PutEvents had failed): it must not book again.
    h.at('2026-06-01T12:30:00.000Z');
    expect((await h.post(untimed('booked'))).body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, ignored: 'older than the last delivery' },
    ]);
    expect(h.put.map((e) => [e.detailType, e.detail.version])).toEqual([
      ['Booking Created', 1],
      ['Booking Created', 1],
      ['Booking Cancelled', 2],
    ]);
  });

  it('cancels on cancelled, entered-in-error and noshow (reason no-show), and books again after', async () => {
    const h = harness();
    await h.post(h.appointment('booked', '2026-06-01T10:00:00Z'));
    await h.post(h.appointment('noshow', '2026-06-01T10:10:00Z'));
    await h.post(h.appointment('booked', '2026-06-01T10:20:00Z'));
    await h.post(h.appointment('entered-in-error', '2026-06-01T10:30:00Z'));
    expect(h.put.map((e) => [e.detailType, e.detail.version, e.detail.reason])).toEqual([
      ['Booking Created', 1, undefined],
      ['Booking Cancelled', 2, 'no-show'],
      ['Booking Created', 3, undefined],
      ['Booking Cancelled', 4, undefined],
    ]);
  });

  it('completes the session on fulfilled only between its start and its planned end', async () => {
    const h = harness();
    h.at('2026-06-10T13:59:00.000Z');
    const early = await h.post(h.appointment('fulfilled', '2026-06-10T13:59:00Z'));
    expect(early.body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, ignored: 'no booked session to complete' },
    ]);
    await h.post(h.appointment('booked', '2026-06-01T10:00:00Z'));
    expect((await h.post(h.appointment('fulfilled', '2026-06-10T13:59:00Z'))).body.results[0]?.ignored).toBe(
      'the session has not started',
    );
    h.at('2026-06-10T15:20:00.000Z');
    expect((await h.post(h.appointment('fulfilled', '2026-06-10T15:20:00Z'))).body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, completed: '2026-06-10T15:20:00.000Z' },
    ]);
    h.at('2026-06-10T16:00:01.000Z');
    expect((await h.post(h.appointment('fulfilled', '2026-06-10T16:00:01Z'))).body.results[0]?.ignored).toBe(
      'after the planned end, which completed the session',
    );
    expect(h.put.map((e) => e.detailType)).toEqual(['Booking Created', 'Session Completed']);
    expect(h.put[1]?.detail).toEqual({ bookingId: h.bookingId, endedAt: '2026-06-10T15:20:00.000Z' });
  });

  it('applies what it can of a bundle and answers 422 naming the field of the rest, which is kept', async () => {
    const h = harness();
    const bundle = {
      resourceType: 'Bundle',
      type: 'history',
      timestamp: '2026-06-01T10:00:00Z',
      entry: [
        { resource: h.appointment('booked', '2026-06-01T10:00:00Z') },
        {
          resource: { ...h.appointment('booked', '2026-06-01T10:00:00Z'), id: `${h.id}-b`, serviceType: [] },
        },
        { resource: { ...h.appointment('arrived', '2026-06-01T10:00:00Z'), id: `${h.id}-c` } },
      ],
    };
    const answer = await h.post(bundle);
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([
      { field: 'entry.1.resource.serviceType', message: 'no code maps to a treatment (none)' },
    ]);
    expect(answer.body.results).toEqual([
      { appointmentId: h.id, bookingId: h.bookingId, version: 1 },
      { appointmentId: `${h.id}-c`, ignored: 'arrived' },
    ]);
    expect(h.kept).toHaveLength(1);
    expect(h.kept[0]).toMatchObject({ source: 'hooks/fhir', reason: expect.stringContaining('serviceType') });
  });

  it('refuses a booking the event contract refuses (422 naming the field), putting nothing', async () => {
    const h = harness();
    const noContact = h.appointment('booked', '2026-06-01T10:00:00Z', {
      contained: [{ resourceType: 'Patient', id: 'pt-1', name: [{ given: ['Lena'] }] }],
    });
    const answer = await h.post(noContact);
    expect(answer.status).toBe(422);
    expect(answer.body.errors[0]?.field).toBe('detail.patient.email');
    expect(h.put).toEqual([]);
  });

  it('refuses a post without the token of a known source (401), reading nothing', async () => {
    const h = harness();
    const raw = JSON.stringify(h.appointment('booked', '2026-06-01T10:00:00Z'));
    for (const authorization of [undefined, 'Bearer nope', `Basic ${TOKEN}`]) {
      const answer = await receiveFhirDelivery(h.deps, {
        rawBody: raw,
        ...(authorization ? { authorization } : {}),
      });
      expect(answer.status).toBe(401);
    }
    expect(h.put).toEqual([]);
    expect(h.kept).toEqual([]);
  });
});
