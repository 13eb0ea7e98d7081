import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { raiseNotice } from '../../shared/domain/alerts/front-desk-notices';
import { listNotices, markNoticeDone } from '../../shared/domain/console/notices-console';
import type { OutgoingEmail } from '../../shared/domain/ports';
import { dynamoConsoleDeps } from '../support/console-deps';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';
import { ADMIN, as, CLINICIAN, DESK } from '../support/staff';

const config = parseClinicConfig({
  ...clinicConfigInput,
  staff: {
    ...clinicConfigInput.staff,
    frontDeskEmails: ['desk@example-clinic.org', 'desk2@example-clinic.org'],
  },
});
const NOW = '2026-08-03T15:00:00.000Z';

async function harness() {
  const { db, tableName } = await freshTable();
  const { removed: _, ...deps } = dynamoConsoleDeps(db, tableName, config, () => NOW);
  const emails: OutgoingEmail[] = [];
  let refuse = false;
  const noticeDeps = {
    config,
    clock: { now: () => NOW },
    notices: new DynamoNoticeStore(db, tableName),
    mailer: {
      send: async (email: OutgoingEmail) => {
        if (refuse) throw Object.assign(new Error('throttled'), { name: 'TooManyRequestsException' });
        return { messageId: `m-${emails.push(email)}` };
      },
    },
    consoleBaseUrl: 'https://care.example-clinic.org',
    metrics: { count: () => {}, flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const booked = (bookingId: string) =>
    deps.bookings.save(
      {
        bookingId,
        version: 1,
        status: 'active',
        booking: aBooking({ bookingId }),
        plan: {},
        revision: 1,
        updatedAt: NOW,
      },
      undefined,
    );
  const audit = async () =>
    (
      await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'AUDIT#2026-08-03' },
        }),
      )
    ).Items ?? [];
  const refuseSends = (on: boolean) => {
    refuse = on;
  };
  return { deps, noticeDeps, emails, booked, audit, refuse: refuseSends };
}

describe('front-desk notices (dynalite)', () => {
  it('emails each front-desk address once, a link and nothing about the patient, and lists the notice', async () => {
    const h = await harness();
    await h.booked('bk-n1');
    const input = { bookingId: 'bk-n1', reason: 'checkin-unreached', kind: 'checkin-next-day' } as const;
    await raiseNotice(h.noticeDeps, input);
    await raiseNotice(h.noticeDeps, input);
    expect(h.emails.map((e) => [e.to, e.kind])).toEqual([
      ['desk@example-clinic.org', 'front-desk-notice'],
      ['desk2@example-clinic.org', 'front-desk-notice'],
    ]);
    expect(h.emails[0]?.text).toContain('https://care.example-clinic.org/console/notices');
    expect(JSON.stringify(h.emails)).not.toMatch(/Ana|ana@example|bk-n1|\+1555/);

    const listed = await listNotices(h.deps, as(DESK, '/console/notices'));
    if (!listed.ok) throw new Error(listed.reason);
    expect(listed.value.items.map((item) => [item.notice.reason, item.booking?.patient.firstName])).toEqual([
      ['checkin-unreached', 'Ana'],
    ]);
    expect(listed.value.next).toBeUndefined();
  });

  it('pages the open notices oldest first, 50 at a time, and takes only a cursor it made', async () => {
    const h = await harness();
    for (let i = 0; i < 53; i++) {
      const bookingId = `bk-page-${String(i).padStart(2, '0')}`;
      await h.noticeDeps.notices.raise({
        noticeId: `${bookingId}/readiness-missing`,
        bookingId,
        reason: 'readiness-missing',
        kind: 'prep-reminder',
        at: `2026-11-0${1 + Math.floor(i / 20)}T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
        state: 'open',
      });
    }
    const first = await listNotices(h.deps, as(DESK, '/console/notices'));
    if (!first.ok) throw new Error(first.reason);
    expect(first.value.items).toHaveLength(50);
    expect(first.value.next).toBeDefined();
    const second = await listNotices(h.deps, as(DESK, '/console/notices'), first.value.next);
    if (!second.ok) throw new Error(second.reason);
    const all = [...first.value.items, ...second.value.items].filter((item) =>
      item.notice.bookingId.startsWith('bk-page-'),
    );
    expect(all.map((item) => item.notice.bookingId)).toEqual(
      Array.from({ length: 53 }, (_, i) => `bk-page-${String(i).padStart(2, '0')}`),
    );
    expect(second.value.next).toBeUndefined();
    // A cursor it did not make starts at the oldest again.
    const forged = await listNotices(h.deps, as(DESK, '/console/notices'), 'anything');
    expect(forged.ok && forged.value.items[0]?.notice.noticeId).toBe(first.value.items[0]?.notice.noticeId);
  });

  it('emails a notice again when its email never went, then never more', async () => {
    const h = await harness();
    const input = { bookingId: 'bk-n2', reason: 'unreached-before-session', kind: 'prep-reminder' } as const;
    h.refuse(true);
    await expect(raiseNotice(h.noticeDeps, input)).rejects.toThrow('throttled');
    h.refuse(false);
    await raiseNotice(h.noticeDeps, input);
    await raiseNotice(h.noticeDeps, input);
    expect(h.emails).toHaveLength(2);
  });

  it('lets the front desk mark a notice dealt with once, in its name, audited; admins see none', async () => {
    const h = await harness();
    await h.booked('bk-n3');
    await raiseNotice(h.noticeDeps, {
      bookingId: 'bk-n3',
      reason: 'checkin-unreached',
      kind: 'checkin-week',
    });
    expect(await markNoticeDone(h.deps, as(DESK, '/x'), 'bk-n3', 'checkin-unreached')).toEqual({
      ok: true,
      value: null,
    });
    expect(await markNoticeDone(h.deps, as(CLINICIAN, '/x'), 'bk-n3', 'checkin-unreached')).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(await markNoticeDone(h.deps, as(DESK, '/x'), 'bk-n3', 'no-such-reason')).toEqual({
      ok: false,
      reason: 'not-found',
    });
    const after = await listNotices(h.deps, as(CLINICIAN, '/console/notices'));
    expect(after.ok && after.value).toEqual({ items: [] });
    expect(await listNotices(h.deps, as(ADMIN, '/console/notices'))).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    const audit = (await h.audit()).map((item) => [item.action, item.subject, item.user?.email]);
    expect(audit).toEqual(
      expect.arrayContaining([
        ['review', 'NOTICE#bk-n3/checkin-unreached', DESK.email],
        ['view', 'PAGE#notices', CLINICIAN.email],
        ['denied', 'PAGE#notices', ADMIN.email],
      ]),
    );
  });
});
