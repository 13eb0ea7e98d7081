import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { StaffLinkDeps } from '../../shared/domain/alerts/staff-links';
import { createLinkToken } from '../../shared/domain/messages/tokens';
import type { StoredReply } from '../../shared/domain/ports';
import { handleStaffLinkRequest } from '../../shared/web/staff/staff-link';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';
import { escapedText } from '../support/html';

const config = parseClinicConfig(clinicConfigInput);
const key = new Uint8Array(32).fill(5);
const now = '2026-08-03T15:00:00.000Z';

async function harness() {
  const { db, tableName } = await freshTable();
  const removed: string[] = [];
  const deps: StaffLinkDeps = {
    config,
    clock: { now: () => now },
    bookings: new DynamoBookingStore(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    replies: new DynamoReplyStore(db, tableName),
    alerts: new DynamoAlertStore(db, tableName),
    escalations: { remove: async (name) => void removed.push(name) },
    signingKey: { get: async () => key },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const booking = aBooking({ bookingId: 'st-1', patient: { firstName: '<img src=x onerror=alert(1)>' } });
  await deps.bookings.save(
    { bookingId: 'st-1', version: 1, status: 'active', booking, plan: {}, revision: 1, updatedAt: now },
    undefined,
  );
  const reply: StoredReply = {
    replyId: 'rep-1',
    bookingId: 'st-1',
    kind: 'checkin-same-day',
    receivedAt: now,
    answers: {
      mood: 2,
      sideEffects: { 'chest-pain': 'severe' },
      selfHarm: 'no',
      wantsCall: true,
      note: '<script>x</script>',
    },
    triage: 'urgent',
    rules: ['any-effect-severe', 'wants-call'],
    scores: {},
    alertId: 'al-77',
  };
  await deps.replies.record(reply);
  await deps.alerts.createFromReply({ ...reply, alertId: 'al-77' });
  const { linkId, token } = createLinkToken(key, { bookingId: 'st-1', kind: 'alert', at: 'al-77' });
  await deps.links.put({
    linkId,
    bookingId: 'st-1',
    kind: 'alert',
    purpose: 'alert',
    subjectId: 'al-77',
    expiresAt: '2026-08-10T15:00:00.000Z',
  });
  const audit = async () =>
    (
      await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'AUDIT#ALERT#al-77' },
        }),
      )
    ).Items ?? [];
  return { deps, token, audit, removed };
}

describe('handleStaffLinkRequest', () => {
  it('shows the alert with every patient string escaped, and records the view', async () => {
    const h = await harness();
    const res = await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'a', token: h.token });
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('<script>x</script>');
    expect(res.body).not.toContain('<img src=x');
    expect(res.body).toContain(escapedText('<script>x</script>'));
    expect(res.headers['Content-Security-Policy']).toContain("default-src 'none'");
    expect(await h.audit()).toMatchObject([{ action: 'view', at: now }]);
  });

  it('records each acknowledgement with who gave it, and only the first one counts', async () => {
    const h = await harness();
    const ack = (by: string) =>
      handleStaffLinkRequest(h.deps, {
        method: 'POST',
        page: 'a',
        token: h.token,
        contentType: 'application/x-www-form-urlencoded',
        body: `by=${encodeURIComponent(by)}`,
      });
    expect((await ack('Dr Rivera')).status).toBe(200);
    const second = await ack('Nurse Ade');
    expect(second.body).toContain('Dr Rivera');
    // Both happened in the same instant here, so compare them in name order.
    const trail = (await h.audit()).sort((a, b) => String(a.by).localeCompare(String(b.by)));
    expect(trail.map((e) => [e.action, e.by])).toEqual([
      ['acknowledge', 'Dr Rivera'],
      ['acknowledge', 'Nurse Ade'],
    ]);
    expect(await h.deps.alerts.get('al-77')).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'Dr Rivera',
    });
    expect(h.removed).toHaveLength(1);
  });

  it('refuses a tampered staff link, and an alert link on the reply page, with 403', async () => {
    const h = await harness();
    const tampered = `${h.token.slice(0, -1)}${h.token.endsWith('A') ? 'B' : 'A'}`;
    expect((await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'a', token: tampered })).status).toBe(
      403,
    );
    const wrongPage = await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'r', token: h.token });
    expect(wrongPage.status).toBe(403);
  });
});
