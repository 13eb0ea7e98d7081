import { staffRecipients } from '../../shared/domain/alerts/staff-recipients';
import type { StaffRequest } from '../../shared/domain/console/access';
import type { Staff } from '../../shared/domain/console/staff';
import type { StaffRecipient } from '../../shared/domain/ports';

/** Where the console tests' requests come from. */
export const ORIGIN = { ip: '203.0.113.7', userAgent: 'Mozilla/5.0 test', requestId: 'req-1' };

/** One staff member per group, as the identity provider would vouch for them. */
export const CLINICIAN: Staff = {
  subject: 'sub-casey',
  email: 'casey@example.org',
  name: 'Casey',
  groups: ['clinician'],
};
export const DESK: Staff = {
  subject: 'sub-frankie',
  email: 'frankie@example.org',
  name: 'Frankie',
  groups: ['front-desk'],
};
export const ADMIN: Staff = {
  subject: 'sub-avery',
  email: 'avery@example.org',
  name: 'Avery',
  groups: ['admin'],
};

/** A signed-in request of `staff` for the console path `page`. */
export const as = (staff: Staff, page: string): StaffRequest => ({ staff, origin: ORIGIN, page });

/** The on-call recipients of the alert topic: one address (SES) and one phone (SMS). */
export function onCallRecipients(): { email: StaffRecipient; phone: StaffRecipient } {
  const [email, phone] = staffRecipients(
    {
      alertEmails: ['on-call@example-clinic.org'],
      alertSms: ['+15555550101'],
      escalationEmails: [],
      escalationSms: [],
    },
    'alerts',
  );
  if (!email || !phone) throw new Error('expected an email and a phone recipient');
  return { email, phone };
}
