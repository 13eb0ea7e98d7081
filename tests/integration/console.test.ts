import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoMissedCheckinStore } from '../../shared/adapters/dynamodb/missed-checkin-store';
import { DynamoReadinessStore } from '../../shared/adapters/dynamodb/readiness-store';
import { DynamoStaffSessionStore } from '../../shared/adapters/dynamodb/staff-session-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { MessageKind } from '../../shared/contracts/vocabulary';
import type { BookingRecord } from '../../shared/domain/booking-record';
import {
  acknowledgeAsStaff,
  closeAlert,
  listAlerts,
  showAlert,
} from '../../shared/domain/console/alerts-console';
import { listAudit } from '../../shared/domain/console/audit-console';
import { listReview, markMissedReviewed, markReviewed } from '../../shared/domain/console/review-console';
import type { StaffSession } from '../../shared/domain/console/session';
import type { Staff } from '../../shared/domain/console/staff';
import { showToday } from '../../shared/domain/console/today-console';
import type { StoredReply } from '../../shared/domain/ports';
import { dynamoConsoleDeps } from '../support/console-deps';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';
import { as, CLINICIAN, DESK, ORIGIN } from '../support/staff';

const config = parseClinicConfig(clinicConfigInput);

async function harness() {
  const { db, tableName } = await freshTable();
  let now = '2026-08-03T15:00:00.000Z';
  const { removed, ...deps } = dynamoConsoleDeps(db, tableName, config, () => now);
  /** A fresh active booking with the base fixture's patient and session. */
  const booked = (bookingId: string, updatedAt: string) =>
    deps.bookings.save(
      {
        bookingId,
        version: 1,
        status: 'active',
        booking: aBooking({ bookingId }),
        plan: {},
        revision: 1,
        updatedAt,
      },
      undefined,
    );
  async function urgent(n: number, receivedAt: string) {
    const bookingId = `bk-${n}`;
    await booked(bookingId, now);
    const reply: StoredReply & { alertId: string } = {
      replyId: `rep-${n}`,
      bookingId,
      kind: 'checkin-next-day',
      receivedAt,
      answers: { mood: 2, sideEffects: { 'chest-pain': 'moderate' }, selfHarm: 'yes', wantsCall: false },
      triage: 'urgent',
      rules: ['self-harm', 'heart-breathing-fainting'],
      scores: {},
      alertId: `al-${n}`,
    };
    await deps.replies.record(reply);
    await deps.alerts.createFromReply(reply);
    return reply.alertId;
  }
  const auditDay = async (day: string) =>
    (
      await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': `AUDIT#${day}` },
        }),
      )
    ).Items ?? [];
  return {
    db,
    tableName,
    deps,
    removed,
    urgent,
    booked,
    auditDay,
    at: (iso: string) => {
      now = iso;
    },
  };
}

describe('console use cases against DynamoDB', () => {
  it('lists alerts to acknowledge oldest first, then those waiting for an outcome, then the closed ones of the month', async () => {
    const h = await harness();
    await h.urgent(1, '2026-08-03T14:00:00.000Z');
    await h.urgent(2, '2026-08-03T12:00:00.000Z');
    await h.urgent(3, '2026-08-03T13:00:00.000Z');
    await acknowledgeAsStaff(h.deps, as(CLINICIAN, '/console/alerts/al-3/acknowledge'), 'al-3');
    const lists = await listAlerts(h.deps, as(CLINICIAN, '/console/alerts'));
    if (!lists.ok) throw new Error('refused');
    expect(lists.value.unacknowledged.map((s) => s.alert.alertId)).toEqual(['al-2', 'al-1']);
    expect(lists.value.acknowledged.map((s) => s.alert.alertId)).toEqual(['al-3']);
    expect(lists.value.unacknowledged[0]?.booking?.patient.firstName).toBe('Ana');
    expect(lists.value.unacknowledged[0]?.reason).toBe(
      'Thoughts of being better off dead or of self-harm (+1 more)',
    );

    const closed = await closeAlert(h.deps, as(CLINICIAN, '/console/alerts/al-3/close'), 'al-3', {
      reached: true,
      safe: true,
      plan: 'call tomorrow',
    });
    expect(closed).toMatchObject({
      ok: true,
      value: { state: 'closed', closedBy: 'Casey', closedBySubject: 'sub-casey' },
    });
    const after = await listAlerts(h.deps, as(CLINICIAN, '/console/alerts'));
    if (!after.ok) throw new Error('refused');
    expect(after.value.acknowledged).toEqual([]);
    expect(after.value.closed.map((s) => s.alert.alertId)).toEqual(['al-3']);
    const otherMonth = await listAlerts(h.deps, as(CLINICIAN, '/console/alerts'), '2026-07');
    expect(otherMonth.ok && otherMonth.value.closed).toEqual([]);
  });

  it('acknowledges in the signed-in name once: a second acknowledgement changes nothing and names the first', async () => {
    const h = await harness();
    const alertId = await h.urgent(1, '2026-08-03T14:50:00.000Z');
    const first = await acknowledgeAsStaff(h.deps, as(CLINICIAN, '/x'), alertId);
    expect(first).toMatchObject({
      ok: true,
      value: {
        first: true,
        alert: { state: 'acknowledged', acknowledgedBy: 'Casey', acknowledgedBySubject: 'sub-casey' },
      },
    });
    expect(h.removed).toHaveLength(1);
    const other: Staff = { ...CLINICIAN, subject: 'sub-lee', name: 'Lee' };
    const second = await acknowledgeAsStaff(h.deps, as(other, '/x'), alertId);
    expect(second).toMatchObject({ ok: true, value: { first: false, alert: { acknowledgedBy: 'Casey' } } });
  });

  it('closes only an acknowledged alert, once', async () => {
    const h = await harness();
    const alertId = await h.urgent(1, '2026-08-03T14:50:00.000Z');
    const outcome = { reached: false as const, nextStep: 'try again at 6' };
    expect(await closeAlert(h.deps, as(CLINICIAN, '/x'), alertId, outcome)).toEqual({
      ok: false,
      reason: 'conflict',
    });
    await acknowledgeAsStaff(h.deps, as(CLINICIAN, '/x'), alertId);
    expect((await closeAlert(h.deps, as(CLINICIAN, '/x'), alertId, outcome)).ok).toBe(true);
    expect(await closeAlert(h.deps, as(CLINICIAN, '/x'), alertId, outcome)).toEqual({
      ok: false,
      reason: 'conflict',
    });
    // A closed alert cannot be acknowledged back open.
    const again = await acknowledgeAsStaff(h.deps, as(CLINICIAN, '/x'), alertId);
    expect(again).toMatchObject({ ok: true, value: { first: false, alert: { state: 'closed' } } });
  });

  it('shows the triggering answers of each reply on the alert', async () => {
    const h = await harness();
    const alertId = await h.urgent(1, '2026-08-03T14:50:00.000Z');
    const detail = await showAlert(h.deps, as(CLINICIAN, '/x'), alertId);
    if (!detail.ok) throw new Error('refused');
    expect(detail.value.replies.map((r) => r.replyId)).toEqual(['rep-1']);
    expect(new Set(detail.value.triggers['rep-1'])).toEqual(new Set(['selfHarm', 'sideEffects.chest-pain']));
    expect(detail.value.protocol).toBe(config.staff.protocol);
  });

  it('refuses alerts to the front desk and audits the refusal', async () => {
    const h = await harness();
    const alertId = await h.urgent(1, '2026-08-03T14:50:00.000Z');
    expect(await showAlert(h.deps, as(DESK, `/console/alerts/${alertId}`), alertId)).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(await acknowledgeAsStaff(h.deps, as(DESK, '/x'), alertId)).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect((await h.deps.alerts.get(alertId))?.state).toBe('pending');
    const items = await h.auditDay('2026-08-03');
    expect(items.map((i) => [i.action, i.subject, i.user.email])).toEqual([
      ['denied', `ALERT#${alertId}`, 'frankie@example.org'],
      ['denied', `ALERT#${alertId}`, 'frankie@example.org'],
    ]);
  });

  it('audits every view and action with the user, page, source IP, user agent and request id, never overwriting', async () => {
    const h = await harness();
    const alertId = await h.urgent(1, '2026-08-03T14:50:00.000Z');
    await listAlerts(h.deps, as(CLINICIAN, '/console/alerts'));
    await showAlert(h.deps, as(CLINICIAN, `/console/alerts/${alertId}`), alertId);
    await acknowledgeAsStaff(h.deps, as(CLINICIAN, `/console/alerts/${alertId}/acknowledge`), alertId);
    await closeAlert(h.deps, as(CLINICIAN, `/console/alerts/${alertId}/close`), alertId, {
      reached: true,
      safe: true,
      plan: 'ok',
    });
    const items = await h.auditDay('2026-08-03');
    // One timestamp for all four: their order on the day is their random ids', so compare as sets.
    expect(items.map((i) => [i.action, i.subject, i.page]).sort()).toEqual([
      ['acknowledge', `ALERT#${alertId}`, `/console/alerts/${alertId}/acknowledge`],
      ['close', `ALERT#${alertId}`, `/console/alerts/${alertId}/close`],
      ['view', `ALERT#${alertId}`, `/console/alerts/${alertId}`],
      ['view', 'PAGE#alerts', '/console/alerts'],
    ]);
    for (const item of items) {
      expect(item).toMatchObject({
        at: '2026-08-03T15:00:00.000Z',
        user: { subject: 'sub-casey', email: 'casey@example.org' },
        origin: ORIGIN,
      });
    }
    // Same time, same day: each item has its own random id, so none replaced another.
    expect(new Set(items.map((i) => i.sk)).size).toBe(4);
    const fixedId = new DynamoAuditLog(h.db, h.tableName, () => 'same');
    const { pk: _pk, sk: _sk, ...stored } = items[0] ?? {};
    const entry = stored as Parameters<DynamoAuditLog['record']>[0];
    await fixedId.record(entry);
    await expect(fixedId.record(entry)).rejects.toThrow(/conditional/i);
  });
});

describe('the review queue', () => {
  async function reviewReply(
    h: Awaited<ReturnType<typeof harness>>,
    n: number,
    receivedAt: string,
    wantsCall = false,
  ) {
    const bookingId = `rv-${n}`;
    await h.booked(bookingId, receivedAt);
    const reply: StoredReply = {
      replyId: `rr-${n}`,
      bookingId,
      kind: 'checkin-next-day',
      receivedAt,
      answers: { mood: 3, sideEffects: {}, selfHarm: 'no', wantsCall },
      triage: 'review',
      rules: wantsCall ? ['wants-call'] : ['low-mood'],
      scores: {},
    };
    await h.deps.replies.record(reply);
    return reply;
  }

  it('lists review replies oldest first, call requests marked, until a clinician marks each reviewed once', async () => {
    const h = await harness();
    await reviewReply(h, 1, '2026-08-03T10:00:00.000Z');
    await reviewReply(h, 2, '2026-08-03T09:00:00.000Z', true);
    await h.urgent(3, '2026-08-03T08:00:00.000Z');
    const listed = await listReview(h.deps, as(CLINICIAN, '/console/review'));
    if (!listed.ok) throw new Error('refused');
    expect(listed.value.items.map((i) => [i.reply.replyId, i.callRequested])).toEqual([
      ['rr-2', true],
      ['rr-1', false],
    ]);
    expect(listed.value.items[1]?.reason).toBe('Mood 3 or lower');

    expect(await markReviewed(h.deps, as(CLINICIAN, '/x'), 'rv-2', 'rr-2')).toMatchObject({
      ok: true,
      value: { reviewedBy: 'Casey', reviewedBySubject: 'sub-casey' },
    });
    expect(await markReviewed(h.deps, as(CLINICIAN, '/x'), 'rv-2', 'rr-2')).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(await markReviewed(h.deps, as(CLINICIAN, '/x'), 'bk-3', 'rep-3')).toEqual({
      ok: false,
      reason: 'conflict',
    });
    expect(await markReviewed(h.deps, as(CLINICIAN, '/x'), 'rv-9', 'rr-9')).toEqual({
      ok: false,
      reason: 'not-found',
    });
    const after = await listReview(h.deps, as(CLINICIAN, '/console/review'));
    expect(after.ok && after.value.items.map((i) => i.reply.replyId)).toEqual(['rr-1']);
    const stored = (await h.deps.replies.listForBooking('rv-2'))[0];
    expect(stored).toMatchObject({ reviewedBy: 'Casey', answers: { mood: 3, wantsCall: true } });
    expect(Object.keys(stored ?? {})).not.toContain('listKey');
  });

  it('lists missed check-ins with the patient and phone until a clinician marks each reviewed once', async () => {
    const h = await harness();
    await h.booked('ms-1', '2026-08-03T10:00:00.000Z');
    const missed = new DynamoMissedCheckinStore(h.db, h.tableName);
    await missed.record({
      bookingId: 'ms-1',
      patientId: 'p-1',
      kind: 'checkin-next-day',
      sentAt: '2026-08-02T14:00:00.000Z',
      missedAt: '2026-08-03T02:00:00.000Z',
      recordedAt: '2026-08-03T12:00:00.000Z',
      bothEarlyMissed: true,
    });
    const listed = await listReview(h.deps, as(CLINICIAN, '/console/review'));
    if (!listed.ok) throw new Error('refused');
    expect(
      listed.value.missed.map((m) => [m.missed.bookingId, m.missed.kind, m.booking?.patient.firstName]),
    ).toEqual([['ms-1', 'checkin-next-day', aBooking().patient.firstName]]);
    expect(await markMissedReviewed(h.deps, as(CLINICIAN, '/x'), 'ms-1', 'checkin-next-day')).toMatchObject({
      ok: true,
    });
    expect(await markMissedReviewed(h.deps, as(CLINICIAN, '/x'), 'ms-1', 'checkin-next-day')).toEqual({
      ok: false,
      reason: 'conflict',
    });
    const after = await listReview(h.deps, as(CLINICIAN, '/console/review'));
    expect(after.ok && after.value.missed).toEqual([]);
    const audit = await h.auditDay('2026-08-03');
    expect(audit.map((i) => [i.action, i.subject])).toContainEqual([
      'review',
      'MISSED#ms-1#checkin-next-day',
    ]);
    expect(await markMissedReviewed(h.deps, as(DESK, '/x'), 'ms-1', 'checkin-same-day')).toEqual({
      ok: false,
      reason: 'forbidden',
    });
  });

  it('refuses the review queue to the front desk', async () => {
    const h = await harness();
    await reviewReply(h, 1, '2026-08-03T10:00:00.000Z');
    expect(await listReview(h.deps, as(DESK, '/console/review'))).toEqual({ ok: false, reason: 'forbidden' });
    expect(await markReviewed(h.deps, as(DESK, '/x'), 'rv-1', 'rr-1')).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    const listed = await listReview(h.deps, as(CLINICIAN, '/console/review'));
    expect(listed.ok && listed.value.items).toHaveLength(1);
  });
});

describe('the Today page', () => {
  it('lists today and tomorrow (clinic zone) with each message and check-in where it stands, without answers', async () => {
    const h = await harness();
    // 15:00 UTC on 3 Aug is 11:00 in New York; tomorrow is 4 Aug there.
    const save = async (bookingId: string, startsAt: string, plan: BookingRecord['plan']) =>
      h.deps.bookings.save(
        {
          bookingId,
          version: 1,
          status: 'active',
          booking: aBooking({ bookingId, session: { startsAt } }),
          plan,
          revision: 1,
          updatedAt: '2026-08-03T00:00:00.000Z',
        },
        undefined,
      );
    const planned = (kind: MessageKind, at: string, status: 'scheduled' | 'skipped' = 'scheduled') => ({
      kind,
      plannedAt: at,
      at,
      status,
      channels: ['email' as const],
      version: 1,
      ...(status === 'skipped' ? { reason: 'quiet-hours' as const } : {}),
    });
    await save('td-1', '2026-08-03T09:00:00-04:00', {
      'prep-instructions': planned('prep-instructions', '2026-08-01T12:00:00.000Z'),
      'prep-day-of': planned('prep-day-of', '2026-08-03T10:00:00.000Z', 'skipped'),
      'checkin-same-day': planned('checkin-same-day', '2026-08-03T14:00:00.000Z'),
    });
    await save('td-2', '2026-08-04T23:30:00-04:00', {
      'prep-reminder': planned('prep-reminder', '2026-08-03T14:00:00.000Z'),
    });
    await save('td-3', '2026-08-05T09:00:00-04:00', {});
    const messageLog = new DynamoMessageLog(h.db, h.tableName);
    /** One email of a message, claimed at its time and then sent, or failed with `failure`. */
    const emailed = async (bookingId: string, kind: MessageKind, at: string, failure?: string) => {
      const ref = { bookingId, kind, at };
      const done = new Date(Date.parse(at) + 1000).toISOString();
      const expiresAt = new Date(Date.parse(at) + 300_000).toISOString();
      await messageLog.claim(ref, 'email', { version: 1, now: at, expiresAt });
      if (failure) await messageLog.markFailed(ref, 'email', { now: done, reason: failure });
      else await messageLog.markSent(ref, 'email', { now: done, providerMessageId: `m-${kind}` });
    };
    await emailed('td-1', 'prep-instructions', '2026-08-01T12:00:00.000Z');
    await emailed('td-1', 'checkin-same-day', '2026-08-03T14:00:00.000Z');
    await emailed('td-2', 'prep-reminder', '2026-08-03T14:00:00.000Z', 'MessageRejected');

    const desk = await showToday(h.deps, as(DESK, '/console/today'));
    if (!desk.ok) throw new Error('refused');
    const [today, tomorrow] = desk.value.days;
    expect([today?.day, tomorrow?.day]).toEqual(['2026-08-03', '2026-08-04']);
    expect(today?.sessions.map((s) => s.booking.bookingId)).toEqual(['td-1']);
    // 23:30 in New York on the 4th is the 5th in UTC: still tomorrow for the clinic.
    expect(tomorrow?.sessions.map((s) => s.booking.bookingId)).toEqual(['td-2']);
    expect(today?.sessions[0]?.messages.map((m) => [m.kind, m.state, m.reason ?? ''])).toEqual([
      ['prep-instructions', 'sent', ''],
      ['prep-day-of', 'skipped', 'quiet-hours'],
      ['checkin-same-day', 'sent', ''],
    ]);
    expect(tomorrow?.sessions[0]?.checkins).toEqual([]);
    expect(today?.sessions[0]?.checkins).toEqual([{ kind: 'checkin-same-day', state: 'waiting' }]);
    expect(tomorrow?.sessions[0]?.messages).toMatchObject([
      {
        kind: 'prep-reminder',
        state: 'failed',
        channels: [{ channel: 'email', status: 'failed', reason: 'MessageRejected' }],
      },
    ]);
    expect(JSON.stringify(desk.value)).not.toMatch(/answers|mood|selfHarm/);
    expect(today?.sessions[0]?.readiness).toEqual({
      state: 'unanswered',
      concerns: [],
      medicineOpen: true,
      via: [],
    });

    // The readiness answers come in the same read as the messages: a YES by text, then a new medicine on the form.
    const readiness = new DynamoReadinessStore(h.db, h.tableName);
    const aboutTd1 = { sessionStartsAt: '2026-08-03T13:00:00.000Z' };
    await readiness.record('td-1', { via: 'sms', at: '2026-08-02T15:00:00.000Z', ready: true, ...aboutTd1 });
    await readiness.record('td-1', {
      via: 'form',
      at: '2026-08-02T16:00:00.000Z',
      rideHome: 'yes',
      fasting: 'yes',
      newMedicine: 'yes',
      ...aboutTd1,
    });
    // An answer about another session time (before a move) does not count.
    await readiness.record('td-2', {
      via: 'sms',
      at: '2026-08-02T15:00:00.000Z',
      ready: false,
      sessionStartsAt: '2026-07-30T13:00:00.000Z',
    });
    const ready = await showToday(h.deps, as(DESK, '/console/today'));
    expect(ready.ok && ready.value.days[0]?.sessions[0]?.readiness).toEqual({
      state: 'concern',
      concerns: ['new-medicine'],
      medicineOpen: false,
      via: ['form', 'sms'],
    });
    expect(ready.ok && ready.value.days[1]?.sessions[0]?.readiness.state).toBe('unanswered');

    await h.deps.replies.record({
      replyId: 'td-r1',
      bookingId: 'td-1',
      kind: 'checkin-same-day',
      receivedAt: '2026-08-03T14:30:00.000Z',
      answers: { mood: 7, sideEffects: {}, selfHarm: 'no', wantsCall: false },
      triage: 'routine',
      rules: [],
      scores: {},
    });
    const after = await showToday(h.deps, as(CLINICIAN, '/console/today'));
    expect(after.ok && after.value.days[0]?.sessions[0]?.checkins).toEqual([
      { kind: 'checkin-same-day', state: 'answered' },
    ]);
  });

  it('moves a rescheduled booking to its new day', async () => {
    const h = await harness();
    const record = {
      bookingId: 'mv-1',
      version: 1,
      status: 'active' as const,
      booking: aBooking({ bookingId: 'mv-1', session: { startsAt: '2026-08-03T13:00:00-04:00' } }),
      plan: {},
      revision: 1,
      updatedAt: '2026-08-01T00:00:00.000Z',
    };
    await h.deps.bookings.save(record, undefined);
    expect((await h.deps.bookings.sessionsOn('2026-08-03', 10)).map((r) => r.bookingId)).toEqual(['mv-1']);
    await h.deps.bookings.save(
      {
        ...record,
        version: 2,
        revision: 2,
        booking: aBooking({ bookingId: 'mv-1', session: { startsAt: '2026-08-04T13:00:00-04:00' } }),
      },
      1,
    );
    expect(await h.deps.bookings.sessionsOn('2026-08-03', 10)).toEqual([]);
    expect((await h.deps.bookings.sessionsOn('2026-08-04', 10)).map((r) => r.version)).toEqual([2]);
  });
});

describe('the audit page', () => {
  const ADMIN: Staff = { subject: 'sub-avery', email: 'avery@example.org', name: 'Avery', groups: ['admin'] };

  it("shows admins a day newest first, one user's or about one thing, paged; refuses everyone else", async () => {
    const h = await harness();
    const alertId = await h.urgent(1, '2026-08-03T14:50:00.000Z');
    for (const minute of ['01', '02', '03']) {
      h.at(`2026-08-03T15:${minute}:00.000Z`);
      await showAlert(h.deps, as(CLINICIAN, `/console/alerts/${alertId}`), alertId);
    }
    h.at('2026-08-03T15:04:00.000Z');
    await showAlert(h.deps, as(DESK, `/console/alerts/${alertId}`), alertId);
    h.at('2026-08-03T16:00:00.000Z');

    expect(await listAudit(h.deps, as(CLINICIAN, '/console/audit'), { day: '2026-08-03' })).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    const all = await listAudit(h.deps, as(ADMIN, '/console/audit'), { day: '2026-08-03' });
    if (!all.ok) throw new Error('refused');
    // Newest first. The admin's own view of the audit is written after reading, so it is not on this page.
    expect(all.value.entries.map((e) => [e.at.slice(11, 16), e.user.email, e.action])).toEqual([
      ['16:00', 'casey@example.org', 'denied'],
      ['15:04', 'frankie@example.org', 'denied'],
      ['15:03', 'casey@example.org', 'view'],
      ['15:02', 'casey@example.org', 'view'],
      ['15:01', 'casey@example.org', 'view'],
    ]);
    const desk = await listAudit(h.deps, as(ADMIN, '/console/audit'), {
      day: '2026-08-03',
      user: 'frankie@example.org',
    });
    expect(desk.ok && desk.value.entries.map((e) => e.action)).toEqual(['denied']);
    const about = await listAudit(h.deps, as(ADMIN, '/console/audit'), {
      day: '2026-08-03',
      subject: 'ALERT#',
    });
    expect(about.ok && about.value.entries).toHaveLength(4);

    const first = await h.deps.audit.listDay('2026-08-03', { limit: 2 });
    expect(first.entries).toHaveLength(2);
    expect(first.next).toBeDefined();
    const second = await h.deps.audit.listDay('2026-08-03', { limit: 10, after: first.next ?? '' });
    expect(second.entries.map((e) => e.at)).toEqual(
      (await h.deps.audit.listDay('2026-08-03', { limit: 50 })).entries.slice(2).map((e) => e.at),
    );
  });
});

describe('DynamoBookingStore.getMany', () => {
  it('reads more than one batch of bookings, leaving out unknown ids and repeats', async () => {
    const { db, tableName } = await freshTable();
    const store = new DynamoBookingStore(db, tableName);
    const ids = Array.from({ length: 130 }, (_, i) => `gm-${i}`);
    for (const bookingId of ids) {
      await store.save(
        {
          bookingId,
          version: 1,
          status: 'active',
          booking: aBooking({ bookingId }),
          plan: {},
          revision: 1,
          updatedAt: '2026-08-03T15:00:00.000Z',
        },
        undefined,
      );
    }
    const found = await store.getMany([...ids, 'gm-0', 'no-such-booking']);
    expect(found.size).toBe(130);
    expect(found.get('gm-129')).toEqual(aBooking({ bookingId: 'gm-129' }));
    expect(found.has('no-such-booking')).toBe(false);
  });
});

describe('DynamoStaffSessionStore', () => {
  const session: StaffSession = {
    sessionId: 'sess-1',
    staff: CLINICIAN,
    csrfToken: 'csrf-1',
    createdAt: '2026-08-03T15:00:00.000Z',
    lastSeenAt: '2026-08-03T15:00:00.000Z',
    idToken: 'id.token.value',
  };

  it('stores, touches and deletes a session; a touch never brings a deleted one back', async () => {
    const { db, tableName } = await freshTable();
    const store = new DynamoStaffSessionStore(db, tableName);
    await store.create(session, '2026-08-04T03:00:00.000Z');
    expect(await store.get('sess-1')).toEqual(session);
    await store.touch('sess-1', '2026-08-03T15:10:00.000Z');
    expect((await store.get('sess-1'))?.lastSeenAt).toBe('2026-08-03T15:10:00.000Z');
    // An older request finishing late does not move the idle timeout back.
    await store.touch('sess-1', '2026-08-03T15:05:00.000Z');
    expect((await store.get('sess-1'))?.lastSeenAt).toBe('2026-08-03T15:10:00.000Z');
    await store.delete('sess-1');
    await store.touch('sess-1', '2026-08-03T15:20:00.000Z');
    expect(await store.get('sess-1')).toBeUndefined();
    await expect(store.create(session, '2026-08-04T03:00:00.000Z')).resolves.toBeUndefined();
    await expect(store.create(session, '2026-08-04T03:00:00.000Z')).rejects.toThrow(/conditional/i);
  });
});
