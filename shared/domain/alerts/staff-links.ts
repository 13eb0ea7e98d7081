import { verifyLinkToken } from '../messages/tokens';
import type { LinkStore, Log, SigningKeySource } from '../ports';
import { alertConsoleUrl, replyConsoleUrl } from './console-links';

/*
 * Signed staff links (`/a/{token}`, `/r/{token}`) were sent before the
 * console existed. They are no longer a credential: a genuine one sends the
 * browser to the console page of its alert or reply, which shows nothing
 * without sign-in. They are never a way in to patient data.
 */

export interface StaffLinkDeps {
  links: LinkStore;
  signingKey: SigningKeySource;
  log: Log;
}

export interface StaffLinkRequest {
  method: string;
  /** `a`: an alert; `r`: a reply from the review digest. */
  page: 'a' | 'r';
  token: string;
}

/** What went wrong with a staff link: tampered or malformed, or pointing at nothing. */
export type StaffLinkProblem = 'invalid' | 'not-found';

/** Where a staff link sends the browser (a console path), or why it cannot. */
export type StaffLinkOutcome =
  | { status: 303; location: string }
  | { status: 403 | 404; problem: StaffLinkProblem };

/**
 * Answers an old staff link: a redirect to the console page of the alert or
 * reply it names, whatever the method and even past its expiry (the console
 * decides who may see it); 403 for a tampered link, 404 for one that names nothing.
 */
export async function answerStaffLink(
  deps: StaffLinkDeps,
  request: StaffLinkRequest,
): Promise<StaffLinkOutcome> {
  const linkId = verifyLinkToken(await deps.signingKey.get(), request.token);
  if (!linkId) return { status: 403, problem: 'invalid' };
  const link = await deps.links.get(linkId);
  if (!link) return { status: 404, problem: 'not-found' };
  // A genuine token for the other page (an alert token on /r/) is as good as tampered.
  const purpose = request.page === 'a' ? 'alert' : 'reply';
  if (link.purpose !== purpose || !link.subjectId) return { status: 403, problem: 'invalid' };
  deps.log.info('staff link redirected to the console', { page: request.page });
  return {
    status: 303,
    location:
      request.page === 'a'
        ? alertConsoleUrl('', link.subjectId)
        : replyConsoleUrl('', link.bookingId, link.subjectId),
  };
}
