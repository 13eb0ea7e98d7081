import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { schedulePayloadSchema } from '../../shared/contracts/schedule-payload';
import {
  contactDigest,
  contactsChanged,
  digestsOf,
  resendTag,
  stillReachesPatient,
} from '../../shared/domain/contacts';

const patient = { email: 'Ann@Example.org', phone: '+15550100002' };

describe('contact digests (links sent to an old address are revoked)', () => {
  it('ignores the case and spaces of an email, not the digits of a phone', () => {
    expect(contactDigest('email', ' ann@example.ORG ')).toBe(contactDigest('email', 'Ann@Example.org'));
    expect(contactDigest('sms', '+15550100002')).not.toBe(contactDigest('sms', '+15550100003'));
    expect(contactDigest('email', 'x')).not.toBe(contactDigest('sms', 'x'));
    // Opaque: no part of the address in it.
    expect(contactDigest('email', 'ann@example.org')).not.toMatch(/ann|example/i);
  });

  it('lets a link reach the patient only while every address it went to is still theirs', () => {
    const sentTo = digestsOf(patient, ['email', 'sms']);
    expect(stillReachesPatient(sentTo, patient)).toBe(true);
    expect(stillReachesPatient(sentTo, { ...patient, email: 'new@example.org' })).toBe(false);
    expect(stillReachesPatient(sentTo, { email: patient.email })).toBe(false);
    expect(stillReachesPatient(digestsOf(patient, ['sms']), { ...patient, email: 'new@example.org' })).toBe(
      true,
    );
    // Links written before addresses were recorded keep working; unreadable ones do not.
    expect(stillReachesPatient(undefined, patient)).toBe(true);
    expect(stillReachesPatient(['unreadable'], patient)).toBe(false);
  });

  it('sees a change when an address is added, removed or replaced, never when only its case changes', () => {
    expect(contactsChanged(patient, { ...patient, email: 'ANN@example.org' })).toBe(false);
    expect(contactsChanged(patient, { ...patient, phone: '+15550100009' })).toBe(true);
    expect(contactsChanged(patient, { email: patient.email })).toBe(true);
    expect(contactsChanged({ phone: patient.phone }, patient)).toBe(true);
  });

  it('tags a re-send by the new details: the same details give the same tag, others another', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.emailAddress(), (a, b) => {
        expect(resendTag({ email: a })).toBe(resendTag({ email: a.toUpperCase() }));
        if (a.toLowerCase() !== b.toLowerCase()) {
          expect(resendTag({ email: a })).not.toBe(resendTag({ email: b }));
        }
        expect(resendTag({ email: a })).toMatch(/^[A-Za-z0-9_-]{12}$/);
      }),
    );
  });

  it('carries a re-send tag in a schedule payload, and nothing that looks like an address', () => {
    const payload = {
      bookingId: 'b-1',
      kind: 'checkin-same-day',
      at: '2026-06-03T18:00:00.000Z',
      version: 2,
    };
    expect(schedulePayloadSchema.parse({ ...payload, resend: resendTag(patient) }).resend).toBe(
      resendTag(patient),
    );
    expect(() => schedulePayloadSchema.parse({ ...payload, resend: 'ann@example.org' })).toThrow();
  });
});
