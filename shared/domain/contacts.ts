import { createHash } from 'node:crypto';
import type { Channel } from '../contracts/vocabulary';

/** The contact details a message can go to. */
export interface Contacts {
  email?: string | undefined;
  phone?: string | undefined;
}

/**
 * An opaque digest of one address on one channel, kept on a link record
 * instead of the address itself (DESIGN section 8: a new email or phone
 * revokes the links sent to the old one). Case is ignored in email.
 */
export function contactDigest(channel: Channel, address: string): string {
  const normal = channel === 'email' ? address.trim().toLowerCase() : address.trim();
  return createHash('sha256').update(`${channel}\n${normal}`).digest('base64url').slice(0, 16);
}

/** Whether the patient has an address on `channel`. */
export function hasChannel(contacts: Contacts, channel: Channel): boolean {
  return (channel === 'email' ? contacts.email : contacts.phone) !== undefined;
}

/** The channel a message falls back to when `channel` failed for good. */
export function otherChannel(channel: Channel): Channel {
  return channel === 'email' ? 'sms' : 'email';
}

/** The digests of the addresses `channels` reach for this patient now. */
export function digestsOf(contacts: Contacts, channels: readonly Channel[]): string[] {
  return channels.flatMap((channel) => {
    const address = channel === 'email' ? contacts.email : contacts.phone;
    return address ? [contactDigest(channel, address)] : [];
  });
}

/** Whether every address a link went to is still one of the patient's (a link with no record of it is). */
export function stillReachesPatient(sentTo: readonly string[] | undefined, contacts: Contacts): boolean {
  if (sentTo === undefined) return true;
  const current = new Set(digestsOf(contacts, ['email', 'sms']));
  return sentTo.every((digest) => current.has(digest));
}

/** Whether a booking update changed where messages go: an email or phone added, removed or changed. */
export function contactsChanged(before: Contacts, after: Contacts): boolean {
  const same = (channel: Channel) =>
    digestsOf(before, [channel]).join() === digestsOf(after, [channel]).join();
  return !same('email') || !same('sms');
}

/**
 * The opaque tag of a re-send to new contact details: it tells the re-sent
 * message (its log entries and its link) apart from the first sending.
 */
export function resendTag(contacts: Contacts): string {
  return createHash('sha256')
    .update(digestsOf(contacts, ['email', 'sms']).join('\n'))
    .digest('base64url')
    .slice(0, 12);
}
