import { hkdfSync } from 'node:crypto';
import { EncryptJWT, jwtDecrypt } from 'jose';

/*
 * The console's cookies: encrypted (JWE, dir + A256GCM) with a key from
 * Secrets Manager (a random one per start locally), HttpOnly, SameSite=Lax,
 * Secure with the `__Host-` prefix everywhere but plain-http loopback.
 */

/** How the console's cookies are set: names and flags follow from the console's own URL. */
export interface CookieJar {
  secure: boolean;
  session: string;
  login: string;
}

export function cookieJar(baseUrl: string): CookieJar {
  const secure = new URL(baseUrl).protocol === 'https:';
  const prefix = secure ? '__Host-' : '';
  return { secure, session: `${prefix}console-session`, login: `${prefix}console-login` };
}

/** Seals a small payload into a cookie value that expires `maxAgeSeconds` after `now`. */
export async function sealCookie(
  payload: Record<string, string>,
  key: Uint8Array,
  now: string,
  maxAgeSeconds: number,
): Promise<string> {
  const issuedAt = Math.floor(Date.parse(now) / 1000);
  return new EncryptJWT(payload)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + maxAgeSeconds)
    .encrypt(key);
}

/** The payload of a sealed cookie; nothing when it was tampered with, sealed with another key or has expired. */
export async function openCookie(
  value: string | undefined,
  key: Uint8Array,
  now: string,
): Promise<Record<string, unknown> | undefined> {
  if (!value || value.length > 4096) return undefined;
  try {
    const { payload } = await jwtDecrypt(value, key, {
      requiredClaims: ['exp'],
      currentDate: new Date(now),
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    return payload;
  } catch {
    return undefined;
  }
}

/** A Set-Cookie value: HttpOnly, SameSite=Lax, whole site (required by `__Host-`). */
export function setCookie(jar: CookieJar, name: string, value: string, maxAgeSeconds: number): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${jar.secure ? '; Secure' : ''}`;
}

export function clearCookie(jar: CookieJar, name: string): string {
  return setCookie(jar, name, '', 0);
}

/** The cookies of a request, by name (the first of a repeated name wins). */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = Object.create(null);
  for (const part of (header ?? '').split(';')) {
    const index = part.indexOf('=');
    if (index < 0) continue;
    const name = part.slice(0, index).trim();
    if (name !== '' && !(name in cookies)) cookies[name] = part.slice(index + 1).trim();
  }
  return cookies;
}

/** The 32-byte cookie key derived from the session secret (any length of at least 32 bytes). */
export function deriveCookieKey(secret: Uint8Array): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, new Uint8Array(0), 'console-cookie', 32));
}
