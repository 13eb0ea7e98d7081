import type { VNode } from 'preact';
import type { ClinicConfig } from '../../contracts/clinic-config';
import {
  answerStaffLink,
  type StaffLinkDeps,
  type StaffLinkOutcome,
  type StaffLinkRequest,
  type StaffView,
} from '../../domain/alerts/staff-links';
import { renderPage } from '../layout';
import { STAFF_PAGE_SECURITY_HEADERS } from '../styles';
import { AlertPage } from './alert-page';
import { ReplyPage } from './reply-page';
import { StaffLinkProblemPage } from './staff-link-problem';

/** An HTTP answer to a staff link. */
export interface StaffLinkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Serves a staff link (`/a/{token}`, `/r/{token}`): the use case decides and
 * audits, this renders its page or JSON with the staff pages' headers.
 */
export async function handleStaffLinkRequest(
  deps: StaffLinkDeps,
  request: StaffLinkRequest,
): Promise<StaffLinkResponse> {
  return staffLinkResponse(deps.config, await answerStaffLink(deps, request));
}

/** The HTTP answer for a use-case outcome: the page rendered, or the JSON, with the staff headers. */
export function staffLinkResponse(config: ClinicConfig, outcome: StaffLinkOutcome): StaffLinkResponse {
  if ('allow' in outcome) {
    return {
      status: 405,
      headers: { ...STAFF_PAGE_SECURITY_HEADERS, Allow: outcome.allow, 'Content-Type': 'text/plain' },
      body: 'Method not allowed',
    };
  }
  if ('json' in outcome) {
    return {
      status: outcome.status,
      headers: { ...STAFF_PAGE_SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
      body: JSON.stringify(outcome.json),
    };
  }
  return {
    status: outcome.status,
    headers: { ...STAFF_PAGE_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' },
    body: renderPage(staffPage(config, outcome.page)),
  };
}

function staffPage(config: ClinicConfig, page: StaffView): VNode {
  if (page.view === 'problem') return <StaffLinkProblemPage problem={page.problem} />;
  const clinic = { name: config.clinic.name, timeZone: config.clinic.timeZone };
  const ruleDescriptions = Object.fromEntries(
    config.triage.flatMap((rule) => (rule.description ? [[rule.id, rule.description]] : [])),
  );
  if (page.view === 'reply') {
    return (
      <ReplyPage
        reply={page.reply}
        booking={page.booking}
        clinic={clinic}
        ruleDescriptions={ruleDescriptions}
      />
    );
  }
  return (
    <AlertPage
      alert={page.alert}
      reply={page.reply}
      booking={page.booking}
      clinic={clinic}
      action={page.action}
      ruleDescriptions={ruleDescriptions}
      maxEscalations={config.staff.maxEscalations}
      justAcknowledged={page.acknowledgement === 'first'}
      alreadyAcknowledged={page.acknowledgement === 'second'}
    />
  );
}
