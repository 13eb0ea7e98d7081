import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { createDispatchAlertsHandler } from '../../functions/dispatch-alerts';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { DynamoStaffSendStore } from '../../shared/adapters/dynamodb/staff-send-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import {
  type AlertDeps,
  advanceAlert,
  dispatchReplyAlert,
  sweepAlerts,
} from '../../shared/domain/alerts/alerts';
import { staffRecipients } from '../../shared/domain/alerts/staff-recipients';
import type { StaffTopic, StoredReply } from '../../shared/domain/ports';
import { shiftIso } from '../../shared/domain/time';
import { freshTable } from '../support/dynamo';

/** Two recipients a topic, one of each channel, so each recipient's copy can be told apart. */
const config = parseClinicConfig({
  ...clinicConfigInput,
  staff: {
    ...clinicConfigInput.staff,
    alertEmails: ['on-call@example-clinic.org'],
    alertSms: ['+15555550101'],
    escalationEmails: ['clinical-lead@example-clinic.org'],
    escalationSms: ['+15555550199'],
  },
});
const ON_CALL_EMAIL = 'on-call@example-clinic.org';
const ON_CALL_PHONE = '+15555550101';
const ALERT_RECIPIENTS = [ON_CALL_EMAIL, ON_CALL_PHONE];
const ESCALATION_RECIPIENTS = ['clinical-lead@example-clinic.org', '+15555550199'];

function urgentReply(n: number, receivedAt: string): StoredReply {
  return {
    replyId: `r-${n}`,
    bookingId: `b-${n}`,
    kind: 'checkin-next-day',
    receivedAt,
    answers: { mood: 1, sideEffects: {}, selfHarm: 'yes', wantsCall: false },
    triage: 'urgent',
    rules: ['self-harm'],
    scores: {},
    alertId: `alert-${n}`,
  };
}

interface Sent {
  topic: StaffTopic;
  to: string;
  text: string;
}

/**
 * Real stores on dynalite; staff channels that refuse the next `failNext`
 * copies (any recipient) or every copy to an address in `failing`, and keep
 * what each recipient was sent.
 */
async function harness() {
  const { db, tableName } = await freshTable();
  const state = {
    now: '2026-07-01T12:00:00.000Z',
    failNext: 0,
    failing: new Set<string>(),
    published: [] as Sent[],
    counted: {} as Record<string, number>,
  };
  const deps: AlertDeps = {
    config,
    clock: { now: () => state.now },
    alerts: new DynamoAlertStore(db, tableName),
    sends: new DynamoStaffSendStore(db, tableName),
    staff: {
      send: async (recipient, message) => {
        if (state.failing.has(recipient.address) || state.failNext > 0) {
          if (!state.failing.has(recipient.address)) state.failNext--;
          throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
        }
        state.published.push({ topic: message.topic, to: recipient.address, text: message.text });
        return { messageId: `m-${state.published.length}` };
      },
    },
    scheduler: { upsert: async () => {}, remove: async () => {} },
    linkBaseUrl: 'https://care.example.org',
    metrics: {
      count: (name, value = 1) => {
        state.counted[name] = (state.counted[name] ?? 0) + value;
      },
      flush: () => {},
    },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
  return { deps, state, replies: new DynamoReplyStore(db, tableName) };
}

/** The first alert's copies (not updates) of `alertId`, optionally to one recipient. */
const alertsTo = (published: Sent[], alertId: string, to?: string) =>
  published.filter(
    (p) =>
      p.topic === 'alerts' &&
      p.text.includes(alertId) &&
      !p.text.startsWith('URGENT update') &&
      (to === undefined || p.to === to),
  );
const updatesOf = (published: Sent[]) => published.filter((p) => p.text.startsWith('URGENT update'));
const at = (minutes: number) => shiftIso('2026-07-01T12:00:00.000Z', { minutes });

describe('dispatch-alerts handler', () => {
  it('delivers the alert of an urgent reply that arrives on the table stream', async () => {
    const h = await harness();
    const reply = urgentReply(1, h.state.now);
    await h.replies.record(reply);
    const stored = {
      pk: 'BOOKING#b-1',
      sk: `REPLY#checkin-next-day#${reply.receivedAt}#r-1`,
      ...reply,
      workKey: 'ALERT',
    };
    const event = {
      Records: [
        { eventName: 'INSERT', dynamodb: { NewImage: marshall(stored, { removeUndefinedValues: true }) } },
      ],
    } as unknown as DynamoDBStreamEvent;
    await createDispatchAlertsHandler(h.deps)(event);
    // One copy to each recipient of the alert topic, on its own channel.
    expect(alertsTo(h.state.published, 'alert-1').map((p) => p.to)).toEqual(ALERT_RECIPIENTS);
    expect(await h.deps.alerts.get('alert-1')).toMatchObject({ state: 'open', escalations: 0 });
    // The reply left the pending index: the sweeper finds nothing more to do.
    expect(await sweepAlerts(h.deps)).toEqual({ done: 0, failed: 0, overdue: 0 });
  });
});

describe('alert delivery under failing staff channels', () => {
  it('ends with every recipient sent every alert exactly once, whatever the failures and the order of attempts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 0, max: 6 }),
        async (perReplyFailures, extraSweeps) => {
          const h = await harness();
          const replies = perReplyFailures.map((_, i) => urgentReply(i, h.state.now));
          for (const reply of replies) await h.replies.record(reply);
          h.state.failNext = perReplyFailures.reduce((a, b) => a + b, 0);
          // Every minute's sweep tries each due copy, so failures + 1 minutes always suffice.
          const minutes = h.state.failNext + extraSweeps + 1;
          // Sweeps a minute apart, with duplicate direct attempts in between, until the topic recovers.
          for (let minute = 0; minute < minutes; minute++) {
            h.state.now = shiftIso('2026-07-01T12:00:00.000Z', { minutes: minute });
            await sweepAlerts(h.deps);
            for (const reply of replies)
              await advanceAlert(h.deps, reply.alertId ?? '').catch(() => undefined);
          }
          for (const reply of replies) {
            for (const to of ALERT_RECIPIENTS)
              expect(alertsTo(h.state.published, reply.alertId ?? '', to)).toHaveLength(1);
            const alert = await h.deps.alerts.get(reply.alertId ?? '');
            expect(alert?.state).not.toBe('pending');
            expect(alert?.deliveredAt).toBeDefined();
          }
        },
      ),
      { numRuns: 15 },
    );
  });
});

describe('DynamoAlertStore', () => {
  it('lets exactly one of several concurrent attempts claim a step', async () => {
    const h = await harness();
    const reply = urgentReply(7, h.state.now);
    await h.deps.alerts.createFromReply({ ...reply, alertId: 'alert-7' });
    const expiresAt = shiftIso(h.state.now, { minutes: 2 });
    const claims = await Promise.all(
      Array.from({ length: 5 }, () =>
        h.deps.alerts.claim('alert-7', { state: 'pending', escalations: 0 }, { now: h.state.now, expiresAt }),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    // A claim left by a crash expires, so a later attempt can take over.
    const later = shiftIso(h.state.now, { minutes: 3 });
    expect(
      await h.deps.alerts.claim(
        'alert-7',
        { state: 'pending', escalations: 0 },
        { now: later, expiresAt: later },
      ),
    ).toBe(true);
  });

  it('acknowledges once and reports who was first', async () => {
    const h = await harness();
    await h.deps.alerts.createFromReply({ ...urgentReply(8, h.state.now), alertId: 'alert-8' });
    const first = await h.deps.alerts.acknowledge('alert-8', { now: h.state.now, by: 'Dr A' });
    const second = await h.deps.alerts.acknowledge('alert-8', { now: h.state.now, by: 'Dr B' });
    expect(first).toMatchObject({ first: true, alert: { state: 'acknowledged', acknowledgedBy: 'Dr A' } });
    expect(second).toMatchObject({ first: false, alert: { acknowledgedBy: 'Dr A' } });
    expect(await h.deps.alerts.dueWork(shiftIso(h.state.now, { days: 1 }))).toEqual([]);
  });
});

describe('alerts nobody acknowledged', () => {
  it('stay counted by every sweep after the last escalation, until someone acknowledges them', async () => {
    const h = await harness();
    const counted: Record<string, number[]> = {};
    const count = (name: string, value = 1) => {
      counted[name] = [...(counted[name] ?? []), value];
    };
    h.deps.metrics = { count, flush: () => {} };
    await h.replies.record(urgentReply(9, h.state.now));
    await sweepAlerts(h.deps);
    // 15, 45, 75 and 105 minutes after the reply: the four escalations.
    for (const minutes of [15, 45, 75, 105, 135]) {
      h.state.now = shiftIso('2026-07-01T12:00:00.000Z', { minutes });
      await sweepAlerts(h.deps);
    }
    // Four escalations, each to both escalation contacts.
    expect(h.state.published.filter((p) => p.topic === 'escalation')).toHaveLength(
      4 * ESCALATION_RECIPIENTS.length,
    );
    expect(counted.AlertsUnacknowledgedAfterEscalation?.slice(-3)).toEqual([0, 1, 1]);
    await h.deps.alerts.acknowledge('alert-9', { now: h.state.now, by: 'Dr C' });
    await sweepAlerts(h.deps);
    expect(counted.AlertsUnacknowledgedAfterEscalation?.at(-1)).toBe(0);
    expect(counted.AlertWorkOverdue?.every((n) => n === 0)).toBe(true);
  });
});

describe('one staff recipient that refuses (DESIGN section 8)', () => {
  it('never blocks or repeats the others, and gets its copy once when it recovers', async () => {
    const h = await harness();
    h.state.failing.add(ON_CALL_EMAIL);
    const reply = urgentReply(11, h.state.now);
    await h.replies.record(reply);
    await expect(dispatchReplyAlert(h.deps, reply)).rejects.toThrow(/1 recipient refused/);
    expect(alertsTo(h.state.published, 'alert-11').map((p) => p.to)).toEqual([ON_CALL_PHONE]);
    // Not delivered until every recipient took it.
    expect(await h.deps.alerts.get('alert-11')).toMatchObject({ state: 'pending' });
    for (const minutes of [1, 2, 3, 4]) {
      h.state.now = at(minutes);
      expect(await sweepAlerts(h.deps)).toMatchObject({ failed: 1 });
    }
    expect(alertsTo(h.state.published, 'alert-11').map((p) => p.to)).toEqual([ON_CALL_PHONE]);
    expect(h.state.counted.AlertDeliveryFailures).toBe(5);
    // Still due four minutes after it first failed: the overdue alarm sees it.
    expect(h.state.counted.AlertWorkOverdue).toBeGreaterThan(0);

    h.state.failing.clear();
    h.state.now = at(5);
    expect(await sweepAlerts(h.deps)).toMatchObject({ failed: 0 });
    expect(alertsTo(h.state.published, 'alert-11').map((p) => p.to)).toEqual([ON_CALL_PHONE, ON_CALL_EMAIL]);
    expect(await h.deps.alerts.get('alert-11')).toMatchObject({ state: 'open', deliveredAt: at(5) });
    h.state.now = at(6);
    expect(await sweepAlerts(h.deps)).toEqual({ done: 0, failed: 0, overdue: 0 });
    expect(h.state.published).toHaveLength(2);
    expect(await h.deps.sends.recipientStatuses()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ lastSentAt: at(5), lastFailedAt: at(4), lastError: 'ThrottlingException' }),
      ]),
    );
  });

  it('does not hold back the escalation: it goes at its time while the copy is still retried', async () => {
    const h = await harness();
    h.state.failing.add(ON_CALL_EMAIL);
    h.state.failing.add(ON_CALL_PHONE);
    await h.replies.record(urgentReply(12, h.state.now));
    for (const minutes of [0, 5, 10, 14]) {
      h.state.now = at(minutes);
      await sweepAlerts(h.deps);
    }
    expect(h.state.published).toEqual([]);
    expect(await h.deps.alerts.get('alert-12')).toMatchObject({ state: 'pending' });

    h.state.now = at(15);
    await sweepAlerts(h.deps);
    expect(h.state.published.map((p) => [p.topic, p.to])).toEqual(
      ESCALATION_RECIPIENTS.map((to) => ['escalation', to]),
    );
    expect(await h.deps.alerts.get('alert-12')).toMatchObject({ state: 'escalated', escalations: 1 });

    h.state.failing.delete(ON_CALL_PHONE);
    h.state.now = at(16);
    await sweepAlerts(h.deps);
    expect(alertsTo(h.state.published, 'alert-12').map((p) => p.to)).toEqual([ON_CALL_PHONE]);
    h.state.failing.clear();
    h.state.now = at(17);
    await sweepAlerts(h.deps);
    expect(alertsTo(h.state.published, 'alert-12').map((p) => p.to)).toEqual([ON_CALL_PHONE, ON_CALL_EMAIL]);
    // Escalated meanwhile: the state stays, the delivery time is kept.
    expect(await h.deps.alerts.get('alert-12')).toMatchObject({ state: 'escalated', deliveredAt: at(17) });

    h.state.now = at(45);
    await sweepAlerts(h.deps);
    expect(h.state.published.filter((p) => p.topic === 'escalation')).toHaveLength(
      2 * ESCALATION_RECIPIENTS.length,
    );
  });

  it('is sent nothing more once someone acknowledged the alert', async () => {
    const h = await harness();
    h.state.failing.add(ON_CALL_EMAIL);
    const reply = urgentReply(13, h.state.now);
    await h.replies.record(reply);
    await expect(dispatchReplyAlert(h.deps, reply)).rejects.toThrow(/refused/);
    await h.deps.alerts.acknowledge('alert-13', { now: h.state.now, by: 'Dr Rivera' });
    h.state.failing.clear();
    h.state.now = at(1);
    await sweepAlerts(h.deps);
    expect(alertsTo(h.state.published, 'alert-13').map((p) => p.to)).toEqual([ON_CALL_PHONE]);
    const sends = await h.deps.sends.ofAlert('alert-13');
    expect(sends.map((send) => [send.recipient.address, send.state])).toEqual(
      expect.arrayContaining([
        [ON_CALL_EMAIL, 'cancelled'],
        [ON_CALL_PHONE, 'sent'],
      ]),
    );
    expect(await h.deps.alerts.dueWork(at(60))).toEqual([]);
  });

  it('takes a refusal that comes after an acknowledgement cancelled the copy without failing', async () => {
    const h = await harness();
    const reply = urgentReply(15, h.state.now);
    await h.deps.alerts.createFromReply({ ...reply, alertId: 'alert-15' });
    const copy = {
      alertId: 'alert-15',
      step: 'alert',
      recipient: staffRecipients(config.staff, 'alerts')[0] ?? fail(),
      message: { topic: 'alerts', subject: 'URGENT', text: 'URGENT' },
      state: 'due',
      dueAt: h.state.now,
      attempts: 0,
    } as const;
    await h.deps.sends.enqueueClaimed([copy], { now: h.state.now, expiresAt: at(2) });
    await h.deps.sends.cancel(copy, { now: h.state.now });
    await expect(
      h.deps.sends.release(copy, { now: at(1), reason: 'ThrottlingException' }),
    ).resolves.toBeUndefined();
    expect((await h.deps.sends.ofAlert('alert-15'))[0]).toMatchObject({ state: 'cancelled' });
    // The refusal still counts against the recipient for the daily check.
    expect(await h.deps.sends.recipientStatuses()).toEqual([
      expect.objectContaining({ lastFailedAt: at(1), lastError: 'ThrottlingException' }),
    ]);
  });

  it('keeps the copies of concurrent attempts to one each', async () => {
    const h = await harness();
    const reply = urgentReply(14, h.state.now);
    await h.replies.record(reply);
    await Promise.all([
      dispatchReplyAlert(h.deps, reply),
      dispatchReplyAlert(h.deps, reply),
      sweepAlerts(h.deps),
    ]);
    for (const to of ALERT_RECIPIENTS) expect(alertsTo(h.state.published, 'alert-14', to)).toHaveLength(1);
  });
});

describe('a further urgent reply while the alert is open (DESIGN section 7)', () => {
  async function openAlertWithJoiner(joinerRules: string[], replyId = 'r-1b') {
    const h = await harness();
    const first = urgentReply(1, h.state.now);
    await h.replies.record(first);
    await dispatchReplyAlert(h.deps, first);
    const joiner: StoredReply = {
      ...urgentReply(1, shiftIso(h.state.now, { minutes: 3 })),
      replyId,
      alertId: `alert-${replyId}`,
      rules: joinerRules,
      joinsAlertId: 'alert-1',
    };
    await h.replies.record(joiner);
    return { h, joiner };
  }

  it('joins the open alert: no new alert, no new escalation chain, one "updated" message for a new rule', async () => {
    const { h, joiner } = await openAlertWithJoiner(['self-harm', 'heart-breathing-fainting']);
    expect(await dispatchReplyAlert(h.deps, joiner)).toBe('joined');
    // Run again, as the sweeper or a stream retry would: nothing more goes out.
    expect(await dispatchReplyAlert(h.deps, joiner)).toBe('joined');
    expect(await h.deps.alerts.get('alert-r-1b')).toBeUndefined();
    const alert = await h.deps.alerts.get('alert-1');
    expect(alert).toMatchObject({
      replyIds: ['r-1b'],
      rules: ['self-harm', 'heart-breathing-fainting'],
      joins: [{ replyId: 'r-1b', added: ['heart-breathing-fainting'] }],
    });
    const updates = updatesOf(h.state.published);
    expect(updates.map((p) => p.to)).toEqual(ALERT_RECIPIENTS);
    expect(updates[0]?.text).toContain('alert-1');
  });

  it('sends no "updated" message when the reply adds no rule', async () => {
    const { h, joiner } = await openAlertWithJoiner(['self-harm']);
    expect(await dispatchReplyAlert(h.deps, joiner)).toBe('joined');
    expect(updatesOf(h.state.published)).toEqual([]);
    expect((await h.deps.alerts.get('alert-1'))?.replyIds).toEqual(['r-1b']);
  });

  it('retries the "updated" message to the recipient that refused it, and sends each recipient one', async () => {
    const { h, joiner } = await openAlertWithJoiner(['panic']);
    h.state.failing.add(ON_CALL_PHONE);
    await expect(dispatchReplyAlert(h.deps, joiner)).rejects.toThrow(/refused/);
    expect(updatesOf(h.state.published).map((p) => p.to)).toEqual([ON_CALL_EMAIL]);
    // A stream retry tries the refused copy again, and only that one.
    await expect(dispatchReplyAlert(h.deps, joiner)).rejects.toThrow(/1 recipient refused/);
    expect(updatesOf(h.state.published).map((p) => p.to)).toEqual([ON_CALL_EMAIL]);
    h.state.failing.clear();
    h.state.now = at(4);
    await sweepAlerts(h.deps);
    expect(updatesOf(h.state.published).map((p) => p.to)).toEqual([ON_CALL_EMAIL, ON_CALL_PHONE]);
  });

  it('gets an alert of its own when the open one was acknowledged before it could join', async () => {
    const { h, joiner } = await openAlertWithJoiner(['self-harm']);
    await h.deps.alerts.acknowledge('alert-1', { now: h.state.now, by: 'Dr Rivera' });
    h.state.now = joiner.receivedAt;
    expect(await dispatchReplyAlert(h.deps, joiner)).toBe('delivered');
    expect(await h.deps.alerts.get('alert-r-1b')).toMatchObject({ state: 'open', replyId: 'r-1b' });
  });

  it('sends one "updated" message when two dispatches of the same reply run at once', async () => {
    const { h, joiner } = await openAlertWithJoiner(['self-harm', 'panic']);
    const steps = await Promise.all([dispatchReplyAlert(h.deps, joiner), dispatchReplyAlert(h.deps, joiner)]);
    // Each recipient's copy is claimed: one attempt sends it, the other finds it taken.
    expect(steps).toEqual(['joined', 'joined']);
    expect(
      updatesOf(h.state.published)
        .map((p) => p.to)
        .sort(),
    ).toEqual([...ALERT_RECIPIENTS].sort());
  });

  it('sends an "updated" message only for the first of two replies that add the same rule', async () => {
    const { h, joiner } = await openAlertWithJoiner(['self-harm', 'panic']);
    const second: StoredReply = { ...joiner, replyId: 'r-1c', alertId: 'alert-r-1c' };
    await h.replies.record(second);
    expect(await dispatchReplyAlert(h.deps, joiner)).toBe('joined');
    expect(await dispatchReplyAlert(h.deps, second)).toBe('joined');
    expect(updatesOf(h.state.published)).toHaveLength(ALERT_RECIPIENTS.length);
    expect((await h.deps.alerts.get('alert-1'))?.joins).toEqual([
      { replyId: 'r-1b', added: ['panic'] },
      { replyId: 'r-1c', added: [] },
    ]);
  });
});

describe('a further urgent reply whose dispatch comes before the first one', () => {
  it('creates the first reply alert and joins it; the first dispatch then delivers it with both replies', async () => {
    const h = await harness();
    const first = urgentReply(1, h.state.now);
    await h.replies.record(first);
    const joiner: StoredReply = {
      ...urgentReply(1, h.state.now),
      replyId: 'r-1b',
      alertId: 'alert-1b',
      rules: ['self-harm'],
      joinsAlertId: 'alert-1',
      joinsAlertOf: { replyId: 'r-1', kind: first.kind, receivedAt: first.receivedAt, rules: first.rules },
    };
    await h.replies.record(joiner);
    expect(await dispatchReplyAlert(h.deps, joiner)).toBe('joined');
    expect(await dispatchReplyAlert(h.deps, first)).toBe('delivered');
    expect(await h.deps.alerts.get('alert-1')).toMatchObject({
      replyId: 'r-1',
      replyIds: ['r-1b'],
      state: 'open',
    });
    expect(await h.deps.alerts.get('alert-1b')).toBeUndefined();
    for (const to of ALERT_RECIPIENTS) expect(alertsTo(h.state.published, 'alert-1', to)).toHaveLength(1);
  });
});

function fail(): never {
  throw new Error('no alert recipient in config');
}
