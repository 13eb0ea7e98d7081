/// <reference lib="dom" />
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DateTime } from 'luxon';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { t } from '../../shared/web/i18n';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../support/chromium';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ZONE = 'America/Denver';

let runtime: LocalRuntime;
let browser: Browser;
/** A phone-sized context that enforces the pages' Content-Security-Policy, as a patient's browser does. */
let phone: BrowserContext;
/** The same, allowed to inject axe-core (its script would otherwise be blocked by the CSP). */
let audit: BrowserContext;
const cspViolations: string[] = [];

async function linkFor(bookingId: string, kind: string, page: 'c' | 'i' = 'c'): Promise<string> {
  const outbox = (await (await fetch(`${runtime.url}/local/outbox`)).json()) as {
    bookingId: string;
    kind: string;
    channel: string;
    text: string;
  }[];
  const channel = page === 'i' ? 'sms' : 'email';
  const message = outbox.find((m) => m.bookingId === bookingId && m.kind === kind && m.channel === channel);
  const link = message?.text.match(new RegExp(`http://127\\.0\\.0\\.1:\\d+/${page}/[A-Za-z0-9_-]+`))?.[0];
  if (!link) throw new Error(`no ${kind} link for ${bookingId}`);
  return link;
}

let phones = 0;

/** Books a session tomorrow at 9:00 (a patient with email, or with a phone only); answers its start. */
async function book(
  bookingId: string,
  language: 'en' | 'es',
  contact: 'email' | 'phone' = 'email',
): Promise<DateTime> {
  const now = (await (await fetch(`${runtime.url}/local/clock`)).json()) as { now: string };
  const start = DateTime.fromISO(now.now).setZone(ZONE).plus({ days: 1 }).set({ hour: 9, minute: 0 });
  await fetch(`${runtime.url}/local/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      Source: 'clinic.booking',
      DetailType: 'Booking Created',
      Detail: {
        bookingId,
        version: 1,
        session: { startsAt: start.toISO(), durationMinutes: 90, timeZone: ZONE, treatment: 'kap' },
        patient: {
          id: `p-${bookingId}`,
          firstName: 'Robin',
          // A phone of each booking's own: the SMS cap counts every text to a phone.
          ...(contact === 'email'
            ? { email: 'robin@example.org' }
            : { phone: `+155501044${String(++phones).padStart(2, '0')}` }),
          language,
        },
      },
    }),
  });
  return start;
}

/** Moves the clock just past the week check-in, while every check-in link (7 days valid) still works. */
async function runCheckinsOf(start: DateTime) {
  await fetch(`${runtime.url}/local/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ to: start.plus({ days: 7, hours: 3 }).toUTC().toISO() }),
  });
}

async function axeViolations(url: string, prepare?: (page: Page) => Promise<void>) {
  const page = await audit.newPage();
  try {
    await page.goto(url);
    if (prepare) await prepare(page);
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (o: unknown) => Promise<{ violations: unknown[] }> } })
        .axe;
      return axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] });
    });
    return result.violations as { id: string; help: string; nodes: { target: string[] }[] }[];
  } finally {
    await page.close();
  }
}

const submitEmpty = async (page: Page) => {
  await Promise.all([
    page.waitForLoadState('load'),
    page.getByRole('button', { name: /send|enviar/i }).click(),
  ]);
};

const replies = async () =>
  (await (await fetch(`${runtime.url}/local/replies`)).json()) as { bookingId: string; triage: string }[];

beforeAll(async () => {
  process.env.LOCAL_QUIET = '1';
  runtime = await startLocalRuntime({ port: 0, clockStart: '2026-05-04T16:00:00Z', demo: false });
  await book('web-en', 'en');
  await runCheckinsOf(await book('web-es', 'es'));
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
  const viewport = { width: 320, height: 640 };
  phone = await browser.newContext({ viewport, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  phone.setDefaultTimeout(5_000);
  audit = await browser.newContext({ viewport, bypassCSP: true });
  audit.setDefaultTimeout(5_000);
  phone.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await runtime?.close();
});

describe('check-in form in a real browser', () => {
  it('takes a routine reply on a 320 px phone and thanks the patient', async () => {
    const page = await phone.newPage();
    await page.goto(await linkFor('web-en', 'checkin-next-day'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    await page.locator('#mood-7').check();
    await page.locator('#sideEffects-nausea-mild').check();
    await page.locator('#selfHarm-no').check();
    await Promise.all([page.waitForURL(/\/c\//), page.getByRole('button', { name: /send/i }).click()]);
    await expect.poll(() => page.locator('h1').textContent()).toMatch(/thank/i);
    await page.screenshot({ path: 'test-results/checkin-routine.png', fullPage: true });
    expect((await replies()).filter((r) => r.bookingId === 'web-en').map((r) => r.triage)).toEqual([
      'routine',
    ]);
    await page.close();
  });

  it('shows crisis resources first after an urgent reply, in Spanish for a Spanish booking', async () => {
    const page = await phone.newPage();
    await page.goto(await linkFor('web-es', 'checkin-same-day'));
    expect(await page.getAttribute('html', 'lang')).toBe('es');
    await page.locator('#mood-2').check();
    await page.locator('#selfHarm-yes').check();
    await Promise.all([page.waitForURL(/\/c\//), page.getByRole('button', { name: /enviar/i }).click()]);
    const links = await page
      .locator('main a[href^="tel:"], main a[href^="sms:"]')
      .evaluateAll((anchors) => anchors.map((a) => a.getAttribute('href')));
    expect(links.slice(0, 3)).toEqual(['tel:911', 'tel:988', 'sms:988']);
    await page.screenshot({ path: 'test-results/checkin-crisis-es.png', fullPage: true });
    expect((await replies()).filter((r) => r.bookingId === 'web-es').map((r) => r.triage)).toEqual([
      'urgent',
    ]);
    await page.close();
  });

  it('answers a form with errors with the form again, the problems named and the answers kept', async () => {
    const page = await phone.newPage();
    await page.goto(await linkFor('web-en', 'checkin-week'));
    await page.locator('textarea[name="note"]').fill('my note stays');
    await page.locator('#phq9-0-2').check();
    const response = page.waitForResponse((r) => r.request().method() === 'POST');
    await submitEmpty(page);
    expect((await response).status()).toBe(400);
    await expect.poll(() => page.locator('textarea[name="note"]').inputValue()).toBe('my note stays');
    expect(await page.locator('#phq9-0-2').isChecked()).toBe(true);
    expect(await page.locator('#mood-0').getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#selfHarm-no').getAttribute('aria-invalid')).toBe('true');
    await page.screenshot({ path: 'test-results/checkin-errors.png' });
    await page.close();
  });

  it('asks whether the patient may act on self-harm thoughts only after a yes, and leads with 911 when so', async () => {
    const page = await phone.newPage();
    await page.goto(await linkFor('web-en', 'checkin-same-day'));
    const followUp = page.locator('#selfHarmNow');
    expect(await followUp.isVisible()).toBe(false);
    await page.locator('#selfHarm-no').check();
    expect(await followUp.isVisible()).toBe(false);
    await page.locator('#selfHarm-yes').check();
    expect(await followUp.isVisible()).toBe(true);
    await page.locator('#mood-3').check();
    await page.locator('#selfHarmNow-yes').check();
    await Promise.all([page.waitForURL(/\/c\//), page.getByRole('button', { name: /send/i }).click()]);
    expect(await page.locator('main').textContent()).toContain(t('en', 'crisis.actingNow'));
    const first = await page.locator('main a[href^="tel:"]').first().getAttribute('href');
    expect(first).toBe('tel:911');
    await page.screenshot({ path: 'test-results/checkin-acting-now.png', fullPage: true });
    await page.close();
  });

  it('asks "do you still feel this now?" only for dissociation rated mild or worse', async () => {
    const page = await phone.newPage();
    await page.goto(await linkFor('web-en', 'checkin-next-day'));
    const still = page.locator('#stillNow-dissociation');
    expect(await still.isVisible()).toBe(false);
    await page.locator('#sideEffects-dissociation-mild').check();
    expect(await still.isVisible()).toBe(true);
    await page.locator('#sideEffects-dissociation-none').check();
    expect(await still.isVisible()).toBe(false);
    await page.close();
  });

  it('tells a patient with chest pain to call 911 now, not to wait for our call', async () => {
    const page = await phone.newPage();
    await page.goto(await linkFor('web-en', 'checkin-next-day'));
    await page.locator('#mood-6').check();
    await page.locator('#sideEffects-chest-pain-mild').check();
    await page.locator('#selfHarm-no').check();
    await Promise.all([page.waitForURL(/\/c\//), page.getByRole('button', { name: /send/i }).click()]);
    expect(await page.locator('h1').textContent()).toBe(t('en', 'emergency.title'));
    expect(await page.locator('main').textContent()).toContain(t('en', 'emergency.lead'));
    expect(await page.locator('main a[href^="tel:"]').first().getAttribute('href')).toBe('tel:911');
    await page.close();
  });

  it('takes the readiness answers on the instructions page and says the clinic will call about a new medicine', async () => {
    // Booked now: the instructions links of the bookings above expired with the week the clock ran through.
    await book('ready-en', 'en', 'phone');
    const page = await phone.newPage();
    await page.goto(await linkFor('ready-en', 'prep-instructions', 'i'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320);
    // Sending with a question left out names it and keeps the answer given.
    await page.locator('#rideHome-yes').check();
    await Promise.all([page.waitForURL(/\/i\//), page.getByRole('button', { name: /send/i }).click()]);
    await expect
      .poll(() => page.locator('.error-summary').textContent())
      .toContain(t('en', 'readiness.error.fasting'));
    expect(await page.locator('#rideHome-yes').isChecked()).toBe(true);
    await page.locator('#fasting-yes').check();
    await page.locator('#newMedicine-yes').check();
    await Promise.all([page.waitForURL(/\/i\//), page.getByRole('button', { name: /send/i }).click()]);
    await expect
      .poll(() => page.locator('[role="status"]').textContent())
      .toMatch(/will call you before your visit/);
    await page.screenshot({ path: 'test-results/readiness-concern.png', fullPage: true });
    const notices = (await (await fetch(`${runtime.url}/local/notices`)).json()) as {
      bookingId: string;
      reason: string;
    }[];
    expect(notices.filter((n) => n.bookingId === 'ready-en').map((n) => n.reason)).toEqual([
      'readiness-concern',
    ]);
    await page.close();
  });

  it('loads every page with its styles allowed by the Content-Security-Policy', () => {
    expect(cspViolations).toEqual([]);
  });
});

describe('accessibility (axe-core)', () => {
  it('finds no violations on the form', async () => {
    expect(await axeViolations(await linkFor('web-en', 'checkin-week'))).toEqual([]);
  });

  it('finds no violations on the form with errors', async () => {
    expect(await axeViolations(await linkFor('web-es', 'checkin-week'), submitEmpty)).toEqual([]);
  });

  it('finds no violations on the Spanish form', async () => {
    expect(await axeViolations(await linkFor('web-es', 'checkin-next-day'))).toEqual([]);
  });

  /** Answers the form so that the reply gets one advice. */
  const answer =
    (...ids: string[]) =>
    async (page: Page) => {
      for (const id of ['#mood-5', ...ids]) await page.locator(id).check();
      await submitEmpty(page);
    };
  const URGENT_PAGES = [
    ['crisis', answer('#selfHarm-yes', '#selfHarmNow-no')],
    ['crisis, acting now', answer('#selfHarm-yes', '#selfHarmNow-yes')],
    ['emergency', answer('#selfHarm-no', '#sideEffects-trouble-breathing-mild')],
    ['call-us', answer('#selfHarm-no', '#sideEffects-vomiting-severe')],
  ] as const;

  it.each(['en', 'es'] as const)('finds no violations on any urgent page (%s)', async (language) => {
    for (const [name, prepare] of URGENT_PAGES) {
      const url = await linkFor(`web-${language}`, 'checkin-week');
      expect(await axeViolations(url, prepare), name).toEqual([]);
    }
  });

  it.each(['en', 'es'] as const)('finds no violations on the instructions page (%s)', async (language) => {
    // A fresh link: the week the clock ran through expired the first ones.
    await book(`fresh-${language}`, language, 'phone');
    const url = await linkFor(`fresh-${language}`, 'prep-instructions', 'i');
    expect((await fetch(url)).status).toBe(200);
    expect(await axeViolations(url)).toEqual([]);
  });

  it('finds no violations on the readiness form with errors', async () => {
    const sendEmpty = async (page: Page) => {
      await Promise.all([page.waitForURL(/\/i\//), page.getByRole('button', { name: /enviar/i }).click()]);
    };
    await book('ready-es', 'es', 'phone');
    expect(await axeViolations(await linkFor('ready-es', 'prep-instructions', 'i'), sendEmpty)).toEqual([]);
  });
});
