import { describe, expect, it } from 'vitest';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import type { StaffLinkDeps } from '../../shared/domain/alerts/staff-links';
import { createLinkToken } from '../../shared/domain/messages/tokens';
import { handleStaffLinkRequest } from '../../shared/web/staff/staff-link';
import { freshTable } from '../support/dynamo';

const key = new Uint8Array(32).fill(5);
const otherKey = new Uint8Array(32).fill(6);

/** An alert link and a reply link as the service used to send them, both long expired. */
async function harness() {
  const { db, tableName } = await freshTable();
  const deps: StaffLinkDeps = {
    links: new DynamoLinkStore(db, tableName),
    signingKey: { get: async () => key },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const alert = createLinkToken(key, { bookingId: 'st-1', kind: 'alert', at: 'al-77' });
  await deps.links.put({
    linkId: alert.linkId,
    bookingId: 'st-1',
    kind: 'alert',
    purpose: 'alert',
    subjectId: 'al-77',
    expiresAt: '2026-01-01T00:00:00.000Z',
  });
  const reply = createLinkToken(key, { bookingId: 'st-1', kind: 'reply', at: 'rep-1' });
  await deps.links.put({
    linkId: reply.linkId,
    bookingId: 'st-1',
    kind: 'reply',
    purpose: 'reply',
    subjectId: 'rep-1',
    expiresAt: '2026-01-01T00:00:00.000Z',
  });
  return { deps, alertToken: alert.token, replyToken: reply.token };
}

describe('handleStaffLinkRequest (links sent before the console)', () => {
  it('sends an alert link, GET or POST, to the alert in the console, which asks for sign-in', async () => {
    const h = await harness();
    for (const method of ['GET', 'POST']) {
      const res = await handleStaffLinkRequest(h.deps, { method, page: 'a', token: h.alertToken });
      expect(res).toMatchObject({ status: 303, headers: { Location: '/console/alerts/al-77' }, body: '' });
      expect(res.headers['Content-Security-Policy']).toContain("default-src 'none'");
    }
  });

  it('sends a digest reply link to the reply in the console', async () => {
    const h = await harness();
    const res = await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'r', token: h.replyToken });
    expect(res).toMatchObject({ status: 303, headers: { Location: '/console/replies/st-1/rep-1' } });
  });

  it('refuses a tampered link, a link of the other kind and one that names nothing, with no patient data', async () => {
    const h = await harness();
    const tampered = `${h.alertToken.slice(0, -1)}${h.alertToken.endsWith('A') ? 'B' : 'A'}`;
    const forged = createLinkToken(otherKey, { bookingId: 'st-1', kind: 'alert', at: 'al-77' }).token;
    const unknown = createLinkToken(key, { bookingId: 'st-9', kind: 'alert', at: 'al-99' }).token;
    const answers = [
      await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'a', token: tampered }),
      await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'a', token: forged }),
      await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'r', token: h.alertToken }),
      await handleStaffLinkRequest(h.deps, { method: 'GET', page: 'a', token: unknown }),
    ];
    expect(answers.map((a) => a.status)).toEqual([403, 403, 403, 404]);
    for (const answer of answers) {
      expect(answer.headers.Location).toBeUndefined();
      expect(answer.body).not.toMatch(/st-1|al-77|rep-1/);
      expect(answer.body).toContain('href="/console/alerts"');
    }
  });
});
