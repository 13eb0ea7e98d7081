import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { VNode } from 'preact';
import { isCheckinKind } from '../../contracts/vocabulary';
import { type ConsoleDeps, type ConsoleResult, record, type StaffRequest } from '../../domain/console/access';
import {
  acknowledgeAsStaff,
  closeAlert,
  consoleHome,
  listAlerts,
  showAlert,
  showReply,
} from '../../domain/console/alerts-console';
import { listAudit } from '../../domain/console/audit-console';
import { type ExportInput, showExportPage, startExportPart } from '../../domain/console/export-console';
import { listNotices, markNoticeDone } from '../../domain/console/notices-console';
import { showOutcomes } from '../../domain/console/outcomes-console';
import { findPatient, showPatient } from '../../domain/console/patient-console';
import type { IdentityProvider, StaffSessionStore } from '../../domain/console/ports';
import { listReview, markMissedReviewed, markReviewed } from '../../domain/console/review-console';
import {
  type SessionPolicy,
  type StaffSession,
  sessionState,
  shouldTouch,
} from '../../domain/console/session';
import {
  type RequestOrigin,
  type Staff,
  StaffIdentityError,
  staffFromClaims,
} from '../../domain/console/staff';
import { showToday } from '../../domain/console/today-console';
import { replyLookbackDays } from '../../domain/exports/export-window';
import type { AlertOutcome } from '../../domain/ports';
import { bulkExport, toNdjson } from '../fhir/bulk-export';
import { renderPage } from '../layout';
import { CONSOLE_STYLE_HASH, pageSecurityHeaders } from '../styles';
import { AlertDetailPage, AlertsPage, type ConsoleClinic, ConsoleHomePage } from './alerts-pages';
import { AuditPageView } from './audit-page';
import { ConsoleMessagePage, type ConsoleViewer } from './console-document';
import {
  type CookieJar,
  clearCookie,
  cookieJar,
  openCookie,
  parseCookies,
  sealCookie,
  setCookie,
} from './cookies';
import { ExportPage, exportPartHref } from './export-page';
import { NoticesPage } from './notices-page';
import { OutcomesPage } from './outcomes-page';
import { PatientPage, PatientSearchPage, patientConsolePath } from './patient-page';
import { ConsoleReplyPage } from './reply-page';
import { ReviewPage } from './review-page';
import { TodayPage } from './today-page';

/*
 * The console's HTTP edge (DESIGN section 10): sign-in through the OpenID
 * provider, the session cookie, the CSRF token, then one use case per route.
 * Use cases get a typed `Staff` and never see a cookie or a header.
 */

export interface ConsoleAppDeps extends ConsoleDeps {
  sessions: StaffSessionStore;
  identity: IdentityProvider;
  /** Encrypts the console's cookies (32 bytes). */
  cookieKey: { get(): Promise<Uint8Array> };
  /** The console's origin as browsers reach it: `https://api.example.org` or `http://127.0.0.1:3000`. */
  baseUrl: string;
  /** The claim that carries the staff member's groups. @default "cognito:groups" */
  groupsClaim?: string;
  /** Origins a console form's answer may redirect to: the provider's sign-out page. */
  formTargets?: readonly string[];
}

/** A request to `/console...`, as the Lambda entry or the local runtime hands it over. */
export interface ConsoleHttpRequest {
  method: string;
  /** The path, e.g. `/console/alerts/al-1`. */
  path: string;
  /** The raw query string, without `?`. */
  query: string;
  headers: Readonly<Record<string, string | undefined>>;
  body?: string;
  origin: RequestOrigin;
}

export interface ConsoleHttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Set-Cookie values, one per cookie. */
  cookies: string[];
  body: string;
}

/** What the alert page says after the viewer's own action redirected back to it. */
const DONE_NOTICES: Readonly<Record<string, string>> = {
  acknowledged:
    'You acknowledged this alert. Escalation has stopped. Record the outcome below when you are done.',
  'already-acknowledged':
    'Someone else acknowledged this alert first, so your acknowledgement changed nothing. Their name is above.',
  closed: 'You recorded the outcome and closed this alert.',
};

/** A sign-in must come back within this long. */
const LOGIN_SECONDS = 600;
const GROUPS_CLAIM = 'cognito:groups';

/** What the console derives from its deps: once per container, not once per request. */
const settings = new WeakMap<
  ConsoleAppDeps,
  { jar: CookieJar; headers: Readonly<Record<string, string>>; clinic: ConsoleClinic }
>();

function settingsOf(deps: ConsoleAppDeps) {
  let found = settings.get(deps);
  if (!found) {
    found = {
      jar: cookieJar(deps.baseUrl),
      headers: pageSecurityHeaders(CONSOLE_STYLE_HASH, deps.formTargets ?? []),
      clinic: {
        name: deps.config.clinic.name,
        timeZone: deps.config.clinic.timeZone,
        maxEscalations: deps.config.staff.maxEscalations,
        ruleDescriptions: Object.fromEntries(
          deps.config.triage.flatMap((rule) => (rule.description ? [[rule.id, rule.description]] : [])),
        ),
      },
    };
    settings.set(deps, found);
  }
  return found;
}

/** The largest request body the console reads, in bytes (DESIGN section 8). */
export const MAX_CONSOLE_BODY_BYTES = 16 * 1024;

/** Serves one console request. */
export async function handleConsoleRequest(
  deps: ConsoleAppDeps,
  request: ConsoleHttpRequest,
): Promise<ConsoleHttpResponse> {
  const { jar, headers, clinic } = settingsOf(deps);
  const page = (status: number, view: VNode, cookies: string[] = []): ConsoleHttpResponse => ({
    status,
    headers: { ...headers, 'Content-Type': 'text/html; charset=utf-8' },
    cookies,
    body: renderPage(view),
  });
  const redirect = (location: string, cookies: string[] = []): ConsoleHttpResponse => ({
    status: 303,
    headers: { ...headers, Location: location, 'Content-Type': 'text/plain; charset=utf-8' },
    cookies,
    body: '',
  });
  const message = (
    status: number,
    title: string,
    lines: string[],
    viewer?: ConsoleViewer,
    cookies: string[] = [],
  ) =>
    page(
      status,
      <ConsoleMessagePage
        title={title}
        clinicName={clinic.name}
        lines={lines}
        {...(viewer
          ? { viewer, link: { href: '/console', label: 'Back to the overview' } }
          : { link: { href: '/console/sign-in', label: 'Sign in' } })}
      />,
      cookies,
    );

  const { method } = request;
  // Ids may hold ':' (a webhook's booking, `calcom:…`), which the console's own links write as %3A.
  const path = request.path.replace(/%3A/gi, ':');
  // Nothing the console takes is longer than a short note: a larger body is refused before anything else.
  if (Buffer.byteLength(request.body ?? '') > MAX_CONSOLE_BODY_BYTES) {
    return message(413, 'Too much to send', ['That was more than the console takes. Nothing was changed.']);
  }
  const query = new URLSearchParams(request.query);
  const cookies = parseCookies(request.headers.cookie);
  const now = deps.clock.now();

  // Signing in and out.
  if (path === '/console/sign-in' && method === 'GET') {
    return startSignIn(deps, jar, now, safeReturn(query.get('return')), redirect);
  }
  if (path === '/console/callback' && method === 'GET') {
    return finishSignIn(deps, jar, request, cookies, now, redirect, message);
  }
  if (path === '/console/signed-out' && method === 'GET') {
    return message(
      200,
      'You are signed out',
      ['You have signed out of the staff console and of the clinic sign-in.'],
      undefined,
      [clearCookie(jar, jar.session)],
    );
  }

  // Everything else needs a live session.
  const session = await currentSession(deps, jar, cookies, now);
  if (!session) {
    if (method === 'GET' || method === 'HEAD') {
      return redirect(
        `/console/sign-in?return=${encodeURIComponent(safeReturn(path + (request.query ? `?${request.query}` : '')))}`,
        [clearCookie(jar, jar.session)],
      );
    }
    return message(
      401,
      'Please sign in again',
      ['Your session has ended, so nothing was changed. Sign in and try again.'],
      undefined,
      [clearCookie(jar, jar.session)],
    );
  }
  const viewer: ConsoleViewer = { staff: session.staff, csrfToken: session.csrfToken };
  const form = method === 'POST' ? new URLSearchParams(request.body ?? '') : undefined;
  if (method === 'POST') {
    if (!sameOrigin(request, deps.baseUrl) || !csrfMatches(form?.get('csrf'), session.csrfToken)) {
      await deps.audit.record({
        at: now,
        action: 'denied',
        subject: 'CSRF',
        page: path,
        user: { subject: session.staff.subject, email: session.staff.email },
        origin: request.origin,
      });
      return message(
        403,
        'This form has expired',
        ['Nothing was changed. Go back, reload the page and try again.'],
        viewer,
      );
    }
  } else if (method !== 'GET' && method !== 'HEAD') {
    return {
      ...message(405, 'Not allowed', ['This address does not take that request.'], viewer),
      headers: { ...headers, Allow: 'GET, POST', 'Content-Type': 'text/html; charset=utf-8' },
    };
  }
  if (shouldTouch(session, now)) await deps.sessions.touch(session.sessionId, now);

  const staffRequest: StaffRequest = { staff: session.staff, origin: request.origin, page: path };
  const refused = (result: ConsoleResult<unknown> & { ok: false }) =>
    result.reason === 'forbidden'
      ? message(
          403,
          'Not available to your role',
          ['Your role does not include this page. Ask an admin if you need it.'],
          viewer,
        )
      : result.reason === 'not-found'
        ? message(404, 'Not found', ['There is nothing at this address.'], viewer)
        : message(
            409,
            'Already done',
            ['Someone changed this meanwhile. Reload the page to see it as it is now.'],
            viewer,
          );

  if (path === '/console/sign-out' && method === 'POST') {
    await deps.sessions.delete(session.sessionId);
    await record(deps, staffRequest, 'sign-out', 'SESSION');
    const to = await deps.identity.signOutUrl({
      ...(session.idToken ? { idToken: session.idToken } : {}),
      returnTo: `${deps.baseUrl}/console/signed-out`,
    });
    return redirect(to, [clearCookie(jar, jar.session)]);
  }

  if ((path === '/console' || path === '/console/') && method !== 'POST') {
    const result = await consoleHome(deps, staffRequest);
    return result.ok
      ? page(200, <ConsoleHomePage viewer={viewer} clinic={clinic} home={result.value} />)
      : refused(result);
  }
  if (path === '/console/alerts' && method !== 'POST') {
    const month = query.get('month');
    const result = await listAlerts(
      deps,
      staffRequest,
      month && /^\d{4}-(0[1-9]|1[0-2])$/.test(month) ? month : undefined,
    );
    return result.ok
      ? page(200, <AlertsPage viewer={viewer} clinic={clinic} lists={result.value} now={now} />)
      : refused(result);
  }
  const alertRoute = /^\/console\/alerts\/([A-Za-z0-9_.:-]{1,128})(?:\/(acknowledge|close))?$/.exec(path);
  if (alertRoute) {
    const alertId = alertRoute[1] ?? '';
    const action = alertRoute[2];
    if (action === undefined && method !== 'POST') {
      const result = await showAlert(deps, staffRequest, alertId);
      if (!result.ok) return refused(result);
      const notice = DONE_NOTICES[query.get('done') ?? ''];
      return page(
        200,
        <AlertDetailPage
          viewer={viewer}
          clinic={clinic}
          detail={result.value}
          now={now}
          {...(notice ? { notice } : {})}
        />,
      );
    }
    if (action === 'acknowledge' && method === 'POST') {
      const result = await acknowledgeAsStaff(deps, staffRequest, alertId);
      if (!result.ok) return refused(result);
      const note = result.value.first ? 'acknowledged' : 'already-acknowledged';
      return redirect(`/console/alerts/${encodeURIComponent(alertId)}?done=${note}`);
    }
    if (action === 'close' && method === 'POST') {
      const outcome = outcomeFrom(form ?? new URLSearchParams());
      if (!outcome.ok) {
        const detail = await showAlert(deps, staffRequest, alertId);
        if (!detail.ok) return refused(detail);
        return page(
          400,
          <AlertDetailPage
            viewer={viewer}
            clinic={clinic}
            detail={detail.value}
            now={now}
            error={outcome.error}
          />,
        );
      }
      const result = await closeAlert(deps, staffRequest, alertId, outcome.value);
      if (!result.ok) return refused(result);
      return redirect(`/console/alerts/${encodeURIComponent(alertId)}?done=closed`);
    }
  }
  if (path === '/console/audit' && method !== 'POST') {
    const day = query.get('day');
    const user = query.get('user')?.trim().slice(0, 254);
    const subject = query.get('subject')?.trim().slice(0, 300);
    const after = query.get('after')?.slice(0, 200);
    const result = await listAudit(deps, staffRequest, {
      ...(day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? { day } : {}),
      ...(user ? { user } : {}),
      ...(subject ? { subject } : {}),
      ...(after ? { after } : {}),
    });
    return result.ok
      ? page(200, <AuditPageView viewer={viewer} clinic={clinic} view={result.value} />)
      : refused(result);
  }
  if (path === '/console/today' && method !== 'POST') {
    const result = await showToday(deps, staffRequest);
    return result.ok
      ? page(200, <TodayPage viewer={viewer} clinic={clinic} view={result.value} />)
      : refused(result);
  }
  if (path === '/console/notices' && method !== 'POST') {
    const result = await listNotices(deps, staffRequest, query.get('after') ?? undefined);
    return result.ok
      ? page(
          200,
          <NoticesPage
            viewer={viewer}
            clinic={clinic}
            items={result.value.items}
            {...(result.value.next ? { next: result.value.next } : {})}
            continued={query.has('after')}
            done={query.get('done') === '1'}
          />,
        )
      : refused(result);
  }
  const noticeRoute = /^\/console\/notices\/([A-Za-z0-9_.:-]{1,128})\/([a-z-]{1,40})\/done$/.exec(path);
  if (noticeRoute && method === 'POST') {
    const result = await markNoticeDone(deps, staffRequest, noticeRoute[1] ?? '', noticeRoute[2] ?? '');
    return result.ok ? redirect('/console/notices?done=1') : refused(result);
  }
  if (path === '/console/review' && method !== 'POST') {
    const result = await listReview(deps, staffRequest);
    const notice = query.get('done') === 'reviewed' ? 'Marked reviewed.' : undefined;
    return result.ok
      ? page(
          200,
          <ReviewPage
            viewer={viewer}
            clinic={clinic}
            items={result.value.items}
            missed={result.value.missed}
            {...(notice ? { notice } : {})}
          />,
        )
      : refused(result);
  }
  const replyRoute =
    /^\/console\/replies\/([A-Za-z0-9_.:-]{1,128})\/([A-Za-z0-9_.:-]{1,128})(\/reviewed)?$/.exec(path);
  if (replyRoute && !replyRoute[3] && method !== 'POST') {
    const result = await showReply(deps, staffRequest, replyRoute[1] ?? '', replyRoute[2] ?? '');
    return result.ok
      ? page(200, <ConsoleReplyPage viewer={viewer} clinic={clinic} detail={result.value} />)
      : refused(result);
  }
  if (replyRoute?.[3] && method === 'POST') {
    const result = await markReviewed(deps, staffRequest, replyRoute[1] ?? '', replyRoute[2] ?? '');
    return result.ok ? redirect('/console/review?done=reviewed') : refused(result);
  }
  if (path === '/console/outcomes' && method !== 'POST') {
    const result = await showOutcomes(deps, staffRequest);
    return result.ok
      ? page(200, <OutcomesPage viewer={viewer} clinic={clinic} view={result.value} />)
      : refused(result);
  }
  if (path === '/console/patients' && method !== 'POST') {
    const id = query.get('id')?.trim();
    if (id) return redirect(patientConsolePath(id.slice(0, 128)));
    const result = await findPatient(deps, staffRequest);
    return result.ok ? page(200, <PatientSearchPage viewer={viewer} clinic={clinic} />) : refused(result);
  }
  const patientRoute = /^\/console\/patients\/([^/]{1,400})$/.exec(path);
  if (patientRoute && method !== 'POST') {
    const patientId = decodedSegment(patientRoute[1] ?? '');
    if (patientId === undefined || patientId.length > 128) {
      return message(404, 'Not found', ['There is nothing at this address.'], viewer);
    }
    // A cursor the page itself made (`<start>#<bookingId>`); anything else starts at the newest.
    const before = query.get('before') ?? undefined;
    const result = await showPatient(
      deps,
      staffRequest,
      patientId,
      before && before.length <= 200 && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z#/.test(before) ? before : undefined,
    );
    if (!result.ok && result.reason === 'not-found') {
      return page(404, <PatientSearchPage viewer={viewer} clinic={clinic} notFound={patientId} />);
    }
    return result.ok
      ? page(200, <PatientPage viewer={viewer} clinic={clinic} view={result.value} />)
      : refused(result);
  }
  if (path === '/console/export' && method !== 'POST') {
    const input = exportInput(query);
    const result = await showExportPage(deps, staffRequest, input);
    return result.ok
      ? page(200, <ExportPage viewer={viewer} clinic={clinic} view={result.value} />)
      : refused(result);
  }
  if (path === '/console/export/fhir' && method !== 'POST') {
    const started = await startExportPart(deps, staffRequest, {
      ...exportInput(query),
      ...(query.get('page') ? { page: query.get('page') ?? '' } : {}),
    });
    if (!started.ok) return refused(started);
    const { type, part, next } = started.value;
    const resources = await bulkExport(
      { url: `${deps.baseUrl.replace(/\/+$/, '')}/fhir` },
      deps.exportSource,
      part.window,
      {
        timeZone: deps.config.clinic.timeZone,
        lookbackDays: replyLookbackDays(deps.config),
        types: [type],
      },
    );
    return {
      status: 200,
      headers: {
        ...headers,
        'Content-Type': 'application/fhir+ndjson',
        'Content-Disposition': `attachment; filename="${type}-${part.from}-to-${part.to}.ndjson"`,
        ...(next
          ? {
              Link: `<${exportPartHref(type, query.get('from') ?? '', query.get('to') ?? '', next.page)}>; rel="next"`,
            }
          : {}),
      },
      cookies: [],
      body: toNdjson(resources[type]),
    };
  }
  const missedRoute = /^\/console\/missed\/([A-Za-z0-9_.:-]{1,128})\/([a-z-]{1,32})\/reviewed$/.exec(path);
  if (missedRoute && method === 'POST' && isCheckinKind(missedRoute[2] ?? '')) {
    const kind = missedRoute[2] as Parameters<typeof markMissedReviewed>[3];
    const result = await markMissedReviewed(deps, staffRequest, missedRoute[1] ?? '', kind);
    return result.ok ? redirect('/console/review?done=reviewed') : refused(result);
  }
  return message(404, 'Not found', ['There is nothing at this address.'], viewer);
}

/** The export form's fields, as typed. */
function exportInput(query: URLSearchParams): ExportInput {
  const value = (name: string) => query.get(name)?.slice(0, 40);
  const [type, from, to] = [value('type'), value('from'), value('to')];
  return { ...(type ? { type } : {}), ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

/** A path segment decoded (`%20` and the like), or undefined when it is not valid percent-encoding. */
function decodedSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Only a console path of ours is a place to come back to after signing in (no open redirect). */
function safeReturn(value: string | null): string {
  if (!value?.startsWith('/console') || /[\\\r\n]/.test(value)) return '/console';
  return value.slice(0, 500);
}

async function startSignIn(
  deps: ConsoleAppDeps,
  jar: CookieJar,
  now: string,
  returnTo: string,
  redirect: (location: string, cookies?: string[]) => ConsoleHttpResponse,
): Promise<ConsoleHttpResponse> {
  const start = await deps.identity.startSignIn();
  const login = await sealCookie(
    { state: start.state, codeVerifier: start.codeVerifier, nonce: start.nonce, returnTo },
    await deps.cookieKey.get(),
    now,
    LOGIN_SECONDS,
  );
  return redirect(start.url, [setCookie(jar, jar.login, login, LOGIN_SECONDS)]);
}

async function finishSignIn(
  deps: ConsoleAppDeps,
  jar: CookieJar,
  request: ConsoleHttpRequest,
  cookies: Record<string, string>,
  now: string,
  redirect: (location: string, cookies?: string[]) => ConsoleHttpResponse,
  message: (status: number, title: string, lines: string[]) => ConsoleHttpResponse,
): Promise<ConsoleHttpResponse> {
  const key = await deps.cookieKey.get();
  const login = await openCookie(cookies[jar.login], key, now);
  const expected = {
    state: String(login?.state ?? ''),
    codeVerifier: String(login?.codeVerifier ?? ''),
    nonce: String(login?.nonce ?? ''),
  };
  const failed = (reason: string) => {
    deps.log.warn('console sign-in refused', { reason });
    const response = message(400, 'Sign-in did not complete', [
      'The sign-in could not be finished, so you are not signed in. Start again from the console.',
    ]);
    return { ...response, cookies: [clearCookie(jar, jar.login)] };
  };
  if (!login || !expected.state) return failed('no-login-cookie');
  let staff: Staff;
  let idToken: string | undefined;
  try {
    const result = await deps.identity.finishSignIn(
      `${deps.baseUrl}${request.path}?${request.query}`,
      expected,
    );
    staff = staffFromClaims(result.claims, deps.groupsClaim ?? GROUPS_CLAIM);
    idToken = result.idToken;
  } catch (error) {
    return failed(error instanceof StaffIdentityError ? 'claims' : 'code-exchange');
  }
  const session: StaffSession = {
    sessionId: randomBytes(32).toString('base64url'),
    staff,
    csrfToken: randomBytes(32).toString('base64url'),
    createdAt: now,
    lastSeenAt: now,
    ...(idToken ? { idToken } : {}),
  };
  const policy = sessionPolicy(deps);
  const lifetime = policy.absoluteHours * 3600;
  await deps.sessions.create(session, new Date(Date.parse(now) + lifetime * 1000).toISOString());
  await deps.audit.record({
    at: now,
    action: 'sign-in',
    subject: 'SESSION',
    page: request.path,
    user: { subject: staff.subject, email: staff.email },
    origin: request.origin,
  });
  const sealed = await sealCookie({ sid: session.sessionId }, key, now, lifetime);
  return redirect(typeof login.returnTo === 'string' ? safeReturn(login.returnTo) : '/console', [
    setCookie(jar, jar.session, sealed, lifetime),
    clearCookie(jar, jar.login),
  ]);
}

function sessionPolicy(deps: ConsoleAppDeps): SessionPolicy {
  return deps.config.staff.session;
}

/** The session the cookie names, if it is still within its idle and absolute timeouts. */
async function currentSession(
  deps: ConsoleAppDeps,
  jar: CookieJar,
  cookies: Record<string, string>,
  now: string,
): Promise<StaffSession | undefined> {
  const sealed = await openCookie(cookies[jar.session], await deps.cookieKey.get(), now);
  const sessionId = typeof sealed?.sid === 'string' ? sealed.sid : undefined;
  if (!sessionId) return undefined;
  const session = await deps.sessions.get(sessionId);
  if (!session) return undefined;
  if (sessionState(session, now, sessionPolicy(deps)) !== 'active') {
    await deps.sessions.delete(sessionId);
    return undefined;
  }
  return session;
}

function csrfMatches(given: string | null | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A POST whose browser names another origin is refused, whatever it carries.
 * Our pages send no referrer, so browsers say `Origin: null` for their own
 * forms; the CSRF token is what proves those.
 */
function sameOrigin(request: ConsoleHttpRequest, baseUrl: string): boolean {
  const origin = request.headers.origin;
  return origin === undefined || origin === 'null' || origin === new URL(baseUrl).origin;
}

const MAX_OUTCOME_TEXT = 1000;

function outcomeFrom(
  form: URLSearchParams,
): { ok: true; value: AlertOutcome } | { ok: false; error: string } {
  const text = (name: string) =>
    (form.get(name) ?? '').replace(/\r\n?/g, '\n').trim().slice(0, MAX_OUTCOME_TEXT);
  const reached = form.get('reached');
  if (reached === 'yes') {
    const safe = form.get('safe');
    if (safe !== 'yes' && safe !== 'no') return { ok: false, error: 'Say whether the patient is safe now.' };
    const plan = text('plan');
    if (plan === '') return { ok: false, error: 'Write down the plan you agreed with the patient.' };
    return { ok: true, value: { reached: true, safe: safe === 'yes', plan } };
  }
  if (reached === 'no') {
    const nextStep = text('nextStep');
    if (nextStep === '')
      return { ok: false, error: 'Write down the next step, since the patient was not reached.' };
    return { ok: true, value: { reached: false, nextStep } };
  }
  return { ok: false, error: 'Say whether you reached the patient.' };
}
