import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessageKind } from '../../contracts/vocabulary';
import type { SigningKeys } from '../ports';

/**
 * Bytes of the opaque link id: the signing key's id, then 7 bytes derived
 * from the message (so retries of one message reuse one link). The key id
 * lives inside the id, so the token does not grow (DESIGN section 3).
 */
const LINK_ID_BYTES = 8;
const DERIVED_BYTES = LINK_ID_BYTES - 1;
/** The MAC is HMAC-SHA256 truncated to 128 bits, the least DESIGN allows. */
const MAC_BYTES = 16;
const LINK_ID_CHARS = Math.ceil((LINK_ID_BYTES * 4) / 3);
const MAC_CHARS = Math.ceil((MAC_BYTES * 4) / 3);
/** A token is the link id followed by its MAC, both base64url: 33 characters. */
export const LINK_TOKEN_LENGTH = LINK_ID_CHARS + MAC_CHARS;

function hmac(key: Uint8Array, purpose: string, value: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}\n${value}`).digest();
}

/** A bare key is key 0 with no previous one (a secret stored before keys had ids). */
export function asSigningKeys(keys: SigningKeys | Uint8Array): SigningKeys {
  return keys instanceof Uint8Array ? { current: { id: 0, key: keys } } : keys;
}

/**
 * The link token of one message, signed with the current key: an opaque id
 * (the key's id, then bytes derived from booking, kind and planned time,
 * never the booking id itself) plus a MAC over that id.
 */
export function createLinkToken(
  keys: SigningKeys | Uint8Array,
  message: { bookingId: string; kind: MessageKind | 'alert' | 'reply'; at: string; resend?: string },
): { linkId: string; token: string } {
  const { current } = asSigningKeys(keys);
  // A re-send to new contact details gets a link of its own; the first one stays revoked.
  const resend = message.resend ? `\n${message.resend}` : '';
  const derived = hmac(
    current.key,
    'link-id',
    `${message.bookingId}\n${message.kind}\n${message.at}${resend}`,
  ).subarray(0, DERIVED_BYTES);
  const linkId = Buffer.concat([Buffer.from([current.id & 0xff]), derived]).toString('base64url');
  return { linkId, token: linkId + macOf(current.key, linkId) };
}

/**
 * The link id of a well-formed, untampered token signed by the current or
 * the previous key; `undefined` otherwise (a retired key no longer verifies).
 */
export function verifyLinkToken(keys: SigningKeys | Uint8Array, token: string): string | undefined {
  if (token.length !== LINK_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const linkId = token.slice(0, LINK_ID_CHARS);
  const keyId = Buffer.from(linkId, 'base64url')[0];
  const { current, previous } = asSigningKeys(keys);
  const signer = [current, previous].find((candidate) => candidate !== undefined && candidate.id === keyId);
  if (!signer) return undefined;
  const given = Buffer.from(token.slice(LINK_ID_CHARS));
  const expected = Buffer.from(macOf(signer.key, linkId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? linkId : undefined;
}

function macOf(key: Uint8Array, linkId: string): string {
  return hmac(key, 'link-mac', linkId).subarray(0, MAC_BYTES).toString('base64url');
}
