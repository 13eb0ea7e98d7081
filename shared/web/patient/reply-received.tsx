import type { VNode } from 'preact';
import type { Language } from '../../contracts/booking-events';
import { CrisisSmallPrint, PhoneLink, Rich } from '../components';
import { t } from '../i18n';
import { renderPage } from '../layout';
import { UrgentPage } from './crisis-page';
import { PatientDocument } from './patient-document';

export interface ReplyReceivedInput {
  language: Language;
  clinicName: string;
  clinicPhone: string;
  /** The triage of the stored reply. */
  level: 'routine' | 'review' | 'urgent';
  /** For a patient who asked for a call: the clinic's promise (config `callback.promise`). */
  callbackPromise?: string;
  /** Answers that could not be read, in the patient's words, for a reply stored for its red flag. */
  unread?: readonly string[];
}

/**
 * Thanks after a stored routine or review answer: what happens next, and the
 * crisis line anyway. A stored `urgent` answer gets the crisis page (saved),
 * so crisis resources can never be left out by mistake.
 */
export function ReplyReceived(input: ReplyReceivedInput): VNode {
  const { language, clinicName, clinicPhone } = input;
  if (input.level === 'urgent') {
    return (
      <UrgentPage
        language={language}
        clinicName={clinicName}
        clinicPhone={clinicPhone}
        advice="crisis"
        actingNow="unknown"
        saved
      />
    );
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
      {input.unread && input.unread.length > 0 ? (
        <p>{t(language, 'urgent.someUnread', { problems: input.unread.join(' ') })}</p>
      ) : null}
      <h2>{t(language, 'received.nextHeading')}</h2>
      <p>
        {input.callbackPromise !== undefined ? (
          <Rich
            language={language}
            message="received.callback.next"
            params={{ clinicName, promise: input.callbackPromise, phone: <PhoneLink phone={clinicPhone} /> }}
          />
        ) : (
          <Rich
            language={language}
            message={input.level === 'review' ? 'received.review.next' : 'received.routine.next'}
            params={{ clinicName, phone: <PhoneLink phone={clinicPhone} /> }}
          />
        )}
      </p>
      <CrisisSmallPrint language={language} />
    </PatientDocument>
  );
}

/** The thanks page as a whole page; see `ReplyReceived`. */
export function renderReplyReceived(input: ReplyReceivedInput): string {
  return renderPage(<ReplyReceived {...input} />);
}
