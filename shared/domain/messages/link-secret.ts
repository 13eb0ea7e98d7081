import type { SigningKeys } from '../ports';
import { createLinkToken, verifyLinkToken } from './tokens';

/** The link-signing secret as stored: key ids with their keys as text (at least 32 characters each). */
export interface LinkSecret {
  current: { id: number; key: string };
  previous?: { id: number; key: string };
}

/**
 * Reads the secret: JSON `{"current":{"id","key"},"previous":{…}}`, or a
 * bare key (key 0, as before keys had ids). Anything malformed throws: no
 * link verifies rather than one verifying with a guessed key.
 */
export function parseLinkSecret(text: string): LinkSecret {
  if (text.length < 32) throw new Error('link signing secret is missing or short');
  if (!text.trimStart().startsWith('{')) return { current: { id: 0, key: text } };
  const value = JSON.parse(text) as { current?: unknown; previous?: unknown };
  const keyOf = (entry: unknown) => {
    const { id, key } = (entry ?? {}) as { id?: unknown; key?: unknown };
    if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 255) return undefined;
    if (typeof key !== 'string' || key.length < 32) return undefined;
    return { id, key };
  };
  const current = keyOf(value.current);
  if (!current) throw new Error('link signing secret has no valid current key');
  const previous = keyOf(value.previous);
  return previous ? { current, previous } : { current };
}

/** The keys a link is signed and verified with. */
export function signingKeysOf(secret: LinkSecret): SigningKeys {
  const encode = (entry: { id: number; key: string }) => ({
    id: entry.id,
    key: new TextEncoder().encode(entry.key),
  });
  return secret.previous
    ? { current: encode(secret.current), previous: encode(secret.previous) }
    : { current: encode(secret.current) };
}

/**
 * One rotation: a fresh key becomes current under the next id (one byte,
 * wrapping), the current one becomes previous, and the previous one is
 * retired, so links signed before the rotation keep working until the next.
 */
export function nextLinkSecret(secret: LinkSecret, freshKey: string): LinkSecret {
  if (freshKey.length < 32) throw new Error('a fresh link key needs at least 32 characters');
  return { current: { id: (secret.current.id + 1) & 0xff, key: freshKey }, previous: secret.current };
}

/** Whether a rotated secret signs new links and still verifies one signed before it. */
export function rotationWorks(before: LinkSecret, after: LinkSecret): boolean {
  const message = {
    bookingId: 'rotation-test',
    kind: 'checkin-same-day' as const,
    at: '2026-01-01T00:00:00Z',
  };
  const keys = signingKeysOf(after);
  const oldToken = createLinkToken(signingKeysOf(before), message);
  const newToken = createLinkToken(keys, message);
  return (
    after.current.id !== before.current.id &&
    verifyLinkToken(keys, newToken.token) === newToken.linkId &&
    verifyLinkToken(keys, oldToken.token) === oldToken.linkId
  );
}
