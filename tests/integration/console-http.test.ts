import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoStaffSessionStore } from '../../shared/adapters/dynamodb/staff-session-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { IdentityProvider } from '../../shared/domain/console/ports';
import { type ConsoleAppDeps, handleConsoleRequest } from '../../shared/web/console/console-app';
import { openCookie } from '../../shared/web/console/cookies';
import { dynamoConsoleDeps } from '../support/console-deps';
import { freshTable } from '../support/dynamo';

const config = parseClinicConfig(clinicConfigInput);
const BASE = 'https://console.example.org';
const ORIGIN = { ip: '203.0.113.9', userAgent: 'test', requestId: 'req' };
const KEY = new Uint8Array(32).fill(7);

/** A provider that signs in whoever `claims` says, and checks the state it was given. */
function fakeProvider(claims: Record<string, unknown>): IdentityProvider & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    startSignIn: async () => ({
      url: 'https://idp.example.org/authorize?state=s-1',
      state: 's-1',
      codeVerifier: 'v-1',
      nonce: 'n-1',
    }),
    finishSignIn: async (callbackUrl, expected) => {
      calls.push(callbackUrl);
      if (new URL(callbackUrl).searchParams.get('state') !== expected.state)
        throw new Error('state mismatch');
      return { claims, idToken: 'id-token' };
    },
    signOutUrl: async ({ returnTo }) => `https://idp.example.org/logout?to=${encodeURIComponent(returnTo)}`,
  };
}

async function harness(claims: Record<string, unknown>) {
  const { db, tableName } = await freshTable();
  let now = '2026-08-03T15:00:00.000Z';
  const sessions = new DynamoStaffSessionStore(db, tableName);
  const identity = fakeProvider(claims);
  const deps: ConsoleAppDeps = {
    ...dynamoConsoleDeps(db, tableName, config, () => now),
    sessions,
    identity,
    cookieKey: { get: async () => KEY },
    baseUrl: BASE,
  };
  const jar = new Map<string, string>();
  const send = async (method: string, target: string, body?: string) => {
    const url = new URL(target, BASE);
    const response = await handleConsoleRequest(deps, {
      method,
      path: url.pathname,
      query: url.search.slice(1),
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
      ...(body ? { body } : {}),
      origin: ORIGIN,
    });
    for (const cookie of response.cookies) {
      const [pair] = cookie.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (value.join('=') === '') jar.delete(name ?? '');
      else jar.set(name ?? '', value.join('='));
    }
    return response;
  };
  return { deps, identity, jar, send, sessions, at: (iso: string) => (now = iso) };
}

const CLINICIAN = {
  sub: 'sub-1',
  email: 'casey@example.org',
  name: 'Casey',
  'cognito:groups': ['clinician'],
};

describe('console HTTP edge', () => {
  it('sends a signed-out request to sign-in, and back to where it was going once signed in', async () => {
    const h = await harness(CLINICIAN);
    const first = await h.send('GET', '/console/alerts?month=2026-07');
    expect(first.status).toBe(303);
    expect(first.headers.Location).toBe(
      `/console/sign-in?return=${encodeURIComponent('/console/alerts?month=2026-07')}`,
    );
    const start = await h.send('GET', first.headers.Location ?? '');
    expect(start.headers.Location).toBe('https://idp.example.org/authorize?state=s-1');
    expect(start.cookies[0]).toMatch(
      /^__Host-console-login=.+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=600; Secure$/,
    );
    const back = await h.send('GET', '/console/callback?code=c-1&state=s-1');
    expect(back.status).toBe(303);
    expect(back.headers.Location).toBe('/console/alerts?month=2026-07');
    expect(
      back.cookies.some((c) =>
        /^__Host-console-session=.+; Max-Age=43200; Secure$/.test(
          c.replace(/; Path=\/; HttpOnly; SameSite=Lax/, ''),
        ),
      ),
    ).toBe(true);
    expect(h.jar.has('__Host-console-login')).toBe(false);
    expect(h.identity.calls).toEqual([`${BASE}/console/callback?code=c-1&state=s-1`]);
    expect((await h.send('GET', '/console/alerts')).status).toBe(200);
  });

  it('never sends the browser off the console after sign-in (no open redirect)', async () => {
    for (const target of [
      '//evil.example/console',
      'https://evil.example/',
      '/console\\@evil.example',
      '/other',
    ]) {
      const h = await harness(CLINICIAN);
      await h.send('GET', `/console/sign-in?return=${encodeURIComponent(target)}`);
      const back = await h.send('GET', '/console/callback?code=c&state=s-1');
      expect(back.headers.Location, target).toBe('/console');
    }
  });

  it('refuses a callback without its login cookie, with another state, or without an email', async () => {
    const noCookie = await harness(CLINICIAN);
    expect((await noCookie.send('GET', '/console/callback?code=c&state=s-1')).status).toBe(400);
    expect(noCookie.jar.size).toBe(0);

    const otherState = await harness(CLINICIAN);
    await otherState.send('GET', '/console/sign-in');
    expect((await otherState.send('GET', '/console/callback?code=c&state=forged')).status).toBe(400);
    expect(otherState.jar.has('__Host-console-session')).toBe(false);

    const noEmail = await harness({ sub: 'sub-2', 'cognito:groups': ['clinician'] });
    await noEmail.send('GET', '/console/sign-in');
    expect((await noEmail.send('GET', '/console/callback?code=c&state=s-1')).status).toBe(400);
    expect(noEmail.jar.has('__Host-console-session')).toBe(false);
  });

  it('ends a session after 30 idle minutes and deletes it; activity keeps it alive up to 12 hours', async () => {
    const h = await harness(CLINICIAN);
    await h.send('GET', '/console/sign-in');
    await h.send('GET', '/console/callback?code=c&state=s-1');
    const opened = await openCookie(h.jar.get('__Host-console-session'), KEY, '2026-08-03T15:00:00.000Z');
    const sessionId = String(opened?.sid);
    expect(await h.sessions.get(sessionId)).toBeDefined();
    for (const time of ['15:20', '15:45', '16:10']) {
      h.at(`2026-08-03T${time}:00.000Z`);
      expect((await h.send('GET', '/console')).status, time).toBe(200);
    }
    h.at('2026-08-03T16:41:00.000Z');
    const idle = await h.send('GET', '/console');
    expect(idle.status).toBe(303);
    expect(idle.headers.Location).toMatch(/^\/console\/sign-in/);
    expect(await h.sessions.get(sessionId)).toBeUndefined();

    // A new session, kept busy every 20 minutes, still ends 12 hours after sign-in.
    const signedIn = Date.parse('2026-08-03T17:00:00.000Z');
    h.at(new Date(signedIn).toISOString());
    await h.send('GET', '/console/sign-in');
    await h.send('GET', '/console/callback?code=c&state=s-1');
    for (let minutes = 20; minutes <= 12 * 60 + 20; minutes += 20) {
      h.at(new Date(signedIn + minutes * 60_000).toISOString());
      expect((await h.send('GET', '/console')).status, `${minutes} min`).toBe(minutes < 12 * 60 ? 200 : 303);
    }
  });

  it('ignores a tampered session cookie, and refuses a POST without a session', async () => {
    const h = await harness(CLINICIAN);
    await h.send('GET', '/console/sign-in');
    await h.send('GET', '/console/callback?code=c&state=s-1');
    const sealed = h.jar.get('__Host-console-session') ?? '';
    h.jar.set('__Host-console-session', `${sealed.slice(0, -4)}AAAA`);
    expect((await h.send('GET', '/console')).status).toBe(303);
    const post = await h.send('POST', '/console/alerts/al-1/acknowledge', 'csrf=x');
    expect(post.status).toBe(401);
    expect(post.body).not.toMatch(/al-1/);
  });

  it('refuses a body over 16 KB with 413 before it reads the session or changes anything', async () => {
    const h = await harness(CLINICIAN);
    await h.send('GET', '/console/sign-in');
    await h.send('GET', '/console/callback?code=c&state=s-1');
    const big = await h.send(
      'POST',
      '/console/alerts/al-1/acknowledge',
      `csrf=x&note=${'n'.repeat(17 * 1024)}`,
    );
    expect(big.status).toBe(413);
    expect(big.body).toContain('Nothing was changed');
    expect((await h.send('POST', '/console/alerts/al-1/acknowledge', 'csrf=x')).status).not.toBe(413);
  });

  it('signs out: deletes the session and sends the browser to the provider, then back to the console', async () => {
    const h = await harness(CLINICIAN);
    await h.send('GET', '/console/sign-in');
    await h.send('GET', '/console/callback?code=c&state=s-1');
    const page = await h.send('GET', '/console');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const out = await h.send('POST', '/console/sign-out', `csrf=${encodeURIComponent(csrf)}`);
    expect(out.status).toBe(303);
    expect(out.headers.Location).toBe(
      `https://idp.example.org/logout?to=${encodeURIComponent(`${BASE}/console/signed-out`)}`,
    );
    expect(h.jar.has('__Host-console-session')).toBe(false);
    expect((await h.send('GET', '/console')).status).toBe(303);
  });
});
