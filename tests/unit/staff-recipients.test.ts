import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allStaffRecipients,
  staffRecipientKey,
  staffRecipients,
} from '../../shared/domain/alerts/staff-recipients';

const staff = {
  alertEmails: ['on-call@example-clinic.org', 'Nurse@Example-Clinic.org', 'on-call@example-clinic.org'],
  alertSms: ['+15555550101'],
  escalationEmails: ['clinical-lead@example-clinic.org', 'nurse@example-clinic.org'],
  escalationSms: ['+15555550101', '+15555550199'],
};

describe('staffRecipients', () => {
  it('lists each email then each phone of a topic once, in config order, named by their place in config', () => {
    expect(staffRecipients(staff, 'alerts').map((r) => [r.channel, r.address, r.configPath])).toEqual([
      ['email', 'on-call@example-clinic.org', 'staff.alertEmails[0]'],
      ['email', 'Nurse@Example-Clinic.org', 'staff.alertEmails[1]'],
      ['sms', '+15555550101', 'staff.alertSms[0]'],
    ]);
    expect(staffRecipients(staff, 'escalation').map((r) => r.configPath)).toEqual([
      'staff.escalationEmails[0]',
      'staff.escalationEmails[1]',
      'staff.escalationSms[0]',
      'staff.escalationSms[1]',
    ]);
  });

  it('gives an address the same opaque key on both topics and in any letter case, and never shows it', () => {
    const nurseAlerts = staffRecipients(staff, 'alerts')[1];
    const nurseEscalation = staffRecipients(staff, 'escalation')[1];
    expect(nurseAlerts?.key).toBe(nurseEscalation?.key);
    expect(nurseAlerts?.key).toMatch(/^email-[0-9a-f]{16}$/);
    expect(allStaffRecipients(staff)).toHaveLength(5);
  });

  it('keys different contacts apart and the same contact alike (property)', () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.emailAddress(), (a, b) => {
        const same = a.toLowerCase() === b.toLowerCase();
        expect(staffRecipientKey('email', a) === staffRecipientKey('email', b)).toBe(same);
        expect(staffRecipientKey('email', a)).not.toBe(staffRecipientKey('sms', a));
      }),
    );
  });
});
