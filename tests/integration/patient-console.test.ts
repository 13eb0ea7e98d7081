import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoScreenerHistory } from '../../shared/adapters/dynamodb/screener-history';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { StaffRequest } from '../../shared/domain/console/access';
import {
  PATIENT_BOOKINGS_PER_PAGE,
  type PatientView,
  showPatient,
} from '../../shared/domain/console/patient-console';
import type { Staff } from '../../shared/domain/console/staff';
import type { StoredReply } from '../../shared/domain/ports';
import { dynamoConsoleDeps } from '../support/console-deps';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';
import { ADMIN, as as asStaff, CLINICIAN, DESK } from '../support/staff';

const config = parseClinicConfig(clinicConfigInput);
const as = (staff: Staff): StaffRequest => asStaff(staff, '/console/patients/pt-1');

async function harness() {
  const { db, tableName } = await freshTable();
  const { removed: _removed, ...deps } = dynamoConsoleDeps(
    db,
    tableName,
    config,
    () => '2026-08-20T15:00:00.000Z',
  );
  const screeners = new DynamoScreenerHistory(db, tableName);
  /** A booking of `patientId` whose session starts at `startsAt`. */
  const booked = (bookingId: string, startsAt: string, patientId = 'pt-1') =>
    deps.bookings.save(
      {
        bookingId,
        version: 1,
        status: 'active',
        booking: aBooking({ bookingId, session: { startsAt }, patient: { id: patientId } }),
        plan: {},
        revision: 1,
        updatedAt: startsAt,
      },
      undefined,
    );
  const replied = async (
    bookingId: string,
    n: number,
    receivedAt: string,
    extra: Partial<StoredReply> = {},
  ) => {
    const reply: StoredReply = {
      replyId: `rp-${n}`,
      bookingId,
      kind: 'checkin-week',
      receivedAt,
      answers: { mood: 6, sideEffects: {}, selfHarm: 'no', wantsCall: false },
      triage: 'routine',
      rules: [],
      scores: { phq9: { total: 20 - n, band: 'x' }, gad7: { total: 15 - n, band: 'x' } },
      patientId: 'pt-1',
      ...extra,
    };
    await deps.replies.record(reply);
    await screeners.add({
      patientId: 'pt-1',
      replyId: reply.replyId,
      bookingId,
      at: receivedAt,
      phq9: 20 - n,
      gad7: 15 - n,
    });
    return reply;
  };
  const audited = async () =>
    (
      await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': 'AUDIT#2026-08-20' },
        }),
      )
    ).Items ?? [];
  return { deps, booked, replied, audited };
}

const types = (view: PatientView) => view.timeline.map((entry) => entry.type);

describe('the patient page against DynamoDB', () => {
  it("shows a clinician the patient's sessions, replies and alerts newest first, with the screener series", async () => {
    const h = await harness();
    await h.booked('bk-a', '2026-08-01T14:00:00.000Z');
    await h.booked('bk-b', '2026-08-08T14:00:00.000Z');
    await h.booked('bk-other', '2026-08-09T14:00:00.000Z', 'pt-2');
    await h.replied('bk-a', 1, '2026-08-02T15:00:00.000Z');
    const urgent = await h.replied('bk-b', 2, '2026-08-09T15:00:00.000Z', {
      triage: 'urgent',
      rules: ['self-harm'],
      alertId: 'al-1',
    });
    await h.deps.alerts.createFromReply({ ...urgent, alertId: 'al-1' });

    const result = await showPatient(h.deps, as(CLINICIAN), 'pt-1');
    if (!result.ok) throw new Error(result.reason);
    const view = result.value;
    expect(view.clinical).toBe(true);
    expect(view.bookings).toBe(2);
    expect(view.patient.id).toBe('pt-1');
    expect(types(view)).toEqual(['alert', 'reply', 'session', 'reply', 'session']);
    expect(view.timeline.map((e) => e.at)).toEqual([
      '2026-08-09T15:00:00.000Z',
      '2026-08-09T15:00:00.000Z',
      '2026-08-08T14:00:00.000Z',
      '2026-08-02T15:00:00.000Z',
      '2026-08-01T14:00:00.000Z',
    ]);
    // Oldest first, as the chart draws them.
    expect(view.screeners.map((p) => [p.phq9, p.gad7])).toEqual([
      [19, 14],
      [18, 13],
    ]);
    expect(JSON.stringify(view)).not.toContain('bk-other');
    const audit = await h.audited();
    expect(audit.map((item) => [item.action, item.subject, item.user.email])).toEqual([
      ['view', 'PATIENT#pt-1', 'casey@example.org'],
    ]);
  });

  it('shows the front desk sessions and that check-ins were answered, never the answers, alerts or chart', async () => {
    const h = await harness();
    await h.booked('bk-a', '2026-08-01T14:00:00.000Z');
    const urgent = await h.replied('bk-a', 1, '2026-08-02T15:00:00.000Z', {
      triage: 'urgent',
      rules: ['self-harm'],
      alertId: 'al-1',
    });
    await h.deps.alerts.createFromReply({ ...urgent, alertId: 'al-1' });
    const result = await showPatient(h.deps, as(DESK), 'pt-1');
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.clinical).toBe(false);
    expect(types(result.value)).toEqual(['answered', 'session']);
    expect(result.value.screeners).toEqual([]);
    const shown = JSON.stringify(result.value);
    for (const secret of ['selfHarm', 'urgent', 'al-1', 'phq9']) expect(shown).not.toContain(secret);
  });

  it('refuses an admin-only user, and audits the refusal', async () => {
    const h = await harness();
    await h.booked('bk-a', '2026-08-01T14:00:00.000Z');
    expect(await showPatient(h.deps, as(ADMIN), 'pt-1')).toEqual({ ok: false, reason: 'forbidden' });
    expect((await h.audited()).map((item) => [item.action, item.subject])).toEqual([
      ['denied', 'PATIENT#pt-1'],
    ]);
  });

  it('finds nothing for an unknown patient id, and audits the look', async () => {
    const h = await harness();
    expect(await showPatient(h.deps, as(CLINICIAN), 'pt-404')).toEqual({ ok: false, reason: 'not-found' });
    expect((await h.audited()).map((item) => [item.action, item.subject])).toEqual([
      ['view', 'PATIENT#pt-404'],
    ]);
  });

  it("leaves out a booking whose patient id was corrected to someone else's", async () => {
    const h = await harness();
    await h.booked('bk-a', '2026-08-01T14:00:00.000Z');
    await h.booked('bk-moved', '2026-08-03T14:00:00.000Z');
    const stored = await h.deps.bookings.get('bk-moved');
    if (!stored?.booking) throw new Error('not stored');
    await h.deps.bookings.save(
      {
        ...stored,
        booking: { ...stored.booking, patient: { ...stored.booking.patient, id: 'pt-2' } },
        revision: 2,
      },
      1,
    );
    const result = await showPatient(h.deps, as(CLINICIAN), 'pt-1');
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.timeline.filter((e) => e.type === 'session').map((e) => e.at)).toEqual([
      '2026-08-01T14:00:00.000Z',
    ]);
    const other = await showPatient(h.deps, as(CLINICIAN), 'pt-2');
    expect(other.ok && other.value.timeline.map((e) => e.at)).toEqual(['2026-08-03T14:00:00.000Z']);
  });

  it('pages through a long series, newest sessions first, each booking on one page only', async () => {
    const h = await harness();
    const count = PATIENT_BOOKINGS_PER_PAGE + 3;
    for (let i = 0; i < count; i++) {
      await h.booked(
        `bk-${String(i).padStart(2, '0')}`,
        `2026-0${i < 9 ? 5 : 6}-${String((i % 9) + 10)}T14:00:00.000Z`,
      );
    }
    const first = await showPatient(h.deps, as(CLINICIAN), 'pt-1');
    if (!first.ok || !first.value.next) throw new Error('no second page');
    const second = await showPatient(h.deps, as(CLINICIAN), 'pt-1', first.value.next);
    if (!second.ok) throw new Error(second.reason);
    expect([first.value.bookings, second.value.bookings]).toEqual([count, count]);
    expect(second.value.next).toBeUndefined();
    expect(second.value.before).toBe(first.value.next);
    const firstStarts = first.value.timeline.map((e) => e.at);
    const secondStarts = second.value.timeline.map((e) => e.at);
    expect(firstStarts).toHaveLength(PATIENT_BOOKINGS_PER_PAGE);
    expect(secondStarts).toHaveLength(3);
    const all = [...firstStarts, ...secondStarts];
    expect(all).toEqual([...all].sort().reverse());
    expect(new Set(all).size).toBe(count);
  });

  it('moves a rescheduled booking to its new place in the series, with no trace at the old one', async () => {
    const h = await harness();
    await h.booked('bk-a', '2026-08-01T14:00:00.000Z');
    await h.booked('bk-b', '2026-08-08T14:00:00.000Z');
    const stored = await h.deps.bookings.get('bk-a');
    if (!stored?.booking) throw new Error('not stored');
    const moved = {
      ...stored.booking,
      session: { ...stored.booking.session, startsAt: '2026-08-15T14:00:00.000Z' },
    };
    await h.deps.bookings.save({ ...stored, booking: moved, revision: 2 }, 1);
    const result = await showPatient(h.deps, as(CLINICIAN), 'pt-1');
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.timeline.filter((e) => e.type === 'session').map((e) => e.at)).toEqual([
      '2026-08-15T14:00:00.000Z',
      '2026-08-08T14:00:00.000Z',
    ]);
    expect(result.value.bookings).toBe(2);
  });
});
