import type { ClinicConfig } from '../../contracts/clinic-config';
import {
  renderAlertPage,
  renderReplyPage,
  renderStaffLinkProblemPage,
  STAFF_PAGE_SECURITY_HEADERS,
} from '../../web/staff-pages';
import { verifyLinkToken } from '../messages/tokens';
import type { AlertStore, BookingStore, Clock, LinkStore, Log, ReplyStore, SigningKeySource } from '../ports';
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

export interface StaffLinkResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Longest name kept for "acknowledged by". */
const MAX_BY = 100;

/**
 * Serves a staff link: the alert page (GET shows what was reported, POST
 * acknowledges) or a reviewed reply. Every view and acknowledgement is
 * audited with when, and by whom where given.
 */
export async function handleStaffLinkRequest(
  deps: StaffLinkDeps,
  request: StaffLinkRequest,
): Promise<StaffLinkResponse> {
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
  const clinic = { name: deps.config.clinic.name, timeZone: deps.config.clinic.timeZone };
  const ruleDescriptions = Object.fromEntries(
    deps.config.triage.flatMap((rule) => (rule.description ? [[rule.id, rule.description]] : [])),
  );
  const maxEscalations = deps.config.staff.maxEscalations;

  if (request.page === 'r') {
    const reply = replies.find((r) => r.replyId === subjectId);
    if (!reply || !booking || request.method !== 'GET') return problem(404, 'not-found', wantsJson);
    await deps.alerts.audit({ subject: `REPLY#${reply.replyId}`, action: 'view', at: deps.clock.now() });
    return page(200, renderReplyPage({ reply, booking, clinic, ruleDescriptions }));
  }

  const alertId = subjectId;
  const alert = await deps.alerts.get(alertId);
  const reply = replies.find((r) => r.alertId === alertId);
  if (!alert || !reply || !booking) return problem(404, 'not-found', wantsJson);
  const action = `/a/${request.token}`;
  if (request.method === 'GET') {
    await deps.alerts.audit({ subject: `ALERT#${alertId}`, action: 'view', at: deps.clock.now() });
    return page(
      200,
      renderAlertPage({ alert, reply, booking, clinic, action, ruleDescriptions, maxEscalations }),
    );
  }
  if (request.method !== 'POST')
    return {
      status: 405,
      headers: { ...STAFF_PAGE_SECURITY_HEADERS, Allow: 'GET, POST', 'Content-Type': 'text/plain' },
      body: 'Method not allowed',
    };

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
  return page(
    200,
    renderAlertPage({
      alert: result.alert,
      reply,
      booking,
      clinic,
      action,
      ruleDescriptions,
      maxEscalations,
      ...(result.first ? { justAcknowledged: true } : { alreadyAcknowledged: true }),
    }),
  );
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

function page(status: number, body: string): StaffLinkResponse {
  return {
    status,
    headers: { ...STAFF_PAGE_SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8' },
    body,
  };
}

function json(status: number, value: unknown): StaffLinkResponse {
  return {
    status,
    headers: { ...STAFF_PAGE_SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8' },
    body: JSON.stringify(value),
  };
}

function problem(
  status: number,
  kind: 'invalid' | 'expired' | 'not-found',
  asJson: boolean,
): StaffLinkResponse {
  return asJson ? json(status, { error: kind }) : page(status, renderStaffLinkProblemPage({ problem: kind }));
}
