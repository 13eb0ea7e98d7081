import { answerStaffLink, type StaffLinkDeps, type StaffLinkRequest } from '../../domain/alerts/staff-links';
import { renderPage } from '../layout';
import { STAFF_PAGE_SECURITY_HEADERS } from '../styles';
import { StaffLinkProblemPage } from './staff-link-problem';

/** An HTTP answer to a staff link. */
export interface StaffLinkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * Serves an old staff link (`/a/{token}`, `/r/{token}`): a redirect to the
 * console page it names, or a plain page for a link that cannot be read.
 */
export async function handleStaffLinkRequest(
  deps: StaffLinkDeps,
  request: StaffLinkRequest,
): Promise<StaffLinkResponse> {
  const outcome = await answerStaffLink(deps, request);
  if (outcome.status === 303) {
    return {
      status: 303,
      headers: { ...STAFF_PAGE_SECURITY_HEADERS, Location: outcome.location, 'Content-Type': 'text/plain' },
      body: '',
    };
  }
  return {
    status: outcome.status,
    headers: { ...STAFF_PAGE_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' },
    body: renderPage(<StaffLinkProblemPage problem={outcome.problem} />),
  };
}
