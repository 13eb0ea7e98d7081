import type { VNode } from 'preact';
import type { Language } from '../../contracts/booking-events';
import type { LinkProblem } from '../../domain/checkins/checkin';
import { CrisisBox, CrisisSmallPrint, PhoneLink, Rich } from '../components';
import { t } from '../i18n';
import { renderPage } from '../layout';
import { PatientDocument } from './patient-document';

export interface LinkProblemInput {
  /** Unknown for a link that cannot be read: the page is then in English and Spanish. */
  language?: Language;
  clinicName?: string;
  clinicPhone?: string;
  problem: LinkProblem;
}

/** Problems met while answering a check-in: the crisis box comes first, in case the answer was urgent. */
const REFUSED_ANSWER: readonly LinkProblem[] = ['too-many', 'too-large'];

function ProblemBody(props: { language: Language; input: LinkProblemInput }): VNode {
  const { language, input } = props;
  return (
    <>
      {REFUSED_ANSWER.includes(input.problem) ? <CrisisBox language={language} /> : null}
      <p>{t(language, `problem.${input.problem}.body`)}</p>
      <p>
        {input.clinicName && input.clinicPhone ? (
          <Rich
            language={language}
            message="problem.contact"
            params={{ clinicName: input.clinicName, phone: <PhoneLink phone={input.clinicPhone} /> }}
          />
        ) : (
          t(language, 'problem.contactUnknown')
        )}
      </p>
      <CrisisSmallPrint language={language} />
    </>
  );
}

/**
 * A kind, plain page for a link that cannot be used: what happened and how
 * to reach the clinic, never a technical detail. Without a known language it
 * says everything in English and in Spanish.
 */
export function LinkProblemPage(input: LinkProblemInput): VNode {
  const { language, clinicName, clinicPhone, problem } = input;
  const titleKey = `problem.${problem}.title` as const;
  if (language) {
    return (
      <PatientDocument
        language={language}
        title={t(language, titleKey)}
        clinicName={clinicName}
        clinicPhone={clinicPhone}
      >
        <h1>{t(language, titleKey)}</h1>
        <ProblemBody language={language} input={input} />
      </PatientDocument>
    );
  }
  return (
    <PatientDocument
      language="en"
      title={`${t('en', titleKey)} / ${t('es', titleKey)}`}
      clinicName={clinicName}
      clinicPhone={clinicPhone}
    >
      <h1>
        {t('en', titleKey)}{' '}
        <span class="title-es" lang="es">
          {t('es', titleKey)}
        </span>
      </h1>
      <div class="lang-block">
        <ProblemBody language="en" input={input} />
      </div>
      <div class="lang-block" lang="es">
        <ProblemBody language="es" input={input} />
      </div>
    </PatientDocument>
  );
}

/** The link-problem page as a whole page; see `LinkProblemPage`. */
export function renderLinkProblemPage(input: LinkProblemInput): string {
  return renderPage(<LinkProblemPage {...input} />);
}
