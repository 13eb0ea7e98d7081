import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type SessionPolicy,
  type StaffSession,
  sessionState,
  shouldTouch,
} from '../../shared/domain/console/session';
import {
  type ConsoleArea,
  mayUse,
  STAFF_GROUPS,
  type StaffGroup,
  StaffIdentityError,
  staffFromClaims,
} from '../../shared/domain/console/staff';
import {
  cookieJar,
  deriveCookieKey,
  openCookie,
  parseCookies,
  sealCookie,
  setCookie,
} from '../../shared/web/console/cookies';

const KEY = new Uint8Array(32).fill(3);
const OTHER_KEY = new Uint8Array(32).fill(4);
const NOW = '2026-06-02T18:00:00.000Z';
const POLICY: SessionPolicy = { idleMinutes: 30, absoluteHours: 12 };

function session(createdAt: string, lastSeenAt: string): StaffSession {
  return {
    sessionId: 's-1',
    staff: { subject: 'u-1', email: 'casey@example.org', name: 'Casey', groups: ['clinician'] },
    csrfToken: 'csrf',
    createdAt,
    lastSeenAt,
  };
}

const at = (ms: number) => new Date(Date.parse(NOW) + ms).toISOString();

describe('staff identity', () => {
  describe('staffFromClaims', () => {
    it('takes subject, email, name and the known groups from the claims', () => {
      expect(
        staffFromClaims(
          {
            sub: 'abc',
            email: 'casey@example.org',
            name: ' Casey Clinician ',
            'cognito:groups': ['clinician', 'admin', 'superuser'],
          },
          'cognito:groups',
        ),
      ).toEqual({
        subject: 'abc',
        email: 'casey@example.org',
        name: 'Casey Clinician',
        groups: ['clinician', 'admin'],
      });
    });

    it('names a staff member by email when the provider gives no name, and grants nothing without groups', () => {
      const staff = staffFromClaims({ sub: 'abc', email: 'x@example.org' }, 'cognito:groups');
      expect(staff).toMatchObject({ name: 'x@example.org', groups: [] });
      for (const area of ['home', 'alerts', 'audit', 'today'] as const)
        expect(mayUse(staff, area)).toBe(false);
    });

    it('refuses claims without a subject or an email, naming the claim', () => {
      expect(() => staffFromClaims({ email: 'x@example.org' }, 'g')).toThrow(StaffIdentityError);
      expect(() => staffFromClaims({ sub: 'abc', email: 'not-an-email' }, 'g')).toThrow(/email/);
    });
  });

  describe('mayUse', () => {
    const allowed = (groups: StaffGroup[]) =>
      (
        [
          'home',
          'alerts',
          'review',
          'today',
          'patient',
          'answers',
          'outcomes',
          'audit',
          'notices',
        ] as ConsoleArea[]
      ).filter((area) => mayUse({ groups }, area));

    it('gives the front desk sessions and contacts, never answers or alerts', () => {
      expect(allowed(['front-desk'])).toEqual(['home', 'today', 'patient', 'notices']);
    });

    it('gives admins the audit only', () => {
      expect(allowed(['admin'])).toEqual(['home', 'audit']);
    });

    it('gives clinicians everything clinical but the audit', () => {
      expect(allowed(['clinician'])).toEqual([
        'home',
        'alerts',
        'review',
        'today',
        'patient',
        'answers',
        'outcomes',
        'notices',
      ]);
    });

    it('adds groups up: a set of groups opens exactly what its members open', () => {
      fc.assert(
        fc.property(fc.subarray([...STAFF_GROUPS]), (groups) => {
          const union = new Set(groups.flatMap((group) => allowed([group])));
          expect(new Set(allowed(groups))).toEqual(union);
        }),
      );
    });
  });

  describe('sessionState', () => {
    it('ends a session after the idle timeout and after the absolute timeout, whichever comes first', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 13 * 3600_000 }),
          fc.integer({ min: 0, max: 13 * 3600_000 }),
          (sinceCreated, sinceSeen) => {
            const seenAfterCreate = Math.max(0, sinceCreated - sinceSeen);
            const s = session(NOW, at(seenAfterCreate));
            const state = sessionState(s, at(sinceCreated), POLICY);
            const idle = sinceCreated - seenAfterCreate >= 30 * 60_000;
            const expired = sinceCreated >= 12 * 3600_000;
            expect(state).toBe(expired ? 'expired' : idle ? 'idle' : 'active');
          },
        ),
      );
    });

    it('records activity at most once a minute', () => {
      expect(shouldTouch(session(NOW, NOW), at(59_999))).toBe(false);
      expect(shouldTouch(session(NOW, NOW), at(60_000))).toBe(true);
    });
  });
});

describe('console cookies', () => {
  it('opens what it sealed, within its lifetime and with the same key only', async () => {
    const sealed = await sealCookie({ sid: 'abc' }, KEY, NOW, 600);
    expect(await openCookie(sealed, KEY, at(599_000))).toMatchObject({ sid: 'abc' });
    expect(await openCookie(sealed, KEY, at(601_000))).toBeUndefined();
    expect(await openCookie(sealed, OTHER_KEY, NOW)).toBeUndefined();
  });

  it('refuses a tampered, truncated or oversized cookie', async () => {
    const sealed = await sealCookie({ sid: 'abc' }, KEY, NOW, 600);
    const parts = sealed.split('.');
    const ciphertext = parts[3] ?? '';
    const changed = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
    const flipped = [...parts.slice(0, 3), changed, parts[4]].join('.');
    expect(flipped).not.toBe(sealed);
    expect(await openCookie(flipped, KEY, NOW)).toBeUndefined();
    expect(await openCookie(sealed.slice(0, -5), KEY, NOW)).toBeUndefined();
    expect(await openCookie('x'.repeat(5000), KEY, NOW)).toBeUndefined();
    expect(await openCookie(undefined, KEY, NOW)).toBeUndefined();
  });

  it('is Secure with the __Host- prefix on https, and plain on loopback http', () => {
    const secure = cookieJar('https://api.example.org');
    expect(secure.session).toBe('__Host-console-session');
    expect(setCookie(secure, secure.session, 'v', 60)).toBe(
      '__Host-console-session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60; Secure',
    );
    const local = cookieJar('http://127.0.0.1:3000');
    expect(setCookie(local, local.session, 'v', 60)).toBe(
      'console-session=v; Path=/; HttpOnly; SameSite=Lax; Max-Age=60',
    );
  });

  it('derives a 32-byte key that depends on the secret', () => {
    const a = deriveCookieKey(new TextEncoder().encode('a'.repeat(40)));
    const b = deriveCookieKey(new TextEncoder().encode('b'.repeat(40)));
    expect(a).toHaveLength(32);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(false);
  });

  it('parses a cookie header, the first of a repeated name winning', () => {
    expect(parseCookies('a=1; b=x=y; a=2; junk')).toEqual({ a: '1', b: 'x=y' });
    expect(parseCookies(undefined)).toEqual({});
  });
});
