import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { DynamoReplyCounts } from '../../shared/adapters/dynamodb/reply-counts';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import type { StaffRequest } from '../../shared/domain/console/access';
import { OUTCOME_WEEKS, showOutcomes } from '../../shared/domain/console/outcomes-console';
import type { Staff } from '../../shared/domain/console/staff';
import { isoWeekIn, weeksUpTo } from '../../shared/domain/time';
import { dynamoConsoleDeps } from '../support/console-deps';
import { freshTable } from '../support/dynamo';
import { as as asStaff, CLINICIAN, DESK } from '../support/staff';

const config = parseClinicConfig(clinicConfigInput);
const ZONE = 'America/New_York';
const as = (staff: Staff): StaffRequest => asStaff(staff, '/console/outcomes');

describe('ISO weeks in the clinic zone', () => {
  it('puts a Sunday evening in New York in its own week, though it is Monday in UTC', () => {
    expect(isoWeekIn('2026-11-30T03:30:00.000Z', ZONE)).toBe('2026-W48');
    expect(isoWeekIn('2026-11-30T05:30:00.000Z', ZONE)).toBe('2026-W49');
  });

  it('gives the days around New Year the ISO week-year they belong to', () => {
    expect(isoWeekIn('2026-12-31T17:00:00.000Z', ZONE)).toBe('2026-W53');
    expect(isoWeekIn('2027-01-03T17:00:00.000Z', ZONE)).toBe('2026-W53');
    expect(isoWeekIn('2027-01-04T17:00:00.000Z', ZONE)).toBe('2027-W01');
    expect(isoWeekIn('2025-12-29T17:00:00.000Z', ZONE)).toBe('2026-W01');
  });

  it('orders weeks as their keys sort, whatever the instants and zones', () => {
    const instant = fc
      .integer({ min: Date.parse('2024-01-01'), max: Date.parse('2030-01-01') })
      .map((t) => new Date(t).toISOString());
    fc.assert(
      fc.property(
        instant,
        instant,
        fc.constantFrom(ZONE, 'Europe/Madrid', 'Pacific/Auckland', 'UTC'),
        (a, b, zone) => {
          const [early, late] = a <= b ? [a, b] : [b, a];
          expect(isoWeekIn(early, zone) <= isoWeekIn(late, zone)).toBe(true);
        },
      ),
    );
  });

  it('lists the weeks up to now, oldest first, consecutive, each from its Monday', () => {
    const weeks = weeksUpTo('2027-01-05T15:00:00.000Z', ZONE, 4);
    expect(weeks).toEqual([
      { week: '2026-W51', monday: '2026-12-14' },
      { week: '2026-W52', monday: '2026-12-21' },
      { week: '2026-W53', monday: '2026-12-28' },
      { week: '2027-W01', monday: '2027-01-04' },
    ]);
  });
});

describe('weekly reply counts against DynamoDB', () => {
  async function harness(now: string) {
    const { db, tableName } = await freshTable();
    const { removed: _removed, ...deps } = dynamoConsoleDeps(db, tableName, config, () => now);
    return { db, tableName, deps, counts: new DynamoReplyCounts(db, tableName) };
  }

  it('counts each reply once, however often it is counted, and reads the weeks asked for', async () => {
    const h = await harness('2026-11-29T15:00:00.000Z');
    await h.counts.count({ replyId: 'rp-1', bookingId: 'bk-1', triage: 'urgent' }, '2026-W48');
    await h.counts.count({ replyId: 'rp-1', bookingId: 'bk-1', triage: 'urgent' }, '2026-W48');
    await h.counts.count({ replyId: 'rp-2', bookingId: 'bk-2', triage: 'routine' }, '2026-W48');
    await h.counts.count({ replyId: 'rp-3', bookingId: 'bk-3', triage: 'review' }, '2026-W47');
    await h.counts.count({ replyId: 'rp-4', bookingId: 'bk-4', triage: 'routine' }, '2026-W30');
    expect(await h.counts.weeks('2026-W40', '2026-W48')).toEqual([
      { week: '2026-W47', urgent: 0, review: 1, routine: 0 },
      { week: '2026-W48', urgent: 1, review: 0, routine: 1 },
    ]); // The bookings answered in those weeks, each once: what a FHIR export of them reads.
    expect(await h.counts.bookingsAnswered('2026-W40', '2026-W48')).toEqual(['bk-1', 'bk-2', 'bk-3']);
  });

  it('shows a clinician twelve weeks, zeros included, and audits the view; refuses the front desk', async () => {
    const h = await harness('2026-11-29T15:00:00.000Z');
    await h.counts.count({ replyId: 'rp-1', bookingId: 'bk-1', triage: 'urgent' }, '2026-W48');
    await h.counts.count({ replyId: 'rp-2', bookingId: 'bk-2', triage: 'routine' }, '2026-W45');
    const result = await showOutcomes(h.deps, as(CLINICIAN));
    if (!result.ok) throw new Error(result.reason);
    expect(result.value.weeks).toHaveLength(OUTCOME_WEEKS);
    expect(result.value.weeks[0]?.week).toBe('2026-W37');
    expect(result.value.weeks.at(-1)).toEqual({
      week: '2026-W48',
      monday: '2026-11-23',
      urgent: 1,
      review: 0,
      routine: 0,
    });
    expect(result.value.weeks.find((w) => w.week === '2026-W45')?.routine).toBe(1);
    expect(result.value.weeks.filter((w) => w.urgent + w.review + w.routine === 0)).toHaveLength(
      OUTCOME_WEEKS - 2,
    );
    expect(await showOutcomes(h.deps, as(DESK))).toEqual({ ok: false, reason: 'forbidden' });
    const audit =
      (
        await h.db.send(
          new QueryCommand({
            TableName: h.tableName,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': 'AUDIT#2026-11-29' },
          }),
        )
      ).Items ?? [];
    expect(audit.map((item) => [item.action, item.subject, item.user.email]).sort()).toEqual([
      ['denied', 'PAGE#outcomes', 'frankie@example.org'],
      ['view', 'PAGE#outcomes', 'casey@example.org'],
    ]);
  });
});
