import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { exportFhirCommand } from '../../scripts/fhir-export-command';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoReplyCounts } from '../../shared/adapters/dynamodb/reply-counts';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { scoreGad7, scorePhq9 } from '../../shared/domain/checkins/screeners';
import type { StoredReply } from '../../shared/domain/ports';
import { isoWeekIn } from '../../shared/domain/time';
import { freshTable } from '../support/dynamo';
import { aBooking } from '../support/fixtures';

const config = parseClinicConfig(clinicConfigInput);
const zone = config.clinic.timeZone;
const out = mkdtempSync(join(tmpdir(), 'fhir-cli-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run export:fhir against the table', () => {
  it('writes each type from the table and an audit item naming the AWS caller', async () => {
    const { db, tableName } = await freshTable();
    const bookings = new DynamoBookingStore(db, tableName, { clinicTimeZone: zone });
    const replies = new DynamoReplyStore(db, tableName);
    const counts = new DynamoReplyCounts(db, tableName);
    const booking = aBooking({ bookingId: 'cli-1' });
    await bookings.save(
      {
        bookingId: 'cli-1',
        version: 1,
        status: 'active',
        booking,
        plan: {},
        revision: 1,
        updatedAt: '2026-08-01T10:00:00.000Z',
      },
      undefined,
    );
    const phq9 = [1, 2, 1, 0, 0, 1, 0, 1, 0];
    const gad7 = [2, 2, 1, 1, 0, 0, 0];
    const reply: StoredReply = {
      replyId: 'rp-cli-1',
      bookingId: 'cli-1',
      kind: 'checkin-week',
      receivedAt: '2026-11-10T15:00:00.000Z',
      answers: { mood: 6, sideEffects: {}, selfHarm: 'no', wantsCall: false, phq9, gad7 },
      triage: 'routine',
      rules: [],
      scores: { phq9: scorePhq9(phq9), gad7: scoreGad7(gad7) },
    };
    await replies.record(reply);
    await counts.count(reply, isoWeekIn(reply.receivedAt, zone));
    const sts = mockClient(STSClient);
    sts.on(GetCallerIdentityCommand).resolves({
      Arn: 'arn:aws:sts::123456789012:assumed-role/ClinicOperator/dana',
      UserId: 'AROAEXAMPLE:dana',
    });

    const files = await exportFhirCommand(
      ['--since', '2026-11-09', '--until', '2026-11-15', '--out', out],
      { TABLE_NAME: tableName },
      { db, sts: new STSClient({}) },
    );
    expect(Object.fromEntries(files.map((f) => [f.type, f.lines]))).toEqual({
      Patient: 1,
      Appointment: 0,
      Questionnaire: 3,
      QuestionnaireResponse: 1,
      Observation: 2,
    });
    const observations = readFileSync(join(out, 'Observation.ndjson'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { valueInteger: number });
    expect(observations.map((o) => o.valueInteger)).toEqual([6, 6]);
    expect(sts).toHaveReceivedCommandTimes(GetCallerIdentityCommand, 1);
    const audit = await new DynamoAuditLog(db, tableName).listDay(new Date().toISOString().slice(0, 10), {
      limit: 10,
    });
    expect(audit.entries).toEqual([
      expect.objectContaining({
        action: 'export',
        subject:
          'EXPORT#fhir:Patient,Appointment,Questionnaire,QuestionnaireResponse,Observation:2026-11-09T05:00:00.000Z/2026-11-16T05:00:00.000Z',
        user: {
          subject: 'AROAEXAMPLE:dana',
          email: 'arn:aws:sts::123456789012:assumed-role/ClinicOperator/dana',
        },
      }),
    ]);
    sts.restore();
  });

  it('names what is missing: the table or the local runtime', async () => {
    await expect(exportFhirCommand(['--since', '2026-11-09', '--out', out], {})).rejects.toThrow(
      /TABLE_NAME or LOCAL_URL/,
    );
  });
});
