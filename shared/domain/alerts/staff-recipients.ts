import { createHash } from 'node:crypto';
import type { ClinicConfig } from '../../contracts/clinic-config';
import type { StaffRecipient, StaffTopic } from '../ports';

type StaffContacts = Pick<
  ClinicConfig['staff'],
  'alertEmails' | 'alertSms' | 'escalationEmails' | 'escalationSms'
>;

const LISTS: Record<StaffTopic, { email: keyof StaffContacts; sms: keyof StaffContacts }> = {
  alerts: { email: 'alertEmails', sms: 'alertSms' },
  escalation: { email: 'escalationEmails', sms: 'escalationSms' },
};

/** The opaque key of a contact: the same address always gets the same key, in any list. */
export function staffRecipientKey(channel: StaffRecipient['channel'], address: string): string {
  const normal = channel === 'email' ? address.trim().toLowerCase() : address.trim();
  return `${channel}-${createHash('sha256').update(`${channel}:${normal}`).digest('hex').slice(0, 16)}`;
}

/**
 * Who is sent a topic's messages (DESIGN section 8): each email and each
 * phone of its config lists once, emails first, in config order.
 */
export function staffRecipients(staff: StaffContacts, topic: StaffTopic): StaffRecipient[] {
  const seen = new Set<string>();
  const recipients: StaffRecipient[] = [];
  for (const channel of ['email', 'sms'] as const) {
    const list = LISTS[topic][channel];
    staff[list].forEach((address, index) => {
      const key = staffRecipientKey(channel, address);
      if (seen.has(key)) return;
      seen.add(key);
      recipients.push({ channel, address, key, configPath: `staff.${list}[${index}]` });
    });
  }
  return recipients;
}

/** Every configured staff contact once (a contact on both topics counts once), for the daily check. */
export function allStaffRecipients(staff: StaffContacts): StaffRecipient[] {
  const byKey = new Map<string, StaffRecipient>();
  for (const topic of ['alerts', 'escalation'] as const) {
    for (const recipient of staffRecipients(staff, topic)) {
      if (!byKey.has(recipient.key)) byKey.set(recipient.key, recipient);
    }
  }
  return [...byKey.values()];
}
