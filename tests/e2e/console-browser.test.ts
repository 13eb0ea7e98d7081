/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DateTime } from 'luxon';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium';
import { samplePatientPageHtml } from '../support/patient-page-sample';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ZONE = 'America/New_York';
const PASSWORD = 'test-staff-password';
const PATIENT = { firstName: 'Jordan', phone: '+15550100777', email: 'jordan@example.org' };

let runtime: LocalRuntime;
let browser: Browser;
const contexts: BrowserContext[] = [];
const cspViolations: string[] = [];

interface LocalAlert {
  alertId: string;
  bookingId: string;
  state: string;
  acknowledgedBy?: string;
}

const getJson = async <T>(path: string): Promise<T> =>
  (await (await fetch(`${runtime.url}${path}`)).json()) as T;

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(`${runtime.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Books a one-hour session `hoursFromNow` after the virtual clock's now, for `patient`. */
async function book(bookingId: string, hoursFromNow: number, patient: Record<string, string>): Promise<void> {
  const { now } = await getJson<{ now: string }>('/local/clock');
  const startsAt = DateTime.fromISO(now).plus({ hours: hoursFromNow }).toISO();
  await postJson('/local/events', {
    Source: 'clinic.booking',
    DetailType: 'Booking Created',
    Detail: {
      bookingId,
      version: 1,
      session: { startsAt, durationMinutes: 60, timeZone: ZONE, treatment: 'iv-ketamine' },
      patient: { id: `p-${bookingId}`, ...patient },
    },
  });
}

/** A session that ended an hour ago, and a same-day reply to it; answers the reply's answer. */
async function reply(bookingId: string, answers: unknown): Promise<Response> {
  await book(bookingId, -6, PATIENT);
  await postJson('/local/clock', { advance: 'PT1M' });
  const outbox =
    await getJson<{ bookingId?: string; kind?: string; channel: string; text: string }[]>('/local/outbox');
  const message = outbox.find(
    (m) => m.bookingId === bookingId && m.kind === 'checkin-same-day' && m.channel === 'email',
  );
  const link = message?.text.match(/http:\/\/127\.0\.0\.1:\d+\/c\/[A-Za-z0-9_-]+/)?.[0];
  if (!link) throw new Error(`no check-in link for ${bookingId}`);
  return fetch(link, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(answers),
  });
}

/** A booking next week for a patient with an email only, whose instructions bounce: a front-desk notice. */
async function unreachable(bookingId: string, firstName: string): Promise<void> {
  const email = `${bookingId}@example.org`;
  await book(bookingId, 7 * 24, { firstName, email });
  const bounce = await postJson('/local/email/events', { to: email, type: 'bounce' });
  expect(((await bounce.json()) as { followUp?: { type: string } }).followUp?.type).toBe('notice');
}

/** An urgent same-day reply (self-harm thoughts, chest pain); answers the alert id. */
async function urgentAlert(bookingId: string): Promise<string> {
  const answer = await reply(bookingId, {
    mood: 2,
    selfHarm: 'yes',
    sideEffects: { 'chest-pain': 'moderate' },
  });
  expect(answer.status).toBe(201);
  const alert = (await getJson<LocalAlert[]>('/local/alerts')).find((a) => a.bookingId === bookingId);
  if (!alert) throw new Error(`no alert for ${bookingId}`);
  return alert.alertId;
}

async function context(options: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  const created = await browser.newContext({
    viewport: { width: 320, height: 640 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    colorScheme: 'dark',
    ...options,
  });
  created.setDefaultTimeout(10_000);
  created.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  contexts.push(created);
  return created;
}

/** Opens `path`, which sends a signed-out browser to the local provider's sign-in, and signs in. */
async function signIn(page: Page, path: string, email: string): Promise<void> {
  await page.goto(`${runtime.url}${path}`);
  await page.waitForURL(/\/oidc\/interaction\//);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(PASSWORD);
  await Promise.all([
    page.waitForURL(new RegExp(`${path.replace(/[?]/g, '\\?')}$`)),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

async function axeViolations(page: Page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: unknown[] }> } })
      .axe;
    return axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
  });
  return (result.violations as { id: string; nodes: { target: string[] }[] }[]).map((v) => ({
    id: v.id,
    targets: v.nodes.map((n) => n.target.join(' ')),
  }));
}

let firstAlert: string;
let secondAlert: string;

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  runtime = await startLocalRuntime({
    port: 0,
    clockStart: '2026-06-02T18:00:00Z',
    demo: false,
    staffPassword: PASSWORD,
  });
  firstAlert = await urgentAlert('console-1');
  secondAlert = await urgentAlert('console-2');
  const review = await reply('console-3', { mood: 3, selfHarm: 'no', sideEffects: { headache: 'moderate' } });
  expect(((await review.json()) as { triage: string }).triage).toBe('review');
  // Two patients with an email only, whose instructions bounce: no channel left, two front-desk notices.
  await unreachable('console-4', 'Riley');
  await unreachable('console-5', 'Quinn');
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  for (const created of contexts) await created.close();
  await browser?.close();
  await runtime?.close();
});

describe('staff console in a real browser', () => {
  it('shows no patient data to a signed-out visit of an alert link: only the sign-in page', async () => {
    const page = await (await context()).newPage();
    const response = await page.goto(`${runtime.url}/console/alerts/${firstAlert}`);
    expect(page.url()).toMatch(/\/oidc\/interaction\//);
    expect(response?.status()).toBe(200);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).not.toContain(PATIENT.firstName);
    expect(text).not.toContain(PATIENT.phone);
    expect(text).toMatch(/sign in/i);
  });

  it('signs a clinician in, shows the open alert, and acknowledges it in their name, which stops the escalation', async () => {
    const page = await (await context()).newPage();
    await signIn(page, `/console/alerts/${firstAlert}`, 'clinician@example.org');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    const main = page.locator('main');
    await expect
      .poll(async () => (await main.locator('h1').textContent()) ?? '')
      .toContain(PATIENT.firstName);
    expect(await main.locator(`a[href="tel:${PATIENT.phone}"]`).count()).toBeGreaterThan(0);
    expect((await main.textContent()) ?? '').toMatch(/not acknowledged yet/i);
    // The answers that made the alert: self-harm yes and chest pain, highlighted.
    const marked = await main.locator('mark').allTextContents();
    expect(marked.join(' ')).toMatch(/Yes/);
    expect(marked.join(' ')).toMatch(/Chest pain/i);
    const escalationsBefore = (
      await getJson<{ kind: string; alertId?: string }[]>('/local/schedules')
    ).filter((s) => s.alertId === firstAlert);
    expect(escalationsBefore).toHaveLength(1);

    await Promise.all([
      page.waitForURL(/done=acknowledged/),
      page.getByRole('button', { name: /acknowledge/i }).click(),
    ]);
    expect((await main.textContent()) ?? '').toContain('Acknowledged by Casey Clinician');
    await page.screenshot({ path: 'test-results/console-alert-acknowledged.png', fullPage: true });
    const alert = (await getJson<LocalAlert[]>('/local/alerts')).find((a) => a.alertId === firstAlert);
    expect(alert).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'Casey Clinician' });
    expect(
      (await getJson<{ alertId?: string }[]>('/local/schedules')).filter((s) => s.alertId === firstAlert),
    ).toEqual([]);
    // Two hours later, nobody has been told again about the acknowledged alert; the other one escalated.
    await postJson('/local/clock', { advance: 'PT2H' });
    const escalations = (
      await getJson<{ channel: string; topic?: string; text: string }[]>('/local/outbox')
    ).filter((m) => m.channel === 'staff' && m.topic === 'escalation');
    expect(escalations.some((m) => m.text.includes(secondAlert))).toBe(true);
    expect(escalations.some((m) => m.text.includes(firstAlert))).toBe(false);

    // Two idle hours ended the console session (30 minutes by default): the form changes nothing.
    await page.locator('#reached-no').check();
    await page.locator('#nextStep').fill('Try again at 6 PM');
    const expired = page.waitForResponse((r) => r.request().method() === 'POST');
    await page.getByRole('button', { name: /close the alert/i }).click();
    expect((await expired).status()).toBe(401);
    expect((await page.locator('h1').textContent()) ?? '').toMatch(/sign in again/i);
    expect((await getJson<LocalAlert[]>('/local/alerts')).find((a) => a.alertId === firstAlert)?.state).toBe(
      'acknowledged',
    );

    // Signing in again is one step while the provider's own session lasts; then the outcome is recorded and closed.
    await page.goto(`${runtime.url}/console/alerts/${firstAlert}`);
    await page.waitForURL(new RegExp(`/console/alerts/${firstAlert}$`));
    await page.locator('#reached-yes').check();
    await page.locator('#safe-yes').check();
    await page.locator('#plan').fill('Spoke with Jordan; safety plan reviewed; follow-up call tomorrow');
    await Promise.all([
      page.waitForURL(/done=closed/),
      page.getByRole('button', { name: /close the alert/i }).click(),
    ]);
    expect((await main.textContent()) ?? '').toContain('Closed by Casey Clinician');
    expect((await main.textContent()) ?? '').toContain('safety plan reviewed');
  });

  it("lists a review reply, opens it, and marks it reviewed in the clinician's name", async () => {
    const page = await (await context()).newPage();
    await signIn(page, '/console/review', 'clinician@example.org');
    const main = page.locator('main');
    const listed = (await main.textContent()) ?? '';
    expect(listed).toContain(`${PATIENT.firstName}: `);
    expect(listed).toContain('Mood 3 or lower');
    await Promise.all([page.waitForURL(/\/console\/replies\//), main.locator('h2 a').first().click()]);
    expect((await main.textContent()) ?? '').toContain('check-in reply to review');
    await Promise.all([
      page.waitForURL(/\/console\/review\?done=reviewed$/),
      page.getByRole('button', { name: 'Mark reviewed' }).click(),
    ]);
    expect((await main.textContent()) ?? '').toContain('Nothing is waiting for review.');
  });

  it('refuses a POST without the CSRF token and changes nothing', async () => {
    const page = await (await context()).newPage();
    await signIn(page, '/console/alerts', 'clinician@example.org');
    const response = await page.request.post(`${runtime.url}/console/alerts/${secondAlert}/acknowledge`, {
      form: { nothing: 'here' },
    });
    expect(response.status()).toBe(403);
    const forged = await page.request.post(`${runtime.url}/console/alerts/${secondAlert}/acknowledge`, {
      form: { csrf: 'a-token-of-another-session' },
    });
    expect(forged.status()).toBe(403);
    const alert = (await getJson<LocalAlert[]>('/local/alerts')).find((a) => a.alertId === secondAlert);
    expect(alert?.state).not.toBe('acknowledged');
  });

  it('refuses the answers to a front-desk user', async () => {
    const page = await (await context()).newPage();
    await page.goto(`${runtime.url}/console`);
    await page.locator('#email').fill('frontdesk@example.org');
    await page.locator('#password').fill(PASSWORD);
    await Promise.all([page.waitForURL(/\/console$/), page.getByRole('button', { name: 'Sign in' }).click()]);
    expect((await page.locator('nav').textContent()) ?? '').not.toMatch(/alerts/i);
    const response = await page.goto(`${runtime.url}/console/alerts/${secondAlert}`);
    expect(response?.status()).toBe(403);
    const text = (await page.locator('body').textContent()) ?? '';
    expect(text).toMatch(/not available to your role/i);
    expect(text).not.toContain(PATIENT.firstName);
    expect(text).not.toMatch(/chest pain|self-harm|better off dead/i);
    expect((await page.goto(`${runtime.url}/console/alerts`))?.status()).toBe(403);
    // Sessions, contacts and message status are the front desk's: today's sessions, without answers.
    expect((await page.goto(`${runtime.url}/console/today`))?.status()).toBe(200);
    const today = (await page.locator('main').textContent()) ?? '';
    expect(today).toContain(PATIENT.firstName);
    expect(today).toMatch(/Same-day check-in: sent: [^·]+ · answered/);
    expect(today).not.toMatch(/chest pain|self-harm|mood/i);
    // The patient page: sessions and message status, that a check-in was answered; no answers, alerts or chart.
    expect((await page.goto(`${runtime.url}/console/patients/p-console-1`))?.status()).toBe(200);
    const patient = (await page.locator('main').textContent()) ?? '';
    expect(patient).toContain(PATIENT.firstName);
    expect(patient).toMatch(/same-day check-in answered/i);
    expect(patient).not.toMatch(/chest pain|self-harm|urgent|PHQ-9/i);
    expect(await page.locator('svg').count()).toBe(0);
    // The notices: who could not be reached, with the details on file; one is marked dealt with, without script.
    expect((await page.goto(`${runtime.url}/console/notices`))?.status()).toBe(200);
    const notices = (await page.locator('main').textContent()) ?? '';
    expect(notices).toMatch(/Notices \(2\)/);
    expect(notices).toMatch(/Riley: a patient could not be reached before their session/);
    expect(notices).toContain('console-4@example.org');
    await Promise.all([
      page.waitForURL(/\/console\/notices\?done=1$/),
      page.locator('li', { hasText: 'Riley' }).getByRole('button', { name: 'Mark dealt with' }).click(),
    ]);
    const after = (await page.locator('main').textContent()) ?? '';
    expect(after).toContain('Marked dealt with.');
    expect(after).toMatch(/Notices \(1\)/);
    expect(after).not.toContain('Riley');
  });

  it("finds a patient by the clinic's id and shows the alert and the urgent reply on the timeline", async () => {
    const page = await (await context()).newPage();
    await signIn(page, '/console/patients', 'clinician@example.org');
    await page.locator('#patient-id').fill('p-console-2');
    await Promise.all([
      page.waitForURL(/\/console\/patients\/p-console-2$/),
      page.getByRole('button', { name: 'Open' }).click(),
    ]);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain(PATIENT.firstName);
    expect(text).toMatch(/Urgent alert: /);
    expect(text).toMatch(/Same-day check-in reply: urgent/i);
    await page.getByRole('link', { name: 'Open the alert' }).click();
    await page.waitForURL(new RegExp(`/console/alerts/${secondAlert}$`));
    // The replies so far, counted in this week: two urgent (console-1, console-2), one review (console-3).
    expect((await page.goto(`${runtime.url}/console/outcomes`))?.status()).toBe(200);
    const lastWeek = page.locator('tbody tr').first().locator('td');
    expect(await lastWeek.allTextContents()).toEqual([expect.any(String), '2', '1', '0', '3']);
    const unknown = await page.goto(`${runtime.url}/console/patients/nobody-here`);
    expect(unknown?.status()).toBe(404);
    expect((await page.locator('main').textContent()) ?? '').toContain('No booking has the patient id');
  });

  it('signs out of the console and the provider, so the next person must sign in again', async () => {
    const page = await (await context()).newPage();
    await signIn(page, '/console', 'clinician@example.org');
    await page.getByRole('button', { name: /sign out/i }).click();
    // The provider asks to confirm ending its own session.
    await page.waitForURL(/\/oidc\/session\/end/);
    await Promise.all([
      page.waitForURL(/\/console\/signed-out$/),
      page.getByRole('button', { name: /yes/i }).click(),
    ]);
    expect((await page.locator('h1').textContent()) ?? '').toMatch(/signed out/i);
    await page.goto(`${runtime.url}/console/alerts/${secondAlert}`);
    expect(page.url()).toMatch(/\/oidc\/interaction\//);
    expect((await page.locator('body').textContent()) ?? '').not.toContain(PATIENT.firstName);
  });

  it('shows an admin who viewed and acknowledged the alert, when and from where, and nothing clinical', async () => {
    const page = await (await context()).newPage();
    await signIn(page, '/console/audit', 'admin@example.org');
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('clinician@example.org');
    expect(text).toContain(`acknowledged ALERT#${firstAlert}`);
    expect(text).toContain(`closed ALERT#${firstAlert}`);
    expect(text).toContain('frontdesk@example.org');
    expect(text).toMatch(/was refused ALERT#/);
    expect(text).toMatch(/127\.0\.0\.1/);
    expect(text).not.toContain(PATIENT.firstName);
    expect((await page.goto(`${runtime.url}/console/alerts/${firstAlert}`))?.status()).toBe(403);
  });

  it('loads every console page with its styles allowed by the Content-Security-Policy', () => {
    expect(cspViolations).toEqual([]);
  });
});

describe('console accessibility (axe-core)', () => {
  it('finds no violations on any console page', async () => {
    const page = await (await context({ bypassCSP: true })).newPage();
    await signIn(page, '/console', 'clinician@example.org');
    const found: Record<string, unknown> = {};
    const replies = await getJson<{ replyId: string; bookingId: string }[]>('/local/replies');
    const reviewReply = replies.find((r) => r.bookingId === 'console-3')?.replyId;
    expect(reviewReply).toBeDefined();
    for (const path of [
      '/console',
      '/console/alerts',
      `/console/alerts/${secondAlert}`,
      `/console/alerts/${firstAlert}`,
      '/console/review',
      `/console/replies/console-3/${reviewReply}`,
      '/console/today',
      '/console/patients',
      '/console/patients/p-console-1',
      '/console/outcomes',
      '/console/notices',
    ]) {
      await page.goto(`${runtime.url}${path}`);
      found[path] = await axeViolations(page);
    }
    await page.goto(`${runtime.url}/console/alerts/no-such-alert`);
    found.notFound = await axeViolations(page);
    await page.goto(`${runtime.url}/console/signed-out`);
    found.signedOut = await axeViolations(page);
    const admin = await (await context({ bypassCSP: true })).newPage();
    await signIn(admin, '/console/audit', 'admin@example.org');
    found.audit = await axeViolations(admin);
    // A patient page with both charts (the local patients have no screener answers).
    await page.setContent(samplePatientPageHtml());
    found.charts = await axeViolations(page);
    expect(found).toEqual({
      '/console': [],
      '/console/alerts': [],
      [`/console/alerts/${secondAlert}`]: [],
      [`/console/alerts/${firstAlert}`]: [],
      '/console/review': [],
      '/console/today': [],
      '/console/patients': [],
      '/console/patients/p-console-1': [],
      '/console/outcomes': [],
      '/console/notices': [],
      charts: [],
      [`/console/replies/console-3/${reviewReply}`]: [],
      notFound: [],
      signedOut: [],
      audit: [],
    });
  });
});
