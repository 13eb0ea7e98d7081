import { createHmac, timingSafeEqual } from 'node:crypto';
import type { MessageKind } from '../../contracts/vocabulary';

/** Bytes of the opaque link id (derived, so retries of one message reuse one link). */
const LINK_ID_BYTES = 8;
/** The MAC is HMAC-SHA256 truncated to 128 bits, the least DESIGN allows. */
const MAC_BYTES = 16;
const LINK_ID_CHARS = Math.ceil((LINK_ID_BYTES * 4) / 3);
const MAC_CHARS = Math.ceil((MAC_BYTES * 4) / 3);
/** A token is the link id followed by its MAC, both base64url: 33 characters. */
export const LINK_TOKEN_LENGTH = LINK_ID_CHARS + MAC_CHARS;

function hmac(key: Uint8Array, purpose: string, value: string): Buffer {
  return createHmac('sha256', key).update(`${purpose}\n${value}`).digest();
}

/**
 * The link token of one message: an opaque id derived from booking, kind and
 * planned time (never the booking id itself) plus a MAC over that id.
 */
export function createLinkToken(
  key: Uint8Array,
  message: { bookingId: string; kind: MessageKind | 'alert' | 'reply'; at: string },
): { linkId: string; token: string } {
  const linkId = hmac(key, 'link-id', `${message.bookingId}\n${message.kind}\n${message.at}`)
    .subarray(0, LINK_ID_BYTES)
    .toString('base64url');
  return { linkId, token: linkId + macOf(key, linkId) };
}

/** The link id of a well-formed, untampered token; `undefined` otherwise. */
export function verifyLinkToken(key: Uint8Array, token: string): string | undefined {
  if (token.length !== LINK_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token)) return undefined;
  const linkId = token.slice(0, LINK_ID_CHARS);
  const given = Buffer.from(token.slice(LINK_ID_CHARS));
  const expected = Buffer.from(macOf(key, linkId));
  return given.length === expected.length && timingSafeEqual(given, expected) ? linkId : undefined;
}

function macOf(key: Uint8Array, linkId: string): string {
  return hmac(key, 'link-mac', linkId).subarray(0, MAC_BYTES).toString('base64url');
}
