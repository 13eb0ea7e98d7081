import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../../shared/adapters/dynamodb/readiness-store';
import { DynamoReplyCounts } from '../../shared/adapters/dynamodb/reply-counts';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { DynamoScreenerHistory } from '../../shared/adapters/dynamodb/screener-history';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { CheckinDeps } from '../../shared/domain/checkins/checkin';
import { createLinkToken } from '../../shared/domain/messages/tokens';
import type { OutgoingEmail, ReplyStore } from '../../shared/domain/ports';
import { shiftIso } from '../../shared/domain/time';
import { t } from '../../shared/web/i18n';
import { handleLinkRequest } from '../../shared/web/patient/patient-link';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';
import { visibleText } from '../support/html';

const config = parseClinicConfig(clinicConfigInput);
const key = new Uint8Array(32).fill(3);
const sentAt = '2026-11-04T20:00:00.000Z';

/** Real stores on dynalite; the clock, ids and metrics are plain fakes. */
async function harness(replies?: ReplyStore) {
  const { db, tableName } = await freshTable();
  const state = {
    now: '2026-11-05T15:00:00.000Z',
    ids: 0,
    metrics: [] as string[],
    emails: [] as OutgoingEmail[],
  };
  const deps: CheckinDeps = {
    config,
    clock: { now: () => state.now },
    bookings: new DynamoBookingStore(db, tableName),
    links: new DynamoLinkStore(db, tableName),
    replies: replies ?? new DynamoReplyStore(db, tableName),
    alerts: new DynamoAlertStore(db, tableName),
    screeners: new DynamoScreenerHistory(db, tableName),
    replyCounts: new DynamoReplyCounts(db, tableName),
    signingKey: { get: async () => key },
    readiness: new DynamoReadinessStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    mailer: { send: async (email) => ({ messageId: `e-${state.emails.push(email)}` }) },
    consoleBaseUrl: 'https://care.example.org',
    newId: () => `id-${++state.ids}`,
    metrics: { count: (name) => void state.metrics.push(name), flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  const booking = aBooking({ bookingId: 'ci-9' });
  await deps.bookings.save(
    { bookingId: 'ci-9', version: 1, status: 'active', booking, plan: {}, revision: 1, updatedAt: sentAt },
    undefined,
  );
  const link = async (
    kind: 'checkin-same-day' | 'checkin-next-day' | 'checkin-week' | 'prep-instructions',
  ) => {
    const { linkId, token } = createLinkToken(key, { bookingId: 'ci-9', kind, at: sentAt });
    const purpose = kind === 'prep-instructions' ? 'instructions' : 'checkin';
    await deps.links.put({ linkId, bookingId: 'ci-9', kind, purpose, expiresAt: '2026-11-11T20:00:00.000Z' });
    return token;
  };
  /** A JSON reply through a check-in link. */
  const postJson = (token: string, body: unknown) =>
    handleLinkRequest(deps, {
      method: 'POST',
      page: 'c',
      token,
      contentType: 'application/json',
      body: JSON.stringify(body),
    });
  return { deps, state, link, postJson, db, tableName };
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
      body: JSON.stringify({ mood: 4, selfHarm: 'yes', selfHarmNow: 'no' }),
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({
      replyId: 'id-1',
      triage: 'urgent',
      rules: ['self-harm'],
      advice: 'crisis',
    });
    expect(JSON.parse(res.body).crisisResources.map((r: { phone: string }) => r.phone)).toEqual([
      '988',
      '911',
      config.clinic.phone,
    ]);
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
    // Counted once, as a review reply, in the clinic's week of its arrival (Thursday 5 November 2026).
    expect(await new DynamoReplyCounts(h.db, h.tableName).weeks('2026-W45', '2026-W45')).toEqual([
      { week: '2026-W45', urgent: 0, review: 1, routine: 0 },
    ]);
  });

  it('refuses a check-in token on the instructions page', async () => {
    const token = await h.link('checkin-same-day');
    const res = await handleLinkRequest(h.deps, { method: 'GET', page: 'i', token });
    expect(res.status).toBe(403);
  });

  it('answers 405 to a PUT on the instructions page', async () => {
    const res = await handleLinkRequest(h.deps, {
      method: 'PUT',
      page: 'i',
      token: await h.link('prep-instructions'),
    });
    expect(res.status).toBe(405);
  });

  describe('the readiness form on the instructions page', () => {
    // The day before the session (3 Nov): it can still be answered.
    beforeEach(() => {
      h.state.now = '2026-11-02T15:00:00.000Z';
    });

    const post = async (body: string) =>
      handleLinkRequest(h.deps, {
        method: 'POST',
        page: 'i',
        token: await h.link('prep-instructions'),
        contentType: 'application/x-www-form-urlencoded',
        body,
      });

    it('shows the three questions under the title', async () => {
      const res = await handleLinkRequest(h.deps, {
        method: 'GET',
        page: 'i',
        token: await h.link('prep-instructions'),
      });
      expect(res.status).toBe(200);
      for (const name of ['rideHome', 'fasting', 'newMedicine']) expect(res.body).toContain(`name="${name}"`);
      expect(res.body).toMatch(/<form method="post" action="\/i\/[A-Za-z0-9_-]+"/);
    });

    it('takes all yes quietly, and keeps the answers', async () => {
      const res = await post('rideHome=yes&fasting=yes&newMedicine=no');
      expect(res.status).toBe(200);
      expect(visibleText(res.body)).toContain(t('en', 'readiness.thanks'));
      expect(await h.deps.readiness.answersOf('ci-9')).toEqual([
        {
          via: 'form',
          at: h.state.now,
          rideHome: 'yes',
          fasting: 'yes',
          newMedicine: 'no',
          sessionStartsAt: '2026-11-03T10:00:00-05:00',
        },
      ]);
      expect(h.state.emails).toEqual([]);
    });

    it('tells the patient the clinic will call, and the front desk, on a new medicine', async () => {
      const res = await post('rideHome=yes&fasting=yes&newMedicine=yes');
      expect(res.status).toBe(200);
      expect(visibleText(res.body)).toContain('Someone from the clinic will call you before your visit');
      expect((await h.deps.notices.open(10)).map((n) => [n.bookingId, n.reason])).toEqual([
        ['ci-9', 'readiness-concern'],
      ]);
    });

    it('names the questions left unanswered, and stores nothing', async () => {
      const res = await post('rideHome=yes');
      expect(res.status).toBe(400);
      const text = visibleText(res.body);
      expect(text).toContain(t('en', 'readiness.error.fasting'));
      expect(text).toContain(t('en', 'readiness.error.newMedicine'));
      expect(text).not.toContain(t('en', 'readiness.error.rideHome'));
      expect(res.body).toMatch(/value="yes"[^>]*checked|checked[^>]*value="yes"/);
      expect(await h.deps.readiness.answersOf('ci-9')).toEqual([]);
    });
  });

  it('refuses an expired link with 410 in the booking language', async () => {
    const token = await h.link('checkin-same-day');
    h.state.now = '2026-11-11T20:00:01.000Z';
    const res = await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token });
    expect(res.status).toBe(410);
    expect(res.body).toContain(config.clinic.phone);
  });
});

describe('a cancel revokes the booking links', () => {
  it('answers 410 after a cancel, unless the session had completed before it', async () => {
    const h = await harness();
    const token = await h.link('checkin-next-day');
    const stored = await h.deps.bookings.get('ci-9');
    if (!stored) throw new Error('no booking');
    await h.deps.bookings.save(
      { ...stored, status: 'cancelled', revision: stored.revision + 1 },
      stored.revision,
    );
    const revoked = await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token });
    expect(revoked.status).toBe(410);
    expect(revoked.body).toContain(t('en', 'problem.revoked.title'));
    const cancelled = await h.deps.bookings.get('ci-9');
    if (!cancelled) throw new Error('no booking');
    await h.deps.bookings.save(
      { ...cancelled, endedAt: '2026-11-04T16:00:00.000Z', revision: cancelled.revision + 1 },
      cancelled.revision,
    );
    expect((await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token })).status).toBe(200);
  });
});

describe('link records are validated on read', () => {
  it('treats a link whose expiry cannot be read as expired (fail closed), and a record missing its booking as unknown', async () => {
    const h = await harness();
    const { linkId, token } = createLinkToken(key, {
      bookingId: 'ci-9',
      kind: 'checkin-same-day',
      at: sentAt,
    });
    await h.db.send(
      new PutCommand({
        TableName: h.tableName,
        Item: {
          pk: `LINK#${linkId}`,
          sk: 'LINK',
          linkId,
          bookingId: 'ci-9',
          kind: 'checkin-same-day',
          purpose: 'checkin',
          expiresAt: 'soon',
        },
      }),
    );
    const unreadable = await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token });
    expect(unreadable.status).toBe(410);
    const other = createLinkToken(key, { bookingId: 'ci-9', kind: 'checkin-next-day', at: sentAt });
    await h.db.send(
      new PutCommand({
        TableName: h.tableName,
        Item: {
          pk: `LINK#${other.linkId}`,
          sk: 'LINK',
          linkId: other.linkId,
          kind: 'checkin-next-day',
          purpose: 'checkin',
          expiresAt: '2026-11-11T20:00:00.000Z',
        },
      }),
    );
    expect((await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token: other.token })).status).toBe(
      404,
    );
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
});

describe('an urgent answer is never lost (DESIGN section 7)', () => {
  let h: Awaited<ReturnType<typeof harness>>;
  beforeEach(async () => {
    h = await harness();
  });

  const post = (token: string, body: unknown, form = false) =>
    handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token,
      contentType: form ? 'application/x-www-form-urlencoded' : 'application/json',
      body: form ? String(body) : JSON.stringify(body),
    });

  it('stores a self-harm yes with a field that is not asked here, and lists what was wrong', async () => {
    const res = await post(await h.link('checkin-same-day'), {
      mood: 2,
      selfHarm: 'yes',
      phq9: [0, 0, 0, 0, 0, 0, 0, 0, 3],
    });
    expect(res.status).toBe(201);
    const body = JSON.parse(res.body);
    expect(body).toMatchObject({ triage: 'urgent', advice: 'crisis' });
    expect(body.errors.map((e: { field: string }) => e.field)).toEqual(['phq9', 'selfHarmNow']);
    // selfHarmNow unanswered after a yes: 911 and 988 together at the top.
    expect(body.crisisResources.slice(0, 2).map((r: { phone: string }) => r.phone)).toEqual(['911', '988']);
    const [stored] = await h.deps.replies.listForBooking('ci-9');
    expect(stored).toMatchObject({
      triage: 'urgent',
      answers: { mood: 2, selfHarm: 'yes' },
      unread: ['phq9', 'selfHarmNow'],
    });
    expect(stored?.alertId).toBeDefined();
  });

  it('stores a form with chest pain and mood left blank, and shows the emergency page', async () => {
    const res = await post(
      await h.link('checkin-same-day'),
      'mood=&selfHarm=no&sideEffects.chest-pain=mild',
      true,
    );
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<h1>${t('en', 'emergency.title')}</h1>`);
    expect(visibleText(res.body)).toContain(t('en', 'emergency.lead'));
    const [stored] = await h.deps.replies.listForBooking('ci-9');
    expect(stored).toMatchObject({ triage: 'urgent', advice: 'emergency', unread: ['mood'] });
    expect(stored?.answers.mood).toBeUndefined();
  });

  it('stores a note with an urgent phrase whatever else is wrong', async () => {
    const res = await post(await h.link('checkin-same-day'), {
      mood: 'fine',
      selfHarm: 'no',
      note: 'I plan to end it tonight',
    });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({
      triage: 'urgent',
      rules: ['note-urgent-phrase', 'note'],
      advice: 'crisis',
    });
  });

  it('keeps PHQ-9 item 9 on its own when another PHQ-9 answer is bad, and stores the reply urgent', async () => {
    const token = await h.link('checkin-week');
    const res = await post(token, { mood: 5, selfHarm: 'no', phq9: [0, 0, 0, 0, 0, 0, 0, 4, 2] });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ triage: 'urgent', rules: ['phq9-item9'], advice: 'crisis' });
    const form = await post(
      token,
      `mood=5&selfHarm=no${[0, 1, 2, 3, 4, 5, 6].map((i) => `&phq9.${i}=0`).join('')}&phq9.8=1`,
      true,
    );
    expect(form.status).toBe(200);
    const stored = await h.deps.replies.listForBooking('ci-9');
    expect(stored.map((reply) => [reply.triage, reply.answers.phq9Item9])).toEqual([
      ['urgent', 2],
      ['urgent', 1],
    ]);
  });

  it('stores a note over the length limit when it contains an urgent phrase', async () => {
    const note = `${'I have been thinking. '.repeat(120)}I want to kill myself.`;
    const res = await post(await h.link('checkin-same-day'), { mood: 5, selfHarm: 'no', note });
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body)).toMatchObject({ triage: 'urgent', errors: [{ field: 'note' }] });
    const [stored] = await h.deps.replies.listForBooking('ci-9');
    expect(stored?.answers.note).toBe(note);
  });

  it('tells the patient which answers could not be read when a stored reply is not urgent', async () => {
    const res = await post(
      await h.link('checkin-next-day'),
      'mood=&selfHarm=no&sideEffects.fatigue=severe',
      true,
    );
    expect(res.status).toBe(200);
    expect(res.body).toContain(`<h1>${t('en', 'received.title')}</h1>`);
    expect(visibleText(res.body)).toContain(t('en', 'error.mood'));
    const [stored] = await h.deps.replies.listForBooking('ci-9');
    expect(stored).toMatchObject({ triage: 'review', unread: ['mood'] });
  });

  it('answers 400 with the crisis resources when nothing urgent can be read', async () => {
    const res = await post(await h.link('checkin-same-day'), { mood: 'fine', selfHarm: 'no' });
    expect(res.status).toBe(400);
    const body = JSON.parse(res.body);
    expect(body.errors).toEqual([{ field: 'mood', message: 'must be a whole number from 0 to 10' }]);
    expect(body.crisisResources.map((r: { phone: string }) => r.phone)).toEqual(
      expect.arrayContaining(['911', '988']),
    );
    expect(await h.deps.replies.listForBooking('ci-9')).toEqual([]);
  });

  it('takes 10 replies per link, refuses the 11th with 429 and the crisis box, and still stores an urgent one', async () => {
    const token = await h.link('checkin-next-day');
    for (let i = 0; i < 10; i++) expect((await post(token, { mood: 7, selfHarm: 'no' })).status).toBe(201);
    const refused = await post(token, 'mood=7&selfHarm=no', true);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain(`<h1>${t('en', 'problem.too-many.title')}</h1>`);
    const main = refused.body.slice(refused.body.indexOf('<main'));
    expect(main.indexOf('class="emergency"')).toBeLessThan(
      main.indexOf(t('en', 'problem.too-many.body').slice(0, 20)),
    );
    const urgent = await post(token, {
      mood: 7,
      selfHarm: 'no',
      sideEffects: { 'trouble-breathing': 'mild' },
    });
    expect(urgent.status).toBe(201);
    expect(JSON.parse(urgent.body)).toMatchObject({ triage: 'urgent', advice: 'emergency' });
    expect(await h.deps.replies.listForBooking('ci-9')).toHaveLength(11);
  });

  it('refuses a body over the size cap with 413 and the crisis box', async () => {
    const res = await post(
      await h.link('checkin-same-day'),
      `mood=5&selfHarm=no&note=${'x'.repeat(70_000)}`,
      true,
    );
    expect(res.status).toBe(413);
    expect(res.body).toContain('class="emergency"');
    expect(res.body).toContain('tel:988');
  });
});

describe('when the earlier replies of a booking cannot be read', () => {
  it('gives a chest-pain reply the emergency advice with its 503, and a moderate-panic reply the crisis resources', async () => {
    const h = await harness();
    const store = h.deps.replies;
    h.deps.replies = {
      record: (reply) => store.record(reply),
      listForBooking: async () => {
        throw Object.assign(new Error('unavailable'), { name: 'ServiceUnavailable' });
      },
    };
    const post = async (kind: 'checkin-same-day' | 'checkin-next-day', body: unknown) =>
      handleLinkRequest(h.deps, {
        method: 'POST',
        page: 'c',
        token: await h.link(kind),
        contentType: 'application/json',
        body: JSON.stringify(body),
      });
    const chest = await post('checkin-same-day', {
      mood: 5,
      selfHarm: 'no',
      sideEffects: { 'chest-pain': 'mild' },
    });
    expect(chest.status).toBe(503);
    expect(JSON.parse(chest.body)).toMatchObject({ advice: 'emergency' });
    expect(JSON.parse(chest.body).crisisResources[0].phone).toBe('911');
    const panic = await post('checkin-next-day', {
      mood: 5,
      selfHarm: 'no',
      sideEffects: { panic: 'moderate' },
    });
    expect(panic.status).toBe(503);
    expect(JSON.parse(panic.body)).toMatchObject({ advice: 'crisis' });
    expect(JSON.parse(panic.body).crisisResources.map((r: { phone: string }) => r.phone)).toContain('988');
  });
});

describe('one open alert per booking', () => {
  it('makes a second urgent reply join the open alert, naming the rules it adds', async () => {
    const h = await harness();
    const token = await h.link('checkin-next-day');
    const post = (body: unknown) => h.postJson(token, body);
    await post({ mood: 5, selfHarm: 'yes', selfHarmNow: 'no' });
    const [first] = await h.deps.replies.listForBooking('ci-9');
    if (!first?.alertId) throw new Error('expected an alert id');
    await new DynamoAlertStore(h.db, h.tableName).createFromReply({ ...first, alertId: first.alertId });
    await post({ mood: 5, selfHarm: 'yes', selfHarmNow: 'no', sideEffects: { 'chest-pain': 'mild' } });
    const second = (await h.deps.replies.listForBooking('ci-9')).find(
      (reply) => reply.replyId !== first.replyId,
    );
    expect(second).toMatchObject({
      joinsAlertId: first.alertId,
      joinsAlertOf: { replyId: first.replyId, rules: first.rules },
    });
    expect(second?.alertId).not.toBe(first.alertId);
  });

  it('joins the alert a reply got of its own after the one it meant to join was acknowledged', async () => {
    const h = await harness();
    const alerts = new DynamoAlertStore(h.db, h.tableName);
    const token = await h.link('checkin-next-day');
    let minute = 0;
    const post = (body: unknown) => {
      h.state.now = shiftIso('2026-11-05T15:00:00.000Z', { minutes: ++minute });
      return h.postJson(token, body);
    };
    await post({ mood: 5, selfHarm: 'yes', selfHarmNow: 'no' });
    const [r1] = await h.deps.replies.listForBooking('ci-9');
    if (!r1?.alertId) throw new Error('expected an alert id');
    await alerts.createFromReply({ ...r1, alertId: r1.alertId });
    await post({ mood: 5, selfHarm: 'yes', selfHarmNow: 'no' });
    const r2 = (await h.deps.replies.listForBooking('ci-9')).find((reply) => reply.replyId !== r1.replyId);
    if (!r2?.alertId) throw new Error('expected a second reply');
    expect(r2.joinsAlertId).toBe(r1.alertId);
    // A1 is acknowledged before R2's dispatch joins it: R2 gets alert A2 of its own.
    await alerts.acknowledge(r1.alertId, { now: h.state.now, by: 'Dr Rivera' });
    await alerts.createFromReply({ ...r2, alertId: r2.alertId });
    await post({ mood: 5, selfHarm: 'yes', selfHarmNow: 'no' });
    const r3 = (await h.deps.replies.listForBooking('ci-9')).find(
      (reply) => reply.replyId !== r1.replyId && reply.replyId !== r2.replyId,
    );
    expect(r3?.joinsAlertId).toBe(r2.alertId);
  });

  it('starts a new alert when the earlier one was acknowledged', async () => {
    const h = await harness();
    const token = await h.link('checkin-next-day');
    const post = (body: unknown) => h.postJson(token, body);
    await post({ mood: 5, selfHarm: 'yes', selfHarmNow: 'no' });
    const [first] = await h.deps.replies.listForBooking('ci-9');
    if (!first?.alertId) throw new Error('expected an alert id');
    const alerts = new DynamoAlertStore(h.db, h.tableName);
    await alerts.createFromReply({ ...first, alertId: first.alertId });
    await alerts.acknowledge(first.alertId, { now: h.state.now, by: 'Dr Rivera' });
    await post({ mood: 5, selfHarm: 'yes', selfHarmNow: 'no' });
    const second = (await h.deps.replies.listForBooking('ci-9')).find(
      (reply) => reply.replyId !== first.replyId,
    );
    expect(second?.joinsAlertId).toBeUndefined();
    expect(second?.alertId).toBeDefined();
  });
});

describe('PHQ-9 and GAD-7 at most every 14 days per patient', () => {
  it('leaves the questionnaires out of a week check-in when the patient answered them for another session 5 days ago', async () => {
    const h = await harness();
    const token = await h.link('checkin-week');
    const patientId = aBooking({ bookingId: 'ci-9' }).patient.id;
    await h.deps.screeners.add({
      patientId,
      replyId: 'older',
      bookingId: 'ci-1',
      at: '2026-10-31T15:00:00.000Z',
      phq9: 7,
    });
    const page = await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token });
    expect(page.body).not.toContain('name="phq9.0"');
    expect(page.body).not.toContain('name="gad7.0"');
    const res = await handleLinkRequest(h.deps, {
      method: 'POST',
      page: 'c',
      token,
      contentType: 'application/json',
      body: JSON.stringify({ mood: 6, selfHarm: 'no', gad7: [0, 0, 0, 0, 0, 0, 0] }),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors).toEqual([
      { field: 'gad7', message: 'is not asked at this check-in' },
    ]);
  });

  it('asks them again 14 days after the last time, and always at a correction of the same session', async () => {
    const h = await harness();
    const token = await h.link('checkin-week');
    const patientId = aBooking({ bookingId: 'ci-9' }).patient.id;
    await h.deps.screeners.add({
      patientId,
      replyId: 'older',
      bookingId: 'ci-1',
      at: '2026-10-22T15:00:00.000Z',
      phq9: 7,
    });
    await h.deps.screeners.add({
      patientId,
      replyId: 'same',
      bookingId: 'ci-9',
      at: '2026-11-05T14:00:00.000Z',
      phq9: 9,
    });
    const page = await handleLinkRequest(h.deps, { method: 'GET', page: 'c', token });
    expect(page.body).toContain('name="phq9.0"');
  });
});

describe('the PHQ-9 baseline (by-patient screener history)', () => {
  it('makes a PHQ-9 total 5 above the patient first one review', async () => {
    const h = await harness();
    const token = await h.link('checkin-week');
    const post = (phq9: number[]) =>
      handleLinkRequest(h.deps, {
        method: 'POST',
        page: 'c',
        token,
        contentType: 'application/json',
        body: JSON.stringify({ mood: 6, selfHarm: 'no', phq9 }),
      });
    const first = JSON.parse((await post([1, 1, 1, 1, 0, 0, 0, 0, 0])).body);
    expect(first.rules).toEqual([]);
    const later = JSON.parse((await post([2, 2, 1, 1, 1, 1, 1, 0, 0])).body);
    expect(later).toMatchObject({ triage: 'review', rules: ['phq9-rise'] });
    expect(await h.deps.screeners.baseline(aBooking({ bookingId: 'ci-9' }).patient.id)).toEqual({ phq9: 4 });
  });
});
