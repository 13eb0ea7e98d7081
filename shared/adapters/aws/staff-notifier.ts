import type { Mailer, SmsSender, StaffMessage, StaffNotifier, StaffRecipient } from '../../domain/ports';

/**
 * Staff alerts to one recipient at a time (DESIGN section 8): email through
 * SES (the clinic's sender and its TLS-required configuration set, so nothing
 * goes in clear and there is no unsubscribe link), SMS through the same
 * sender as patients' texts. A refusal throws, so that recipient alone is retried.
 */
export class ChannelStaffNotifier implements StaffNotifier {
  constructor(
    private readonly mailer: Mailer,
    private readonly sms: SmsSender,
  ) {}

  send(recipient: StaffRecipient, message: StaffMessage): Promise<{ messageId: string }> {
    const kind = message.topic === 'escalation' ? 'staff-escalation' : 'staff-alert';
    return recipient.channel === 'email'
      ? this.mailer.send({ to: recipient.address, subject: message.subject, text: message.text, kind })
      : this.sms.send({ to: recipient.address, text: message.text, kind });
  }
}
