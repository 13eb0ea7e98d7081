import { describe, expect, it } from 'vitest';
import { SIDE_EFFECTS } from '../../shared/contracts/vocabulary';
import {
  STAFF_ALERT_SUBJECT_MAX,
  STAFF_ALERT_TEXT_MAX,
  type StaffAlertMessageInput,
  staffAlertMessage,
} from '../../shared/domain/alerts/staff-alert-message';
import { t } from '../../shared/web/i18n';
import { aBooking } from '../support/fixtures';

const BOOKING = aBooking();
const NOTE = 'I keep having chest pain and I feel hopeless';
const LINK = 'https://abc123def4.execute-api.us-east-1.amazonaws.com/a/Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0';

const ALERT: StaffAlertMessageInput = {
  kind: 'alert',
  alertId: 'al-01JC9Z8K7QX4M2N6P8R0T2V4W6',
  bookingRef: BOOKING.bookingId,
  replyKind: 'checkin-next-day',
  receivedAt: '2026-11-04T19:05:00.000Z',
  clinic: { name: 'Riverside Clinic', timeZone: 'America/New_York' },
  link: LINK,
};

const ESCALATION: StaffAlertMessageInput = { ...ALERT, kind: 'escalation', escalation: 2 };

/** Words that would reveal a symptom, a diagnosis, a drug or the answers. */
const REVEALING = [
  BOOKING.patient.firstName,
  NOTE,
  ...SIDE_EFFECTS,
  ...SIDE_EFFECTS.map((effect) => t('en', `sideEffect.${effect}`)),
  'ketamine',
  'esketamine',
  'spravato',
  'self-harm',
  'suicid',
  'depress',
  'anxi',
  'nausea',
  'panic',
  'chest',
  'mood',
  'PHQ',
  'GAD',
  'severe',
];

function expectNothingRevealing(message: { subject: string; text: string }) {
  for (const word of REVEALING) {
    expect(message.subject.toLowerCase()).not.toContain(word.toLowerCase());
    expect(message.text.toLowerCase()).not.toContain(word.toLowerCase());
  }
}

describe('staff alert message', () => {
  describe('staffAlertMessage', () => {
    it('says URGENT and carries the alert id, booking reference, check-in, time and link', () => {
      const { subject, text } = staffAlertMessage(ALERT);
      expect(subject).toBe('URGENT patient check-in needs a response (Riverside Clinic)');
      expect(text).toBe(
        [
          'URGENT: patient check-in needs a response (Riverside Clinic).',
          'Alert al-01JC9Z8K7QX4M2N6P8R0T2V4W6. Booking bk-0001, next-day check-in, received Wed 4 Nov, 2:05 PM EST.',
          `Acknowledge: ${LINK}`,
        ].join('\n'),
      );
    });

    it('names no patient, answer, symptom, diagnosis or drug', () => {
      expectNothingRevealing(staffAlertMessage(ALERT));
      expectNothingRevealing(staffAlertMessage(ESCALATION));
    });

    it('says which escalation it is and how long the alert has waited', () => {
      const { subject, text } = staffAlertMessage(ESCALATION);
      expect(subject).toBe('URGENT escalation 2 of 4: check-in not acknowledged (Riverside Clinic)');
      expect(text).toContain('URGENT, escalation 2 of 4: not acknowledged after 45 min (Riverside Clinic).');
      expect(text).toContain(ALERT.alertId);
      expect(text).toContain('Booking bk-0001');
      expect(text).toContain(LINK);
    });

    it('takes the minutes and the number of escalations from the caller when the clinic changed them', () => {
      const { subject, text } = staffAlertMessage({
        ...ESCALATION,
        escalation: 3,
        minutesUnacknowledged: 70,
        maxEscalations: 6,
      });
      expect(subject).toContain('escalation 3 of 6');
      expect(text).toContain('escalation 3 of 6: not acknowledged after 70 min (Riverside Clinic).');
    });

    it('states the time in the clinic time zone', () => {
      const { text } = staffAlertMessage({
        ...ALERT,
        clinic: { name: 'Mesa Clinic', timeZone: 'America/Denver' },
      });
      expect(text).toContain('received Wed 4 Nov, 12:05 PM MST');
    });

    it('keeps the SMS text within 300 characters with long ids and links up to 160 characters, never cutting the link', () => {
      for (const bookingLength of [8, 64, 128]) {
        for (const linkLength of [40, 120, 160]) {
          for (const input of [ALERT, ESCALATION]) {
            const link = `https://x.example/a/${'L'.repeat(linkLength - 20)}`;
            const message = staffAlertMessage({
              ...input,
              bookingRef: 'b'.repeat(bookingLength),
              alertId: 'a'.repeat(36),
              clinic: { name: 'C'.repeat(40), timeZone: 'America/New_York' },
              link,
            });
            expect(message.text.length).toBeLessThanOrEqual(STAFF_ALERT_TEXT_MAX);
            expect(message.text.startsWith('URGENT')).toBe(true);
            expect(message.text).toContain(link);
            expect(message.text).toContain('a'.repeat(36));
          }
        }
      }
    });

    it('keeps the check-in and the time with real ids and links, dropping the clinic name first', () => {
      const real = {
        ...ALERT,
        alertId: '0f8e2c4a-9b1d-4e6f-8a2b-3c4d5e6f7a8b',
        link: `https://abc123def4.execute-api.us-east-1.amazonaws.com/a/${'T'.repeat(33)}`,
        clinic: { name: 'The Riverside Behavioral Health Partners', timeZone: 'America/New_York' },
      };
      for (const input of [
        real,
        { ...real, kind: 'escalation' as const, escalation: 4, minutesUnacknowledged: 105 },
      ]) {
        const { text } = staffAlertMessage(input);
        expect(text.length).toBeLessThanOrEqual(STAFF_ALERT_TEXT_MAX);
        expect(text).toContain(
          `Alert ${real.alertId}. Booking bk-0001, next-day check-in, received Wed 4 Nov, 2:05 PM EST.`,
        );
        expect(text).toContain(`Acknowledge: ${real.link}`);
      }
    });

    it('keeps the subject printable ASCII on one line under 100 characters, as SNS requires', () => {
      for (const input of [ALERT, ESCALATION]) {
        const { subject } = staffAlertMessage({
          ...input,
          clinic: {
            name: 'Clínica del Niño —\nSalud “Mental” y Bienestar Integral',
            timeZone: 'America/Chicago',
          },
        });
        expect(subject.length).toBeLessThanOrEqual(STAFF_ALERT_SUBJECT_MAX);
        expect(subject).toMatch(/^[\x20-\x7E]+$/);
        expect(subject).toMatch(/^URGENT /);
        expect(subject).toContain('(Clinica del Nino - Salud "Mental"');
      }
    });

    it('uses plain text: no markup, no tabs, lines separated by newlines', () => {
      const { text } = staffAlertMessage(ESCALATION);
      expect(text).not.toMatch(/[<>\t]/);
      expect(text.split('\n')).toHaveLength(3);
    });
  });
});
