import { describe, expect, it } from 'vitest';
import { type FhirTreatments, readFhirAppointments } from '../../shared/domain/hooks/fhir-appointment';

const OPTS = {
  treatments: { 'ketamine-iv': 'iv-ketamine', spravato: 'esketamine-nasal' } satisfies FhirTreatments,
  timeZone: 'America/New_York',
  receivedAt: '2026-11-30T10:00:00.000Z',
};

const PATIENT = {
  resourceType: 'Patient',
  id: 'pat-7',
  name: [{ given: ['Ana', 'Maria'], family: 'Ruiz' }],
  telecom: [
    { system: 'phone', value: '+15555550100', use: 'home' },
    { system: 'phone', value: '+15555550123', use: 'mobile' },
    { system: 'email', value: 'ana@example.org' },
  ],
  communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'es-US' }] }, preferred: true }],
};

/** An R4 Appointment with its Patient contained. */
function appointment(extra: Record<string, unknown> = {}) {
  return {
    resourceType: 'Appointment',
    id: 'appt-1',
    meta: { lastUpdated: '2026-11-30T09:00:00Z' },
    status: 'booked',
    serviceType: [{ coding: [{ system: 'https://clinic.example.org/services', code: 'ketamine-iv' }] }],
    start: '2026-12-07T10:00:00-05:00',
    end: '2026-12-07T11:30:00-05:00',
    contained: [PATIENT],
    participant: [
      { actor: { reference: '#pat-7' }, status: 'accepted' },
      { actor: { reference: 'Practitioner/dr-1', display: 'Dr. Lee' }, status: 'accepted' },
    ],
    ...extra,
  };
}

describe('reading FHIR R4 Appointments', () => {
  it('reads a booked Appointment with its contained Patient', () => {
    expect(readFhirAppointments(appointment(), OPTS)).toEqual([
      {
        type: 'booking',
        appointmentId: 'appt-1',
        at: '2026-11-30T09:00:00.000Z',
        session: {
          startsAt: '2026-12-07T15:00:00.000Z',
          durationMinutes: 90,
          timeZone: 'America/New_York',
          treatment: 'iv-ketamine',
          clinicianName: 'Dr. Lee',
        },
        patient: {
          id: 'fhir:pat-7',
          firstName: 'Ana',
          email: 'ana@example.org',
          phone: '+15555550123',
          language: 'es',
        },
      },
    ]);
  });

  it('reads every Appointment of a Subscription notification, its Patient an entry of the bundle', () => {
    const { contained: _, ...bare } = appointment({
      participant: [{ actor: { reference: 'Patient/pat-7' } }],
      meta: undefined,
      appointmentType: { coding: [{ code: 'spravato' }] },
      serviceType: undefined,
      end: undefined,
      minutesDuration: 120,
    });
    const bundle = {
      resourceType: 'Bundle',
      type: 'history',
      timestamp: '2026-11-30T09:30:00Z',
      entry: [
        { fullUrl: 'urn:uuid:sub-status', resource: { resourceType: 'Parameters' } },
        { fullUrl: 'https://ehr.example.org/Appointment/appt-1', resource: bare },
        { fullUrl: 'https://ehr.example.org/Patient/pat-7', resource: PATIENT },
      ],
    };
    expect(readFhirAppointments(bundle, OPTS)).toEqual([
      expect.objectContaining({
        type: 'booking',
        // No meta.lastUpdated: the bundle's timestamp orders it.
        at: '2026-11-30T09:30:00.000Z',
        session: expect.objectContaining({ durationMinutes: 120, treatment: 'esketamine-nasal' }),
        patient: expect.objectContaining({ id: 'fhir:pat-7' }),
      }),
    ]);
  });

  it('takes cancelled, entered-in-error and noshow as a cancel, fulfilled as the visit done', () => {
    const read = (status: string, extra = {}) =>
      readFhirAppointments(appointment({ status, ...extra }), OPTS)[0];
    expect(read('cancelled', { cancelationReason: { text: 'patient ill' } })).toEqual({
      type: 'cancelled',
      appointmentId: 'appt-1',
      at: '2026-11-30T09:00:00.000Z',
      reason: 'patient ill',
    });
    expect(read('noshow')).toMatchObject({ type: 'cancelled', reason: 'no-show' });
    expect(read('entered-in-error')).toMatchObject({ type: 'cancelled' });
    expect(read('fulfilled')).toEqual({
      type: 'fulfilled',
      appointmentId: 'appt-1',
      at: '2026-11-30T09:00:00.000Z',
    });
  });

  it.each(['proposed', 'pending', 'arrived', 'checked-in', 'waitlist'])('ignores the status %s', (status) => {
    expect(readFhirAppointments(appointment({ status }), OPTS)).toEqual([
      { type: 'ignored', appointmentId: 'appt-1', status },
    ]);
  });

  it.each([
    [
      'a Patient neither contained nor in the bundle',
      appointment({ contained: [] }),
      'Appointment.participant.0.actor.reference',
    ],
    [
      'no participant that is a Patient',
      appointment({ participant: [{ actor: { display: 'someone' } }] }),
      'Appointment.participant',
    ],
    [
      'a service no treatment maps',
      appointment({ serviceType: [{ coding: [{ code: 'massage' }] }] }),
      'Appointment.serviceType',
    ],
    ['no start', appointment({ start: undefined }), 'Appointment.start'],
    ['no id', appointment({ id: '' }), 'Appointment.id'],
    ['another resource', { resourceType: 'Patient' }, 'resourceType'],
  ])('names the field of an Appointment with %s', (_, body, field) => {
    const [read] = readFhirAppointments(body, OPTS);
    expect(read?.type).toBe('unmappable');
    expect(read?.type === 'unmappable' && read.errors[0]?.field).toBe(field);
  });
});
