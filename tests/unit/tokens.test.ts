import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MESSAGE_KINDS, type MessageKind } from '../../shared/contracts/vocabulary';
import { nextLinkSecret, signingKeysOf } from '../../shared/domain/messages/link-secret';
import { createLinkToken, LINK_TOKEN_LENGTH, verifyLinkToken } from '../../shared/domain/messages/tokens';
import { messageScheduleName } from '../../shared/domain/schedule-names';

const KEY = new Uint8Array(randomBytes(32));
const OTHER_KEY = new Uint8Array(randomBytes(32));
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const bookingIdArb = fc.stringMatching(/^[A-Za-z0-9_.:-]{8,128}$/);
const kindArb = fc.constantFrom(...MESSAGE_KINDS);
const atArb = fc
  .integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-12-31T23:59:59Z') })
  .map((ms) => new Date(ms).toISOString());
const messageArb = fc.record({ bookingId: bookingIdArb, kind: kindArb, at: atArb });

const MESSAGE = {
  bookingId: 'bk-0001',
  kind: 'checkin-same-day',
  at: '2026-11-03T20:00:00.000Z',
} as const satisfies {
  bookingId: string;
  kind: MessageKind;
  at: string;
};

describe('tokens', () => {
  describe('createLinkToken', () => {
    it('returns a 33-character base64url token that starts with its link id', () => {
      const { linkId, token } = createLinkToken(KEY, MESSAGE);
      expect(LINK_TOKEN_LENGTH).toBe(33);
      expect(token).toHaveLength(33);
      expect(token).toMatch(/^[A-Za-z0-9_-]{33}$/);
      expect(token.startsWith(linkId)).toBe(true);
    });

    it('is deterministic for one key and message, and differs per key, booking, kind and time', () => {
      const { token } = createLinkToken(KEY, MESSAGE);
      expect(createLinkToken(KEY, { ...MESSAGE }).token).toBe(token);
      expect(createLinkToken(OTHER_KEY, MESSAGE).token).not.toBe(token);
      expect(createLinkToken(KEY, { ...MESSAGE, bookingId: 'bk-0002' }).token).not.toBe(token);
      expect(createLinkToken(KEY, { ...MESSAGE, kind: 'checkin-week' }).token).not.toBe(token);
      expect(createLinkToken(KEY, { ...MESSAGE, at: '2026-11-03T20:00:00.001Z' }).token).not.toBe(token);
    });

    it('never contains the booking id or the kind', () => {
      fc.assert(
        fc.property(messageArb, (message) => {
          const { token, linkId } = createLinkToken(KEY, message);
          expect(token).toHaveLength(LINK_TOKEN_LENGTH);
          expect(token.includes(message.bookingId)).toBe(false);
          expect(token.includes(message.kind)).toBe(false);
          expect(linkId.includes(message.bookingId)).toBe(false);
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('verifyLinkToken', () => {
    it('returns the link id of a token it signed (round trip)', () => {
      fc.assert(
        fc.property(messageArb, (message) => {
          const { linkId, token } = createLinkToken(KEY, message);
          expect(verifyLinkToken(KEY, token)).toBe(linkId);
        }),
        { numRuns: 300 },
      );
    });

    it('rejects a token with any single character changed', () => {
      fc.assert(
        fc.property(
          messageArb,
          fc.nat(LINK_TOKEN_LENGTH - 1),
          fc.constantFrom(...BASE64URL),
          (message, position, replacement) => {
            const { token } = createLinkToken(KEY, message);
            fc.pre(token[position] !== replacement);
            const tampered = token.slice(0, position) + replacement + token.slice(position + 1);
            expect(verifyLinkToken(KEY, tampered)).toBeUndefined();
          },
        ),
        { numRuns: 500 },
      );
    });

    it('rejects every single-character change of one token, at every position', () => {
      const { token } = createLinkToken(KEY, MESSAGE);
      for (let position = 0; position < token.length; position++) {
        for (const replacement of BASE64URL) {
          if (token[position] === replacement) continue;
          const tampered = token.slice(0, position) + replacement + token.slice(position + 1);
          expect(verifyLinkToken(KEY, tampered), `position ${position} -> ${replacement}`).toBeUndefined();
        }
      }
    });

    it('rejects a token signed with another key', () => {
      fc.assert(
        fc.property(messageArb, (message) => {
          expect(verifyLinkToken(OTHER_KEY, createLinkToken(KEY, message).token)).toBeUndefined();
        }),
        { numRuns: 200 },
      );
    });

    it('rejects tokens of the wrong length or alphabet', () => {
      const { token } = createLinkToken(KEY, MESSAGE);
      expect(verifyLinkToken(KEY, token.slice(0, -1))).toBeUndefined();
      expect(verifyLinkToken(KEY, `${token}A`)).toBeUndefined();
      expect(verifyLinkToken(KEY, '')).toBeUndefined();
      expect(verifyLinkToken(KEY, `${token.slice(0, -1)}=`)).toBeUndefined();
      expect(verifyLinkToken(KEY, `${token.slice(0, -1)}+`)).toBeUndefined();
      expect(verifyLinkToken(KEY, `${token.slice(0, -1)}é`)).toBeUndefined();
    });

    it('rejects arbitrary strings', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary', maxLength: 64 }), (text) => {
          expect(verifyLinkToken(KEY, text)).toBeUndefined();
        }),
        { numRuns: 300 },
      );
    });
  });

  describe('messageScheduleName', () => {
    it('is deterministic, at most 64 characters of [0-9a-zA-Z-_.]', () => {
      fc.assert(
        fc.property(messageArb, (message) => {
          const scheduled = { ...message, booking: message.bookingId };
          const name = messageScheduleName(scheduled);
          expect(messageScheduleName({ ...scheduled })).toBe(name);
          expect(name.length).toBeLessThanOrEqual(64);
          expect(name).toMatch(/^[0-9a-zA-Z\-_.]+$/);
          expect(name.includes(message.bookingId)).toBe(false);
        }),
        { numRuns: 300 },
      );
    });

    it('differs per planned time, booking, kind and purpose', () => {
      fc.assert(
        fc.property(messageArb, atArb, (message, otherAt) => {
          fc.pre(otherAt !== message.at);
          const scheduled = { ...message, booking: message.bookingId };
          expect(messageScheduleName({ ...scheduled, at: otherAt })).not.toBe(messageScheduleName(scheduled));
        }),
        { numRuns: 300 },
      );
      const scheduled = { ...MESSAGE, booking: 'bk_surrogate1' };
      const name = messageScheduleName(scheduled);
      expect(messageScheduleName({ ...scheduled, booking: 'bk_surrogate2' })).not.toBe(name);
      expect(messageScheduleName({ ...scheduled, kind: 'checkin-week' })).not.toBe(name);
      expect(messageScheduleName({ ...scheduled, resend: 'tag' })).not.toBe(name);
      expect(messageScheduleName(scheduled, 'retry')).not.toBe(name);
      expect(messageScheduleName(scheduled, 'send')).toBe(name);
    });

    it('gives distinct names to the six kinds of one booking', () => {
      const names = MESSAGE_KINDS.map((kind) => messageScheduleName({ ...MESSAGE, booking: 'bk_x', kind }));
      expect(new Set(names).size).toBe(MESSAGE_KINDS.length);
    });
  });
});

describe('link keys that rotate', () => {
  const message = { bookingId: 'bk-1', kind: 'checkin-same-day' as const, at: '2026-03-09T20:00:00.000Z' };
  const first = { current: { id: 1, key: new Uint8Array(32).fill(1) } };

  it('carries the key id inside the 33-character token', () => {
    const { token, linkId } = createLinkToken(first, message);
    expect(token).toHaveLength(LINK_TOKEN_LENGTH);
    expect(token).toHaveLength(33);
    expect(Buffer.from(linkId, 'base64url')[0]).toBe(1);
  });

  it('verifies a token of the previous key after one rotation, and not after two', () => {
    const secret = { current: { id: 1, key: 'a'.repeat(40) } };
    const { token, linkId } = createLinkToken(signingKeysOf(secret), message);
    const once = signingKeysOf(nextLinkSecret(secret, 'b'.repeat(40)));
    expect(once.current.id).toBe(2);
    expect(verifyLinkToken(once, token)).toBe(linkId);
    const fresh = createLinkToken(once, message);
    expect(Buffer.from(fresh.linkId, 'base64url')[0]).toBe(2);
    expect(verifyLinkToken(once, fresh.token)).toBe(fresh.linkId);
    const twice = signingKeysOf(nextLinkSecret(nextLinkSecret(secret, 'b'.repeat(40)), 'c'.repeat(40)));
    expect(verifyLinkToken(twice, token)).toBeUndefined();
    expect(verifyLinkToken(twice, fresh.token)).toBe(fresh.linkId);
  });

  it('refuses a token whose key id names a key with another key material', () => {
    const { token } = createLinkToken(first, message);
    const impostor = { current: { id: 1, key: new Uint8Array(32).fill(9) } };
    expect(verifyLinkToken(impostor, token)).toBeUndefined();
  });
});
