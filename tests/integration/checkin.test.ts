import { beforeEach, describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { CheckinDeps } from '../../shared/domain/checkins/checkin';
import { createLinkToken } from '../../shared/domain/messages/tokens';
import type { ReplyStore } from '../../shared/domain/ports';
import { t } from '../../shared/web/i18n';
import { handleLinkRequest } from '../../shared/web/patient/patient-link';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';

const config = parseClinicConfig(clinicConfigInput);
const key = new Uint8Array(32).fill(3);
const sentAt = '2026-11-04T20:00:00.000Z';

/** Real stores on dynalite; the clock, ids and metrics are plain fakes. */
async function harness(replies?: ReplyStore) {
  const { db, tableName } = await freshTable();
  const state = { now: '2026-11-05T15:00:00.000Z', ids: 0, metrics: [] as string[] };
  const deps: CheckinDeps = {
    config,
    clock: { now: () => state.now },
    bookings: new DynamoBookingStore(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    replies: replies ?? new DynamoReplyStore(db, tableName),
    signingKey: { get: async () => key },
    newId: () => `id-${++state.ids}`,
    metrics: { count: (name) => void state.metrics.push(name), flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const booking = aBooking({ bookingId: 'ci-9' });
  await deps.bookings.save(
    { bookingId: 'ci-9', version: 1, status: 'active', booking, plan: {}, revision: 1, updatedAt: sentAt },
    undefined,
  );
  const link = async (kind: 'checkin-same-day' | 'checkin-week' | 'prep-instructions') => {
    const { linkId, token } = createLinkToken(key, { bookingId: 'ci-9', kind, at: sentAt });
    const purpose = kind === 'prep-instructions' ? 'instructions' : 'checkin';
    await deps.links.put({ linkId, bookingId: 'ci-9', kind, purpose, expiresAt: '2026-11-11T20:00:00.000Z' });
    return token;
  };
  return { deps, state, link, db, tableName };
}

const failingStore: ReplyStore = {
  record: async () => {
    throw Object.assign(new Error('service unavailable'), { name: 'InternalServerError' });
  },
  listForBooking: async () => [],
};

describe('handleLinkRequest', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
  });

  it('stores an urgent reply with its pending alert in the same item', async () => {
    const token = await h.link('checkin-same-day');
    const res = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token,
      contentType: 'application/json',
      body: JSON.stringify({ mood: 4, selfHarm: 'yes' }),
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ replyId: 'id-1', triage: 'urgent', rules: ['self-harm'] });
    const [stored] = await h.deps.replies.listForBooking('ci-9');
    expect(stored).toMatchObject({
      replyId: 'id-1',
      triage: 'urgent',
      alertId: 'id-2',
      receivedAt: h.state.now,
    });
  });

  it('stores the PHQ-9 and GAD-7 scores and bands of a week check-in', async () => {
    const token = await h.link('checkin-week');
    const res = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token,
      contentType: 'application/json',
      body: JSON.stringify({
        mood: 6,
        selfHarm: 'no',
        phq9: [2, 2, 2, 2, 2, 2, 2, 2, 0],
        gad7: [1, 1, 1, 1, 1, 1, 1],
      }),
    });
    expect(JSON.parse(res.body)).toMatchObject({ triage: 'review', rules: ['phq9-total'] });
    const [stored] = await h.deps.replies.listForBooking('ci-9');
    expect(stored?.scores).toEqual({
      phq9: { total: 16, band: 'moderately-severe' },
      gad7: { total: 7, band: 'mild' },
    });
  });

  it('refuses a check-in token on the instructions page', async () => {
    const token = await h.link('checkin-same-day');
    const res = await handleLinkRequest(h.deps, { method: 'GET', page: 'i', token });
    expect(res.status).toBe(403);
  });

  it('answers 405 to a POST on the instructions page', async () => {
    const res = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'i',
      token: await h.link('prep-instructions'),
    });
    expect(res.status).toBe(405);
  });

  it('refuses an expired link with 410 in the booking language', async () => {
    const token = await h.link('checkin-same-day');
    h.state.now = '2026-11-11T20:00:01.000Z';
    const res = await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token });
    expect(res.status).toBe(410);
    expect(res.body).toContain(config.clinic.phone);
  });
});

describe('handleLinkRequest when the reply cannot be stored', () => {
  it('still gives an urgent JSON answer the crisis resources and the clinic phone, with 503', async () => {
    const h = await harness(failingStore);
    const res = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token: await h.link('checkin-same-day'),
      contentType: 'application/json',
      body: JSON.stringify({ mood: 1, selfHarm: 'yes' }),
    });
    expect(res.status).toBe(503);
    const body = JSON.parse(res.body) as {
      crisisResources: { phone?: string }[];
      clinicPhone: string;
      error: string;
    };
    expect(body.crisisResources.map((r) => r.phone)).toEqual(expect.arrayContaining(['911', '988']));
    expect(body.clinicPhone).toBe(config.clinic.phone);
    expect(body.error).toMatch(/could not be saved/i);
    expect(h.state.metrics).toContain('ReplyStoreFailures');
  });

  it('shows the crisis page that says the answer was not saved and never that the team was told', async () => {
    const h = await harness(failingStore);
    const res = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token: await h.link('checkin-same-day'),
      contentType: 'application/x-www-form-urlencoded',
      body: 'mood=1&selfHarm=yes',
    });
    expect(res.status).toBe(503);
    expect(res.body).toContain('tel:911');
    expect(res.body).toContain('tel:988');
    expect(res.body).toContain(config.clinic.phone);
    expect(res.body).not.toContain('is being alerted');
    expect(res.body).toContain(t('en', 'crisis.notSaved').replace(/&/g, '&amp;').replace(/"/g, '&quot;'));
  });
});

describe('handleLinkRequest when the table or the signing key is down', () => {
  it('answers a reply with the crisis resources and the clinic phone, never a bare error', async () => {
    const h = await harness();
    const token = await h.link('checkin-same-day');
    h.deps.links = {
      put: async () => {},
      get: async () => {
        throw Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' });
      },
    };
    const json = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token,
      contentType: 'application/json',
      body: JSON.stringify({ mood: 1, selfHarm: 'yes' }),
    });
    expect(json.status).toBe(503);
    expect(JSON.parse(json.body)).toMatchObject({
      clinicPhone: config.clinic.phone,
      crisisResources: expect.any(Array),
    });
    const page = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token,
      contentType: 'application/x-www-form-urlencoded',
      body: 'mood=1&selfHarm=yes',
    });
    expect(page.status).toBe(503);
    expect(page.body).toContain('tel:988');
    expect(page.body).not.toContain('is being alerted');
  });

  it('gives an urgent-sounding JSON reply with another bad field the crisis resources with its 400', async () => {
    const h = await harness();
    const res = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token: await h.link('checkin-same-day'),
      contentType: 'application/json',
      body: JSON.stringify({ mood: 2, selfHarm: 'yes', phq9: [0, 0, 0, 0, 0, 0, 0, 0, 3] }),
    });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body) as {
      errors: { field: string }[];
      crisisResources?: { phone?: string }[];
    };
    expect(body.errors.map((e) => e.field)).toEqual(['phq9']);
    expect(body.crisisResources?.map((r) => r.phone)).toEqual(expect.arrayContaining(['911', '988']));
  });
});
