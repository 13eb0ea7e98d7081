import type { VNode } from 'preact';
import type { FieldError, Language } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import type { CheckinKind } from '../../contracts/vocabulary';
import {
  answerPatientLink,
  type CheckinDeps,
  type LinkOutcome,
  type LinkRequest,
  type PatientView,
} from '../../domain/checkins/checkin';
import { renderPage } from '../layout';
import { PAGE_SECURITY_HEADERS } from '../styles';
import { CheckinForm, patientErrorFor } from './checkin-form';
import { UrgentPage } from './crisis-page';
import { InstructionsPage } from './instructions-page';
import { LinkProblemPage } from './link-problem';
import { ReplyReceived } from './reply-received';

/** An HTTP answer to a patient link. */
export interface LinkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Serves a patient link (`/c/{token}`, `/i/{token}`): the check-in use case
 * decides, this renders its page or JSON with the patient pages' headers.
 */
export async function handleLinkRequest(deps: CheckinDeps, request: LinkRequest): Promise<LinkResponse> {
  return linkResponse(deps.config, await answerPatientLink(deps, request));
}

/** The HTTP answer for a use-case outcome: the page rendered, or the JSON, with the page headers. */
export function linkResponse(config: ClinicConfig, outcome: LinkOutcome): LinkResponse {
  if ('allow' in outcome) {
    return {
      status: 405,
      headers: { ...PAGE_SECURITY_HEADERS, Allow: outcome.allow, 'Content-Type': 'text/plain' },
      body: 'Method not allowed',
    };
  }
  if ('json' in outcome) {
    return {
      status: outcome.status,
      headers: { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(outcome.json),
    };
  }
  return {
    status: outcome.status,
    headers: { ...PAGE_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' },
    body: renderPage(patientPage(config, outcome.page, outcome.language)),
  };
}

function patientPage(config: ClinicConfig, page: PatientView, language: Language | undefined): VNode {
  const clinic = { clinicName: config.clinic.name, clinicPhone: config.clinic.phone };
  if (page.view === 'link-problem' || language === undefined) {
    const problem = page.view === 'link-problem' ? page.problem : 'invalid';
    return <LinkProblemPage {...clinic} problem={problem} {...(language ? { language } : {})} />;
  }
  switch (page.view) {
    case 'checkin-form':
      return <CheckinForm {...clinic} language={language} {...page} />;
    case 'reply-received':
      return (
        <ReplyReceived
          {...clinic}
          language={language}
          level={page.level}
          {...(page.callback ? { callbackPromise: config.callback.promise[language] } : {})}
          {...(page.unread ? { unread: unreadMessages(language, page.unread, page.kind) } : {})}
        />
      );
    case 'urgent':
      return (
        <UrgentPage
          {...clinic}
          language={language}
          advice={page.advice}
          actingNow={page.actingNow}
          saved={page.saved}
          unread={unreadMessages(language, page.unread ?? [], page.kind)}
        />
      );
    case 'instructions':
      return (
        <InstructionsPage
          language={language}
          config={config}
          booking={page.booking}
          readinessAction={page.action}
          readiness={page.readiness}
        />
      );
  }
}

/** The patient's words for the fields of a stored reply that could not be read, each once. */
function unreadMessages(language: Language, errors: readonly FieldError[], kind: CheckinKind): string[] {
  return [...new Set(errors.map((error) => patientErrorFor(language, error.field, kind).message))];
}
