import type { FullBooking } from '../../contracts/booking-events';
import type { ClinicConfig } from '../../contracts/clinic-config';
import { verifyLinkToken } from '../messages/tokens';
import type {
  AlertRecord,
  AlertStore,
  BookingStore,
  Clock,
  LinkStore,
  Log,
  ReplyStore,
  SigningKeySource,
  StoredReply,
} from '../ports';
import { acknowledgeAlert } from './alerts';

export interface StaffLinkDeps {
  config: ClinicConfig;
  clock: Clock;
  bookings: BookingStore;
  links: LinkStore;
  replies: ReplyStore;
  alerts: AlertStore;
  /** Removes the alert's pending escalation schedule once it is acknowledged. */
  escalations: { remove(name: string): Promise<void> };
  signingKey: SigningKeySource;
  log: Log;
}

export interface StaffLinkRequest {
  method: string;
  /** `a`: an alert (view, acknowledge); `r`: a reply from the review digest. */
  page: 'a' | 'r';
  token: string;
  contentType?: string;
  body?: string;
}

/** What went wrong with a staff link: tampered or malformed, past its expiry, or pointing at nothing. */
export type StaffLinkProblem = 'invalid' | 'expired' | 'not-found';

/** The page a staff link answers with; the web layer renders it. */
export type StaffView =
  | { view: 'reply'; reply: StoredReply; booking: FullBooking }
  | {
      view: 'alert';
      alert: AlertRecord;
      reply: StoredReply;
      booking: FullBooking;
      /** Where the acknowledge form posts: the signed staff link itself. */
      action: string;
      /** Answering the viewer's acknowledgement: whether it was the first. */
      acknowledgement?: 'first' | 'second';
    }
  | { view: 'problem'; problem: StaffLinkProblem };

/** The answer to a staff link: a page, a JSON body, or a method the link does not take. */
export type StaffLinkOutcome =
  | { status: number; page: StaffView }
  | { status: number; json: unknown }
  | { status: 405; allow: string };

/** Longest name kept for "acknowledged by". */
const MAX_BY = 100;

/**
 * Serves a staff link: the alert page (GET shows what was reported, POST
 * acknowledges) or a reviewed reply. Every view and acknowledgement is
 * audited with when, and by whom where given.
 */
export async function answerStaffLink(
  deps: StaffLinkDeps,
  request: StaffLinkRequest,
): Promise<StaffLinkOutcome> {
  const wantsJson = (request.contentType ?? '').startsWith('application/json');
  const linkId = verifyLinkToken(await deps.signingKey.get(), request.token);
  const link = linkId ? await deps.links.get(linkId) : undefined;
  const purpose = request.page === 'a' ? 'alert' : 'reply';
  if (!linkId) return problem(403, 'invalid', wantsJson);
  if (!link) return problem(404, 'not-found', wantsJson);
  // A genuine token for another page (an alert token on /r/) is as good as tampered.
  const subjectId = link.purpose === purpose ? link.subjectId : undefined;
  if (!subjectId) return problem(403, 'invalid', wantsJson);
  if (Date.parse(deps.clock.now()) > Date.parse(link.expiresAt)) return problem(410, 'expired', wantsJson);
  const booking = (await deps.bookings.get(link.bookingId))?.booking;
  const replies = await deps.replies.listForBooking(link.bookingId);

  if (request.page === 'r') {
    const reply = replies.find((r) => r.replyId === subjectId);
    if (!reply || !booking || request.method !== 'GET') return problem(404, 'not-found', wantsJson);
    await deps.alerts.audit({ subject: `REPLY#${reply.replyId}`, action: 'view', at: deps.clock.now() });
    return { status: 200, page: { view: 'reply', reply, booking } };
  }

  const alertId = subjectId;
  const alert = await deps.alerts.get(alertId);
  const reply = replies.find((r) => r.alertId === alertId);
  if (!alert || !reply || !booking) return problem(404, 'not-found', wantsJson);
  const action = `/a/${request.token}`;
  if (request.method === 'GET') {
    await deps.alerts.audit({ subject: `ALERT#${alertId}`, action: 'view', at: deps.clock.now() });
    return { status: 200, page: { view: 'alert', alert, reply, booking, action } };
  }
  if (request.method !== 'POST') return { status: 405, allow: 'GET, POST' };

  const by = acknowledgerName(request.body ?? '', wantsJson);
  const result = await acknowledgeAlert(deps, alertId, by);
  await deps.alerts.audit({
    subject: `ALERT#${alertId}`,
    action: 'acknowledge',
    at: deps.clock.now(),
    ...(by ? { by } : {}),
  });
  const first = { acknowledgedBy: result.alert.acknowledgedBy, acknowledgedAt: result.alert.acknowledgedAt };
  if (wantsJson)
    return json(200, { alertId, state: result.alert.state, firstAcknowledgement: result.first, ...first });
  const acknowledgement = result.first ? 'first' : 'second';
  return {
    status: 200,
    page: { view: 'alert', alert: result.alert, reply, booking, action, acknowledgement },
  };
}

function acknowledgerName(body: string, asJson: boolean): string {
  let raw: unknown;
  try {
    raw = asJson ? (JSON.parse(body) as { by?: unknown }).by : new URLSearchParams(body).get('by');
  } catch {
    raw = undefined;
  }
  const name =
    typeof raw === 'string'
      ? raw
          .replace(/[\p{Cc}]+/gu, ' ')
          .trim()
          .slice(0, MAX_BY)
      : '';
  // Recorded "where given": an empty name is kept empty, and the page says no name was given.
  return name;
}

function json(status: number, value: unknown): StaffLinkOutcome {
  return { status, json: value };
}

function problem(status: number, kind: StaffLinkProblem, asJson: boolean): StaffLinkOutcome {
  return asJson ? json(status, { error: kind }) : { status, page: { view: 'problem', problem: kind } };
}
