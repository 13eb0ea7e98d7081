import type { VNode } from 'preact';
import type { Language } from '../../contracts/booking-events';
import {
  type CrisisResource,
  crisisResources,
  smsHref,
  telHref,
} from '../../domain/checkins/crisis-resources';
import { PhoneLink, PhoneText, Rich } from '../components';
import { t } from '../i18n';
import { renderPage } from '../layout';
import { PatientDocument } from './patient-document';

export interface CrisisPageInput {
  language: Language;
  clinicName: string;
  clinicPhone: string;
  /** Whether the reply was stored (and so the staff alert is on its way). */
  saved: boolean;
}

function ResourceItem(props: { language: Language; resource: CrisisResource; first: boolean }): VNode {
  const { language, resource, first } = props;
  const callClass = first ? 'button button-danger' : resource.sms ? 'button' : 'button button-secondary';
  return (
    <li class="resource">
      <p class="resource-label">{resource.label}</p>
      {resource.phone ? (
        <a href={telHref(resource.phone)} class={callClass}>
          {/* One span: a flex container would drop the space between the words and the number. */}
          <span>
            <Rich
              language={language}
              message="crisis.callNumber"
              params={{ number: <PhoneText phone={resource.phone} /> }}
            />
          </span>
        </a>
      ) : null}
      {resource.sms ? (
        <a href={smsHref(resource.sms)} class="button">
          <span>
            <Rich
              language={language}
              message="crisis.textNumber"
              params={{ number: <PhoneText phone={resource.sms} /> }}
            />
          </span>
        </a>
      ) : null}
      {resource.url ? (
        <>
          <p>{t(language, 'crisis.about988')}</p>
          <p>
            <a href={resource.url}>{t(language, 'crisis.chat988')}</a>
          </p>
        </>
      ) : null}
    </li>
  );
}

/**
 * The page after an urgent answer. Crisis resources come first (911, then
 * 988 by call or text, then the clinic), as large tap-to-call buttons. Then
 * the state of the answer: saved -> the care team is being alerted now; not
 * saved -> said plainly, with the clinic's number, and never a claim that
 * anyone was told.
 */
export function CrisisPage(input: CrisisPageInput): VNode {
  const { language, clinicName, clinicPhone } = input;
  const resources = crisisResources(language, { name: clinicName, phone: clinicPhone });
  return (
    <PatientDocument
      language={language}
      title={t(language, 'crisis.title')}
      clinicName={clinicName}
      clinicPhone={clinicPhone}
    >
      <h1>{t(language, 'crisis.title')}</h1>
      <ul class="resources">
        {resources.map((resource, index) => (
          <ResourceItem language={language} resource={resource} first={index === 0} />
        ))}
      </ul>
      <p>{t(language, 'crisis.intro')}</p>
      <h2>{t(language, 'crisis.answersHeading')}</h2>
      {input.saved ? (
        <>
          <p class="lead">{t(language, 'crisis.saved', { clinicName })}</p>
          <p>{t(language, 'crisis.savedWait')}</p>
        </>
      ) : (
        <>
          <p class="lead">{t(language, 'crisis.notSaved')}</p>
          <p class="lead">
            <Rich
              language={language}
              message="crisis.notSavedCall"
              params={{ clinicName, phone: <PhoneLink phone={clinicPhone} /> }}
            />
          </p>
        </>
      )}
    </PatientDocument>
  );
}

/** The crisis page as a whole page; see `CrisisPage`. */
export function renderCrisisPage(input: CrisisPageInput): string {
  return renderPage(<CrisisPage {...input} />);
}
