import { describe, expect, it } from 'vitest';
import {
  type BookingEvent,
  DETAIL_TYPES,
  type FieldError,
  parseBookingEvent,
} from '../../shared/contracts/booking-events';
import { aBooking, aBookingDetail } from '../support/fixtures';

const SOURCES = ['clinic.booking'] as const;

function parse(
  detail: unknown,
  detailType: unknown = DETAIL_TYPES.created,
  source: unknown = 'clinic.booking',
) {
  return parseBookingEvent({ source, detailType, detail, allowedSources: SOURCES });
}

function errorsOf(result: ReturnType<typeof parse>): FieldError[] {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.value)}`);
  return result.errors;
}

function accepted(result: ReturnType<typeof parse>): BookingEvent {
  if (!result.ok) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
  return result.value;
}

/** The distinct fields a rejection names (one field may break more than one rule). */
const fields = (result: ReturnType<typeof parse>) => [...new Set(errorsOf(result).map((e) => e.field))];

/** An envelope whose source or detail-type may be missing altogether. */
const envelope = (source: unknown, detailType: unknown) =>
  parseBookingEvent({ source, detailType, detail: aBookingDetail(), allowedSources: SOURCES });

/** A valid booking detail with one field of `session` or `patient` replaced (or removed with `undefined`). */
function withField(part: 'session' | 'patient', field: string, value: unknown): Record<string, unknown> {
  const detail = aBookingDetail();
  const section = detail[part] as Record<string, unknown>;
  if (value === undefined) delete section[field];
  else section[field] = value;
  return detail;
}

describe('booking-events', () => {
  describe('free text that cannot spoof', () => {
    it('strips bidirectional controls and other format characters from the name, location and clinician', () => {
      const detail = aBookingDetail({
        patient: { firstName: '\u202EAna\u200B ' },
        session: { location: 'Room\u2066 2\u2069', clinicianName: 'Dr\u00AD Lee\uFEFF' },
      });
      const event = accepted(parse(detail));
      if (event.type !== 'created') throw new Error('unreachable');
      expect(event.booking.patient.firstName).toBe('Ana');
      expect(event.booking.session.location).toBe('Room 2');
      expect(event.booking.session.clinicianName).toBe('Dr Lee');
    });

    it('rejects a name made of format characters only, naming the field', () => {
      expect(fields(parse(withField('patient', 'firstName', '\u202E\u202C')))).toEqual([
        'detail.patient.firstName',
      ]);
    });
  });

  describe('parseBookingEvent', () => {
    describe('accepts', () => {
      it('a full booking as Booking Created, with the defaults filled in', () => {
        const detail = aBookingDetail();
        const patient = detail.patient as Record<string, unknown>;
        delete patient.preferredChannel;
        delete patient.language;
        const event = accepted(parse(detail));
        expect(event).toEqual({ type: 'created', booking: aBooking() });
        if (event.type !== 'created') throw new Error('unreachable');
        expect(event.booking.patient.preferredChannel).toBe('both');
        expect(event.booking.patient.language).toBe('en');
      });

      it('a full booking as Booking Rescheduled', () => {
        expect(accepted(parse(aBookingDetail({ version: 2 }), DETAIL_TYPES.rescheduled))).toEqual({
          type: 'rescheduled',
          booking: aBooking({ version: 2 }),
        });
      });

      it('a Booking Cancelled with and without a reason', () => {
        expect(
          accepted(parse({ bookingId: 'bk-1', version: 2, reason: 'no-show' }, DETAIL_TYPES.cancelled)),
        ).toEqual({
          type: 'cancelled',
          cancel: { bookingId: 'bk-1', version: 2, reason: 'no-show' },
        });
        expect(accepted(parse({ bookingId: 'bk-1', version: 3 }, DETAIL_TYPES.cancelled)).type).toBe(
          'cancelled',
        );
      });

      it('a Session Completed', () => {
        expect(
          accepted(
            parse({ bookingId: 'bk-1', endedAt: '2026-11-03T11:05:00-05:00' }, DETAIL_TYPES.completed),
          ),
        ).toEqual({
          type: 'completed',
          completion: { bookingId: 'bk-1', endedAt: '2026-11-03T11:05:00-05:00' },
        });
      });

      it('a detail given as a JSON string, as PutEvents carries it', () => {
        expect(accepted(parse(JSON.stringify(aBookingDetail())))).toEqual({
          type: 'created',
          booking: aBooking(),
        });
        expect(
          accepted(parse(JSON.stringify({ bookingId: 'bk-1', version: 2 }), DETAIL_TYPES.cancelled)).type,
        ).toBe('cancelled');
      });

      it('a patient with only an email or only a phone', () => {
        expect(parse(withField('patient', 'phone', undefined)).ok).toBe(true);
        expect(parse(withField('patient', 'email', undefined)).ok).toBe(true);
      });

      it('a bookingId of 128 characters from the allowed set', () => {
        const detail = aBookingDetail();
        detail.bookingId = `A-z_0.9:${'x'.repeat(120)}`;
        expect(parse(detail).ok).toBe(true);
      });

      it('any of the configured sources', () => {
        const result = parseBookingEvent({
          source: 'clinic.other',
          detailType: DETAIL_TYPES.created,
          detail: aBookingDetail(),
          allowedSources: ['clinic.booking', 'clinic.other'],
        });
        expect(result.ok).toBe(true);
      });
    });

    describe('rejects, naming the field', () => {
      it('a patient with neither email nor phone', () => {
        const detail = aBookingDetail();
        const patient = detail.patient as Record<string, unknown>;
        delete patient.email;
        delete patient.phone;
        const errors = errorsOf(parse(detail));
        expect(errors).toHaveLength(1);
        expect(errors[0]?.field).toMatch(/^detail\.patient\.(email|phone)$/);
        expect(errors[0]?.message).toMatch(/email|phone/);
      });

      it('an unknown session time zone', () => {
        expect(fields(parse(withField('session', 'timeZone', 'Mars/Olympus_Mons')))).toEqual([
          'detail.session.timeZone',
        ]);
      });

      it('an unknown patient time zone', () => {
        expect(fields(parse(withField('patient', 'timeZone', 'America/Gotham')))).toEqual([
          'detail.patient.timeZone',
        ]);
      });

      it.each([
        ['no plus sign', '15555550123'],
        ['a leading zero', '+05555550123'],
        ['spaces', '+1 555 555 0123'],
        ['too long', '+1555555012345678'],
        ['too short', '+12345'],
        ['letters', '+1555CALLNOW'],
      ])('a phone number that is not E.164 (%s)', (_label, phone) => {
        expect(fields(parse(withField('patient', 'phone', phone)))).toEqual(['detail.patient.phone']);
      });

      it('a malformed email', () => {
        expect(fields(parse(withField('patient', 'email', 'not-an-email')))).toEqual([
          'detail.patient.email',
        ]);
      });

      it('an unknown detail-type', () => {
        expect(fields(parse(aBookingDetail(), 'Booking Updated'))).toEqual(['detail-type']);
        expect(fields(envelope('clinic.booking', undefined))).toEqual(['detail-type']);
        expect(fields(envelope('clinic.booking', 'booking created'))).toEqual(['detail-type']);
      });

      it('an unknown or missing source', () => {
        expect(fields(parse(aBookingDetail(), DETAIL_TYPES.created, 'someone.else'))).toEqual(['source']);
        expect(fields(envelope(undefined, DETAIL_TYPES.created))).toEqual(['source']);
        expect(fields(envelope('CLINIC.BOOKING', DETAIL_TYPES.created))).toEqual(['source']);
      });

      it('a detail string that is not JSON', () => {
        expect(fields(parse('{"bookingId": "bk-1", '))).toEqual(['detail']);
        expect(fields(parse('not json at all'))).toEqual(['detail']);
      });

      it('a detail that is JSON but not an object', () => {
        expect(fields(parse('"a string"'))).toEqual(['detail']);
        expect(fields(parse(null))).toEqual(['detail']);
        expect(fields(parse([aBookingDetail()]))).toEqual(['detail']);
      });

      it.each([
        ['a slash', 'bk/1'],
        ['a space', 'bk 1'],
        ['a hash', 'BOOKING#1'],
        ['non-ASCII', 'bk-ñ'],
        ['nothing', ''],
        ['129 characters', 'x'.repeat(129)],
      ])('a bookingId with %s', (_label, bookingId) => {
        const detail = aBookingDetail();
        detail.bookingId = bookingId;
        expect(fields(parse(detail))).toEqual(['detail.bookingId']);
        expect(fields(parse({ bookingId, version: 2 }, DETAIL_TYPES.cancelled))).toEqual([
          'detail.bookingId',
        ]);
        expect(fields(parse({ bookingId, endedAt: '2026-11-03T16:00:00Z' }, DETAIL_TYPES.completed))).toEqual(
          ['detail.bookingId'],
        );
      });

      it.each([
        ['0', 0],
        ['negative', -1],
        ['fractional', 1.5],
        ['a string', '2'],
      ])('a version that is %s', (_label, version) => {
        const detail = aBookingDetail();
        detail.version = version;
        expect(fields(parse(detail))).toEqual(['detail.version']);
        expect(fields(parse({ bookingId: 'bk-1', version }, DETAIL_TYPES.cancelled))).toEqual([
          'detail.version',
        ]);
      });

      it.each([
        ['14 minutes', 14],
        ['601 minutes', 601],
        ['a fraction', 30.5],
      ])('a session duration of %s', (_label, minutes) => {
        expect(fields(parse(withField('session', 'durationMinutes', minutes)))).toEqual([
          'detail.session.durationMinutes',
        ]);
      });

      it.each([
        ['without an offset', '2026-11-03T10:00:00'],
        ['as a date only', '2026-11-03'],
        ['as text', 'next Tuesday'],
        ['on a day that does not exist', '2026-02-30T10:00:00Z'],
      ])('a session start %s', (_label, startsAt) => {
        expect(fields(parse(withField('session', 'startsAt', startsAt)))).toEqual([
          'detail.session.startsAt',
        ]);
      });

      it('an unknown treatment', () => {
        expect(fields(parse(withField('session', 'treatment', 'psilocybin')))).toEqual([
          'detail.session.treatment',
        ]);
      });

      it('an unknown preferredChannel or language', () => {
        expect(fields(parse(withField('patient', 'preferredChannel', 'fax')))).toEqual([
          'detail.patient.preferredChannel',
        ]);
        expect(fields(parse(withField('patient', 'language', 'fr')))).toEqual(['detail.patient.language']);
      });

      it('a missing session or patient', () => {
        const detail = aBookingDetail();
        delete detail.session;
        expect(fields(parse(detail))).toEqual(['detail.session']);
        const noPatient = aBookingDetail();
        delete noPatient.patient;
        expect(fields(parse(noPatient))).toEqual(['detail.patient']);
      });

      it('a Session Completed without an offset on endedAt', () => {
        expect(
          fields(parse({ bookingId: 'bk-1', endedAt: '2026-11-03T11:05:00' }, DETAIL_TYPES.completed)),
        ).toEqual(['detail.endedAt']);
      });

      it('a Booking Cancelled whose reason is too long', () => {
        expect(
          fields(parse({ bookingId: 'bk-1', version: 2, reason: 'x'.repeat(501) }, DETAIL_TYPES.cancelled)),
        ).toEqual(['detail.reason']);
      });

      it('every bad field at once', () => {
        const detail = aBookingDetail();
        detail.version = 0;
        (detail.session as Record<string, unknown>).timeZone = 'Nowhere/Land';
        (detail.patient as Record<string, unknown>).phone = '555';
        expect(fields(parse(detail)).sort()).toEqual(
          ['detail.patient.phone', 'detail.session.timeZone', 'detail.version'].sort(),
        );
      });

      it('with a message for every error', () => {
        for (const error of errorsOf(parse(withField('session', 'timeZone', 'Nowhere/Land')))) {
          expect(error.message.length).toBeGreaterThan(0);
        }
      });
    });
  });
});
