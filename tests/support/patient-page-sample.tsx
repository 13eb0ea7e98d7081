import { PatientPage } from '../../shared/web/console/patient-page';
import { renderPage } from '../../shared/web/layout';
import { aBooking } from './fixtures';
import { CLINICIAN } from './staff';

/**
 * A patient page with both charts and every kind of timeline entry, as HTML: the local runtime's patients
 * have no screener answers yet, and axe must see the charts too.
 */
export function samplePatientPageHtml(): string {
  const booking = aBooking({ bookingId: 'bk-1', patient: { id: 'pt-1' } });
  const reply = {
    replyId: 'rp-1',
    bookingId: 'bk-1',
    kind: 'checkin-week' as const,
    receivedAt: '2026-06-09T15:00:00.000Z',
    answers: { mood: 4, sideEffects: {}, selfHarm: 'no' as const, wantsCall: false },
    triage: 'review' as const,
    rules: ['low-mood'],
    scores: { phq9: { total: 12, band: 'moderate' }, gad7: { total: 9, band: 'mild' } },
  };
  const screeners = [18, 15, 12, 9, 11, 7].map((phq9, i) => ({
    at: `2026-0${4 + Math.floor(i / 2)}-${i % 2 === 0 ? '05' : '20'}T15:00:00.000Z`,
    bookingId: `bk-${i}`,
    replyId: `rp-${i}`,
    phq9,
    gad7: Math.max(0, phq9 - 4),
  }));
  return renderPage(
    <PatientPage
      viewer={{ staff: CLINICIAN, csrfToken: 'csrf' }}
      clinic={{
        name: 'Riverside Clinic',
        timeZone: 'America/New_York',
        maxEscalations: 4,
        ruleDescriptions: {},
      }}
      view={{
        patientId: 'pt-1',
        patient: booking.patient,
        timeline: [
          { type: 'reply', at: reply.receivedAt, reply },
          {
            type: 'message',
            at: '2026-06-08T14:00:00.000Z',
            message: {
              kind: 'checkin-week',
              at: '2026-06-08T14:00:00.000Z',
              state: 'failed',
              channels: [{ channel: 'sms', status: 'failed' }],
            },
          },
          { type: 'session', at: booking.session.startsAt, booking, status: 'active' },
        ],
        clinical: true,
        screeners,
        next: '2026-05-20T14:00:00.000Z#bk-3',
        bookings: 14,
      }}
    />,
  );
}
