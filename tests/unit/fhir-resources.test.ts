import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SEVERITIES, SIDE_EFFECTS } from '../../shared/contracts/vocabulary';
import type { BookingRecord } from '../../shared/domain/booking-record';
import { scoreGad7, scorePhq9 } from '../../shared/domain/checkins/screeners';
import type { StoredReply } from '../../shared/domain/ports';
import {
  appointmentOf,
  checkinQuestionnaires,
  fhirId,
  GAD7_LOINC,
  PHQ9_LOINC,
  patientOf,
  questionnaireResponse,
  screenerObservations,
} from '../../shared/web/fhir/resources';
import { r4Errors } from '../support/fhir-validator';

const BASE = { url: 'https://care.example-clinic.org/fhir' };
const item = fc.integer({ min: 0, max: 3 });
const answers = fc.record({
  mood: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
  sideEffects: fc.dictionary(fc.constantFrom(...SIDE_EFFECTS), fc.constantFrom(...SEVERITIES)),
  stillNow: fc.option(
    fc.record({ dissociation: fc.boolean(), 'out-of-body': fc.boolean() }, { requiredKeys: [] }),
    {
      nil: undefined,
    },
  ),
  selfHarm: fc.option(fc.constantFrom('yes' as const, 'no' as const), { nil: undefined }),
  selfHarmNow: fc.option(fc.constantFrom('yes' as const, 'no' as const), { nil: undefined }),
  wantsCall: fc.boolean(),
  note: fc.option(fc.string({ minLength: 1, maxLength: 200 }), { nil: undefined }),
  phq9: fc.option(fc.array(item, { minLength: 9, maxLength: 9 }), { nil: undefined }),
  gad7: fc.option(fc.array(item, { minLength: 7, maxLength: 7 }), { nil: undefined }),
  phq9Difficulty: fc.option(item, { nil: undefined }),
});

function replyOf(kind: StoredReply['kind'], a: Record<string, unknown>): StoredReply {
  const typed = a as unknown as StoredReply['answers'];
  return {
    replyId: '3f6c2a4e-1b7d-4c1e-9a55-0c8d9e2f7b10',
    bookingId: 'calcom:u-1',
    kind,
    receivedAt: '2026-11-10T15:00:00.000Z',
    answers: typed,
    triage: 'routine',
    rules: [],
    scores: {
      ...(typed.phq9 ? { phq9: scorePhq9(typed.phq9) } : {}),
      ...(typed.gad7 ? { gad7: scoreGad7(typed.gad7) } : {}),
    },
  };
}

describe('FHIR R4 resources', () => {
  it('makes the three questionnaires valid R4, the week one with both screeners', () => {
    const questionnaires = checkinQuestionnaires(BASE);
    expect(questionnaires.map((q) => q.url)).toEqual([
      `${BASE.url}/Questionnaire/checkin-same-day`,
      `${BASE.url}/Questionnaire/checkin-next-day`,
      `${BASE.url}/Questionnaire/checkin-week`,
    ]);
    expect(questionnaires.flatMap(r4Errors)).toEqual([]);
  });

  it('turns any check-in reply into a valid QuestionnaireResponse, its totals into Observations equal to its scores', () => {
    fc.assert(
      fc.property(
        answers,
        fc.constantFrom('checkin-same-day', 'checkin-next-day', 'checkin-week' as const),
        (a, kind) => {
          const reply = replyOf(kind, a);
          const response = questionnaireResponse(BASE, reply, 'calcom:abc');
          const observations = screenerObservations(BASE, reply, 'calcom:abc');
          expect([...(response ? [response] : []), ...observations].flatMap(r4Errors)).toEqual([]);
          expect(response?.subject?.reference).toBe(`Patient/${fhirId('calcom:abc')}`);
          const total = (code: string) => observations.find((o) => o.code.coding?.[0]?.code === code);
          expect(total(PHQ9_LOINC.total)?.valueInteger).toBe(reply.scores.phq9?.total);
          expect(total(PHQ9_LOINC.total)?.interpretation?.[0]?.coding?.[0]?.code).toBe(
            reply.scores.phq9?.band,
          );
          expect(total(GAD7_LOINC.total)?.valueInteger).toBe(reply.scores.gad7?.total);
          // Each screener answer is the LOINC answer of its score, under the item's link id.
          const phq9 = response?.item?.find((i) => i.linkId === 'phq9')?.item ?? [];
          expect(phq9.slice(0, 9).map((i) => i.answer?.[0]?.valueCoding?.code)).toEqual(
            (a.phq9 ?? []).map((s) => ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'][s]),
          );
        },
      ),
      { numRuns: 150 },
    );
  });

  it('marks a reply kept for its red flag in progress, and "acting on it now" as the thoughts too', () => {
    const salvaged = {
      ...replyOf('checkin-next-day', { sideEffects: {}, wantsCall: false, selfHarmNow: 'yes' }),
      unread: ['mood'],
    };
    const response = questionnaireResponse(BASE, salvaged, 'p-1');
    expect(response?.status).toBe('in-progress');
    expect(response?.item?.find((i) => i.linkId === 'selfHarm')?.answer).toEqual([{ valueBoolean: true }]);
    const whole = replyOf('checkin-next-day', { mood: 5, selfHarm: 'no', sideEffects: {}, wantsCall: false });
    expect(questionnaireResponse(BASE, whole, 'p-1')?.status).toBe('completed');
    expect(r4Errors(response as never)).toEqual([]);
  });

  it("gives a patient's text no questionnaire response and no totals", () => {
    const text = replyOf('text', { sideEffects: {}, wantsCall: false, note: 'I feel awful' });
    expect(questionnaireResponse(BASE, text, 'p-1')).toBeUndefined();
    expect(screenerObservations(BASE, text, 'p-1')).toEqual([]);
  });

  it('makes valid Appointments (booked, cancelled, fulfilled) and Patients, ids with a colon hashed to FHIR ids', () => {
    const booking = {
      bookingId: 'fhir:ehr:appt-7',
      version: 2,
      session: {
        startsAt: '2026-11-02T15:00:00.000Z',
        durationMinutes: 90,
        timeZone: 'America/New_York',
        treatment: 'kap',
      },
      patient: {
        id: 'calcom:Zx_9',
        firstName: 'Noor',
        email: 'noor@example.org',
        phone: '+15550100003',
        language: 'es',
        preferredChannel: 'both',
      },
    } as NonNullable<BookingRecord['booking']>;
    const record = (over: Partial<BookingRecord>): BookingRecord => ({
      bookingId: booking.bookingId,
      version: 2,
      status: 'active',
      booking,
      plan: {},
      revision: 1,
      updatedAt: '2026-11-01T00:00:00.000Z',
      ...over,
    });
    const appointments = [
      appointmentOf(BASE, record({})),
      appointmentOf(BASE, record({ status: 'cancelled', cancelReason: 'no-show' })),
      appointmentOf(BASE, record({ endedAt: '2026-11-02T16:20:00.000Z' })),
    ];
    expect(appointments.map((a) => a?.status)).toEqual(['booked', 'cancelled', 'fulfilled']);
    const patient = patientOf(BASE, booking.patient);
    expect([...appointments.flatMap((a) => (a ? [a] : [])), patient].flatMap(r4Errors)).toEqual([]);
    expect(patient.id).toMatch(/^h-[0-9a-f]{40}$/);
    expect(patient.identifier?.[0]?.value).toBe('calcom:Zx_9');
    expect(appointments[0]?.participant[0]?.actor?.reference).toBe(`Patient/${patient.id}`);
    expect(fhirId('appt-7.2')).toBe('appt-7.2');
  });

  it('is caught by the validator when a resource is wrong (the checks above can fail)', () => {
    const broken = { ...checkinQuestionnaires(BASE)[0], status: undefined } as never;
    expect(r4Errors(broken)).toHaveLength(1);
  });
});
