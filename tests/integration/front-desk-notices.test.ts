import { beforeAll, describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { type NoticeDeps, raiseNotice } from '../../shared/domain/alerts/front-desk-notices';
import type { OutgoingEmail } from '../../shared/domain/ports';
import { freshTable } from '../support/dynamo';

const config = parseClinicConfig({
  ...clinicConfigInput,
  staff: {
    ...clinicConfigInput.staff,
    frontDeskEmails: ['desk@example-clinic.org', 'manager@example-clinic.org'],
  },
});
let store: DynamoNoticeStore;

beforeAll(async () => {
  const { db, tableName } = await freshTable();
  store = new DynamoNoticeStore(db, tableName);
});

function deps(refuse: Set<string>) {
  const sent: OutgoingEmail[] = [];
  const value: NoticeDeps = {
    config,
    clock: { now: () => '2026-11-30T09:00:00.000Z' },
    notices: store,
    mailer: {
      send: async (email) => {
        if (refuse.has(email.to))
          throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
        return { messageId: `m-${sent.push(email)}` };
      },
    },
    consoleBaseUrl: 'https://care.example.org',
    metrics: { count: () => {}, flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  return { value, sent };
}

describe('a front-desk notice on dynalite', () => {
  it('is emailed to each address once, even when a retry follows one address refusing', async () => {
    const input = {
      bookingId: 'bk-notice-1',
      reason: 'readiness-missing' as const,
      kind: 'prep-reminder' as const,
    };
    const first = deps(new Set(['manager@example-clinic.org']));
    await expect(raiseNotice(first.value, input)).rejects.toThrow('throttled');
    expect(first.sent.map((e) => e.to)).toEqual(['desk@example-clinic.org']);
    // The retry emails only the address that refused; a third raise emails nobody.
    const retry = deps(new Set());
    const notice = await raiseNotice(retry.value, input);
    expect(retry.sent.map((e) => e.to)).toEqual(['manager@example-clinic.org']);
    expect(notice.emailedAt).toBeDefined();
    const again = deps(new Set());
    await raiseNotice(again.value, input);
    expect(again.sent).toEqual([]);
    expect((await store.open(10)).filter((n) => n.bookingId === 'bk-notice-1')).toHaveLength(1);
  });
});
