import { describe, expect, it } from 'vitest';
import type { BookingRecord } from '../../shared/domain/booking-record';
import { messageStatus } from '../../shared/domain/console/today-console';
import type { MessageLogEntry } from '../../shared/domain/ports';
import { channelWords, messageNeedsLook } from '../../shared/web/console/today-page';
import { aBooking } from '../support/fixtures';

const AT = '2026-11-02T15:00:00.000Z';
const record: BookingRecord = {
  bookingId: 'bk-1',
  version: 1,
  status: 'active',
  booking: aBooking(),
  plan: {
    'prep-reminder': {
      kind: 'prep-reminder',
      at: AT,
      plannedAt: AT,
      status: 'scheduled',
      channels: ['email', 'sms'],
      version: 1,
    },
  },
  revision: 1,
  updatedAt: AT,
};
const entry = (channel: 'email' | 'sms', extra: Partial<MessageLogEntry> = {}): MessageLogEntry => ({
  bookingId: 'bk-1',
  kind: 'prep-reminder',
  at: AT,
  channel,
  status: 'sent',
  version: 1,
  updatedAt: AT,
  attempts: 1,
  ...extra,
});

describe('a message status with what the providers reported', () => {
  it('carries each channel’s delivery status, and words it after what was done', () => {
    const status = messageStatus('prep-reminder', record, [
      entry('email', { delivery: { status: 'bounced', at: AT, detail: 'Bounce Permanent/General' } }),
      entry('sms', { delivery: { status: 'delivered', at: AT, detail: 'TEXT_DELIVERED' } }),
    ]);
    expect(status?.channels).toEqual([
      { channel: 'email', status: 'sent', delivery: 'bounced' },
      { channel: 'sms', status: 'sent', delivery: 'delivered' },
    ]);
    expect(status?.channels.map(channelWords)).toEqual(['email sent, bounced', 'sms sent, delivered']);
    // One channel never arrived: the line needs a look, though the message counts as sent.
    expect(status?.state).toBe('sent');
    expect(status && messageNeedsLook(status)).toBe(true);
  });

  it('needs no look when every channel arrived or nothing was reported yet', () => {
    const delivered = messageStatus('prep-reminder', record, [
      entry('email', { delivery: { status: 'delivered', at: AT, detail: 'Delivery' } }),
      entry('sms'),
    ]);
    expect(delivered?.channels.map(channelWords)).toEqual(['email sent, delivered', 'sms sent']);
    expect(delivered && messageNeedsLook(delivered)).toBe(false);
  });

  it('words a refusal at send time with its reason and status', () => {
    const refused = messageStatus('prep-reminder', record, [
      entry('sms', {
        status: 'failed',
        reason: 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT',
        delivery: {
          status: 'opted-out',
          at: AT,
          detail: 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT',
        },
      }),
    ]);
    expect(refused?.channels.map(channelWords)).toEqual([
      'sms failed (ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT), opted out',
    ]);
    expect(refused && messageNeedsLook(refused)).toBe(true);
  });
});
