import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import clinicConfig from '../../config/clinic';
import { fullBookingSchema } from '../../shared/contracts/booking-events';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { findSensitiveTerms, sampleBooking } from '../../shared/domain/messages/config-validation';
import {
  buildBookingIcs,
  buildSessionIcs,
  escapeIcsText,
  foldIcsLine,
} from '../../shared/domain/messages/ics';

const BASE = {
  uid: 'bk-1@example-clinic.org',
  startsAt: '2026-03-18T09:30:00-04:00',
  durationMinutes: 90,
  summary: 'Appointment at Riverside Clinic',
  now: '2026-03-01T12:00:00Z',
} as const;

/** RFC 5545 unfolding: a line break followed by one space or tab is removed. */
function unfold(ics: string): string[] {
  return ics
    .replace(/\r\n[ \t]/g, '')
    .split('\r\n')
    .filter((line) => line !== '');
}

const octets = (line: string) => Buffer.byteLength(line, 'utf8');

describe('ics', () => {
  describe('buildSessionIcs', () => {
    it('ends every line with CRLF and has no bare line feed or carriage return', () => {
      const ics = buildSessionIcs({ ...BASE, description: 'one\ntwo\r\nthree' });
      expect(ics.endsWith('\r\n')).toBe(true);
      expect(ics.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
    });

    it('writes DTSTAMP, DTSTART and DTEND in UTC when the start has an offset', () => {
      const lines = unfold(buildSessionIcs(BASE));
      expect(lines).toContain('DTSTAMP:20260301T120000Z');
      expect(lines).toContain('DTSTART:20260318T133000Z');
      expect(lines).toContain('DTEND:20260318T150000Z');
    });

    it('publishes one event with version, PRODID and a sequence', () => {
      const lines = unfold(buildSessionIcs({ ...BASE, sequence: 3 }));
      expect(lines.slice(0, 6)).toEqual([
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'PRODID:-//clinic-followup//appointment//EN',
        'CALSCALE:GREGORIAN',
        'METHOD:PUBLISH',
        'BEGIN:VEVENT',
      ]);
      expect(lines).toContain('SEQUENCE:3');
      expect(lines.slice(-2)).toEqual(['END:VEVENT', 'END:VCALENDAR']);
    });

    it('escapes backslash, semicolon, comma and newlines in TEXT values', () => {
      const lines = unfold(buildSessionIcs({ ...BASE, location: 'Suite 2; Floor 3, Bldg\\A\nRear door' }));
      expect(lines).toContain('LOCATION:Suite 2\\; Floor 3\\, Bldg\\\\A\\nRear door');
    });

    it('folds lines longer than 75 octets without splitting a UTF-8 character', () => {
      const description = 'Preparación: ñandú '.repeat(12);
      const ics = buildSessionIcs({ ...BASE, description });
      const physical = ics.split('\r\n');
      expect(physical.some((line) => line.startsWith(' '))).toBe(true);
      for (const line of physical) expect(octets(line)).toBeLessThanOrEqual(75);
      expect(physical.join('')).not.toContain('\uFFFD');
      expect(unfold(ics)).toContain(`DESCRIPTION:${escapeIcsText(description)}`);
    });

    it('adds a display alarm when a reminder is asked for', () => {
      const lines = unfold(buildSessionIcs({ ...BASE, reminderMinutesBefore: 1440 }));
      const alarm = lines.slice(lines.indexOf('BEGIN:VALARM'), lines.indexOf('END:VALARM') + 1);
      expect(alarm).toEqual([
        'BEGIN:VALARM',
        'ACTION:DISPLAY',
        'DESCRIPTION:Appointment at Riverside Clinic',
        'TRIGGER:-PT24H',
        'END:VALARM',
      ]);
    });

    it('has no alarm when no reminder is asked for', () => {
      expect(buildSessionIcs(BASE)).not.toContain('VALARM');
    });

    it('writes ORGANIZER with a quoted name only when an address is given', () => {
      expect(buildSessionIcs({ ...BASE, organizerName: 'Riverside Clinic' })).not.toContain('ORGANIZER');
      const lines = unfold(
        buildSessionIcs({
          ...BASE,
          organizerName: 'Riverside "Main" Clinic',
          organizerEmail: 'care@example-clinic.org',
        }),
      );
      expect(lines).toContain('ORGANIZER;CN="Riverside  Main  Clinic":mailto:care@example-clinic.org');
    });

    it('throws when the start is not a valid date', () => {
      expect(() => buildSessionIcs({ ...BASE, startsAt: 'tomorrow' })).toThrow(RangeError);
      expect(() => buildSessionIcs({ ...BASE, durationMinutes: 0 })).toThrow(RangeError);
    });
  });

  describe('foldIcsLine', () => {
    it('keeps every physical line within 75 octets and unfolds to the original', () => {
      fc.assert(
        fc.property(
          fc.oneof(
            fc.string({ minLength: 60, maxLength: 300 }),
            fc.string({ unit: 'grapheme', minLength: 30, maxLength: 300 }),
          ),
          (text) => {
            const line = `DESCRIPTION:${escapeIcsText(text)}`;
            const folded = foldIcsLine(line);
            return (
              folded.split('\r\n').every((physical) => octets(physical) <= 75) &&
              folded.replace(/\r\n /g, '') === line
            );
          },
        ),
      );
    });
  });

  describe('buildBookingIcs', () => {
    const config = parseClinicConfig(clinicConfig);

    it('names only the clinic in the summary, in the patient language', () => {
      for (const [language, summary] of [
        ['en', 'SUMMARY:Appointment at Riverside Clinic'],
        ['es', 'SUMMARY:Cita en Riverside Clinic'],
      ] as const) {
        const booking = fullBookingSchema.parse(sampleBooking(config, language));
        const lines = unfold(buildBookingIcs({ config, booking, now: BASE.now }));
        expect(lines).toContain(summary);
        expect(findSensitiveTerms(summary)).toEqual([]);
      }
    });

    it('keys the event by booking and versions it so a reschedule updates it', () => {
      const booking = fullBookingSchema.parse({
        ...sampleBooking(config, 'en'),
        version: 4,
        session: { ...sampleBooking(config, 'en').session, treatment: 'esketamine-nasal' },
      });
      const lines = unfold(buildBookingIcs({ config, booking, now: BASE.now }));
      expect(lines).toContain('UID:sample-en@example-clinic.org');
      expect(lines).toContain('SEQUENCE:4');
      expect(lines).toContain('TRIGGER:-PT24H');
      expect(lines.join('\n').toLowerCase()).not.toContain('ketamine');
    });
  });
});
