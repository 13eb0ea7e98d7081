import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoStaffSendStore } from '../../shared/adapters/dynamodb/staff-send-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { checkStaffRecipients, type Reachability } from '../../shared/domain/alerts/staff-recipient-check';
import { staffRecipients } from '../../shared/domain/alerts/staff-recipients';
import type { StaffSend } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';

const config = parseClinicConfig({
  ...clinicConfigInput,
  staff: {
    ...clinicConfigInput.staff,
    alertEmails: ['on-call@example-clinic.org', 'nurse@example-clinic.org'],
    alertSms: ['+15555550101'],
    escalationEmails: ['clinical-lead@example-clinic.org'],
    escalationSms: [],
  },
});
const [onCall, nurse, phone] = staffRecipients(config.staff, 'alerts');

/** A copy of an alert to `recipient`, as dispatch-alerts makes it. */
function sendTo(recipient: typeof onCall, alertId: string): StaffSend {
  if (!recipient) throw new Error('no recipient');
  return {
    alertId,
    step: 'alert',
    recipient,
    message: { topic: 'alerts', subject: 'URGENT', text: 'URGENT' },
    state: 'due',
    dueAt: '2026-07-01T12:00:00.000Z',
    attempts: 0,
  };
}

async function run(verdicts: Record<string, Reachability | Error> = {}, cfg = config) {
  const { db, tableName } = await freshTable();
  const sends = new DynamoStaffSendStore(db, tableName);
  const counted: Record<string, number> = {};
  const warnings: Record<string, unknown>[] = [];
  const deps = {
    config: cfg,
    recipients: sends,
    reachability: {
      check: async (recipient: { address: string }) => {
        const verdict = verdicts[recipient.address] ?? { reachable: true };
        if (verdict instanceof Error) throw verdict;
        return verdict;
      },
    },
    metrics: {
      count: (name: string, value = 1) => {
        counted[name] = (counted[name] ?? 0) + value;
      },
      flush: () => {},
    },
    log: {
      info: () => {},
      warn: (_: string, fields?: Record<string, unknown>) => void warnings.push(fields ?? {}),
      error: () => {},
    },
  };
  return { sends, counted, warnings, check: () => checkStaffRecipients(deps) };
}

describe('the daily staff recipient check', () => {
  it('finds nothing when every recipient took its last copy and no provider lists it, and says so with a 0', async () => {
    const h = await run();
    const send = sendTo(onCall, 'a-1');
    await h.sends.enqueueClaimed([send], { now: send.dueAt, expiresAt: '2026-07-01T12:02:00.000Z' });
    await h.sends.markSent(send, { now: '2026-07-01T12:00:01.000Z', messageId: 'm-1' });
    expect(await h.check()).toEqual({ checked: 4, unreachable: [] });
    expect(h.counted.StaffRecipientsUnreachable).toBe(0);
  });

  it('names a recipient whose last copy was refused, until one goes through', async () => {
    const h = await run();
    const first = sendTo(nurse, 'a-1');
    await h.sends.enqueueClaimed([first], { now: first.dueAt, expiresAt: '2026-07-01T12:02:00.000Z' });
    await h.sends.release(first, { now: '2026-07-01T12:00:01.000Z', reason: 'MessageRejected' });
    expect((await h.check()).unreachable).toEqual([
      { recipient: 'staff.alertEmails[1]', reason: 'last-send-refused:MessageRejected' },
    ]);
    expect(h.counted.StaffRecipientsUnreachable).toBe(1);
    // The log names the place in config, never the address.
    expect(JSON.stringify(h.warnings)).not.toContain('nurse@');

    const later = sendTo(nurse, 'a-2');
    await h.sends.enqueueClaimed([later], { now: later.dueAt, expiresAt: '2026-07-01T12:02:00.000Z' });
    await h.sends.markSent(later, { now: '2026-07-01T13:00:00.000Z', messageId: 'm-2' });
    expect((await h.check()).unreachable).toEqual([]);
  });

  it('names recipients the providers list, and one whose provider could not be asked', async () => {
    const h = await run({
      'on-call@example-clinic.org': { reachable: false, reason: 'ses-suppressed:BOUNCE' },
      [phone?.address ?? '']: new Error('AccessDenied'),
    });
    expect((await h.check()).unreachable).toEqual([
      { recipient: 'staff.alertEmails[0]', reason: 'ses-suppressed:BOUNCE' },
      { recipient: 'staff.alertSms[0]', reason: 'check-failed:Error' },
    ]);
    expect(h.counted.StaffRecipientsUnreachable).toBe(2);
  });

  it('counts a topic with nobody on it', async () => {
    const nobody = parseClinicConfig({
      ...clinicConfigInput,
      staff: { ...clinicConfigInput.staff, escalationEmails: [], escalationSms: [] },
    });
    const h = await run({}, nobody);
    expect((await h.check()).unreachable).toEqual([
      { recipient: 'staff.escalationEmails, staff.escalationSms', reason: 'no-recipients' },
    ]);
  });
});
