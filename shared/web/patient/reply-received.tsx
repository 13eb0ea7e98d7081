import type { VNode } from 'preact';
import type { Language } from '../../contracts/booking-events';
import { CrisisSmallPrint, PhoneLink, Rich } from '../components';
import { t } from '../i18n';
import { renderPage } from '../layout';
import { CrisisPage } from './crisis-page';
import { PatientDocument } from './patient-document';

export interface ReplyReceivedInput {
  language: Language;
  clinicName: string;
  clinicPhone: string;
  /** The triage of the stored reply. */
  level: 'routine' | 'review' | 'urgent';
}

/**
 * Thanks after a stored routine or review answer: what happens next, and the
 * crisis line anyway. A stored `urgent` answer gets the crisis page (saved),
 * so crisis resources can never be left out by mistake.
 */
export function ReplyReceived(input: ReplyReceivedInput): VNode {
  const { language, clinicName, clinicPhone } = input;
  if (input.level === 'urgent') {
    return <CrisisPage language={language} clinicName={clinicName} clinicPhone={clinicPhone} saved />;
  }
  return (
    <PatientDocument
      language={language}
      title={t(language, 'received.title')}
      clinicName={clinicName}
      clinicPhone={clinicPhone}
    >
      <h1>{t(language, 'received.title')}</h1>
      <p class="lead">{t(language, 'received.saved')}</p>
      <h2>{t(language, 'received.nextHeading')}</h2>
      <p>
        <Rich
          language={language}
          message={input.level === 'review' ? 'received.review.next' : 'received.routine.next'}
          params={{ clinicName, phone: <PhoneLink phone={clinicPhone} /> }}
        />
      </p>
      <CrisisSmallPrint language={language} />
    </PatientDocument>
  );
}

/** The thanks page as a whole page; see `ReplyReceived`. */
export function renderReplyReceived(input: ReplyReceivedInput): string {
  return renderPage(<ReplyReceived {...input} />);
}
