import { createHmac } from 'node:crypto';

/**
 * The schedule name of one planned message. It includes the planned time, so
 * a schedule written by a slower, older reconciliation can never overwrite a
 * newer plan's schedule; the stale one fires, finds itself out of plan and is
 * recorded as skipped.
 */
export function messageScheduleName(
  message: { booking: string; kind: string; at: string; resend?: string | undefined },
  purpose = 'send',
): string {
  const resend = message.resend ? `\n${message.resend}` : '';
  const digest = createHmac('sha256', 'schedule-name')
    .update(`${purpose}\n${message.booking}\n${message.kind}\n${message.at}${resend}`)
    .digest('hex');
  return `msg-${digest.slice(0, 40)}`;
}
