import type { VNode } from 'preact';
import type { Language } from '../../contracts/booking-events';
import type { ActingNow, UrgentAdvice } from '../../domain/checkins/checkin';
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

export interface UrgentPageInput {
  language: Language;
  clinicName: string;
  clinicPhone: string;
  /** What the patient is told to do first (DESIGN section 7). */
  advice: UrgentAdvice;
  /** For `crisis`: whether the patient may act on the thoughts now (911 first), or did not say (911 and 988 together). */
  actingNow: ActingNow;
  /** Whether the reply was stored (and so the staff alert is on its way). */
  saved: boolean;
  /** Answers that could not be read, in the patient's words, for a reply stored for its red flag. */
  unread?: readonly string[];
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

/** The page's title and the line above the resources, by advice. */
function Lead(props: UrgentPageInput): VNode | null {
  const { language, advice, actingNow, clinicName, clinicPhone } = props;
  if (advice === 'emergency') return <p class="urgent-lead">{t(language, 'emergency.lead')}</p>;
  if (advice === 'call-us') {
    return (
      <p class="urgent-lead">
        <Rich
          language={language}
          message="callUs.lead"
          params={{ clinicName, phone: <PhoneLink phone={clinicPhone} /> }}
        />
      </p>
    );
  }
  if (actingNow === 'yes') return <p class="urgent-lead">{t(language, 'crisis.actingNow')}</p>;
  if (actingNow === 'unknown') return <p class="urgent-lead">{t(language, 'crisis.bothFirst')}</p>;
  return null;
}

const TITLE = { emergency: 'emergency.title', crisis: 'crisis.title', 'call-us': 'callUs.title' } as const;

/**
 * The page after an urgent answer, fitted to its advice (DESIGN section 7):
 * `emergency` leads with "call 911 now, do not wait for our call"; `crisis`
 * with 988 (911 first when the patient may act now, both together when they
 * did not say); `call-us` with the clinic's phone. The resources follow as
 * large tap-to-call buttons, 911 and 988 always among them. Then the state
 * of the answer: saved -> we are letting the care team know, no promise of
 * a time; not saved -> said plainly, with the clinic's number, and never a
 * claim that anyone was told.
 */
export function UrgentPage(input: UrgentPageInput): VNode {
  const { language, clinicName, clinicPhone } = input;
  const resources = crisisResources(
    language,
    { name: clinicName, phone: clinicPhone },
    input.advice,
    input.actingNow,
  );
  const title = t(language, TITLE[input.advice]);
  return (
    <PatientDocument language={language} title={title} clinicName={clinicName} clinicPhone={clinicPhone}>
      <h1>{title}</h1>
      <Lead {...input} />
      <ul class="resources">
        {resources.map((resource, index) => (
          <ResourceItem language={language} resource={resource} first={index === 0} />
        ))}
      </ul>
      {input.advice === 'crisis' ? <p>{t(language, 'crisis.intro')}</p> : null}
      <h2>{t(language, 'crisis.answersHeading')}</h2>
      {input.saved ? (
        <>
          <p class="lead">{t(language, 'crisis.saved')}</p>
          <p class="lead">{t(language, 'urgent.letting')}</p>
          {input.unread && input.unread.length > 0 ? (
            <p>{t(language, 'urgent.someUnread', { problems: input.unread.join(' ') })}</p>
          ) : null}
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

/** The urgent page as a whole page; see `UrgentPage`. */
export function renderUrgentPage(input: UrgentPageInput): string {
  return renderPage(<UrgentPage {...input} />);
}
