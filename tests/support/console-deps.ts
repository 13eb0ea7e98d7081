import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store';
import { DynamoAuditLog } from '../../shared/adapters/dynamodb/audit-log';
import { DynamoBookingActivity } from '../../shared/adapters/dynamodb/booking-activity';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { dynamoExportSource } from '../../shared/adapters/dynamodb/export-source';
import { DynamoMissedCheckinStore } from '../../shared/adapters/dynamodb/missed-checkin-store';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DynamoReplyCounts } from '../../shared/adapters/dynamodb/reply-counts';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { DynamoScreenerHistory } from '../../shared/adapters/dynamodb/screener-history';
import { DynamoStaffSendStore } from '../../shared/adapters/dynamodb/staff-send-store';
import type { ClinicConfig } from '../../shared/contracts/clinic-config';
import type { ConsoleDeps } from '../../shared/domain/console/access';

/** The console's use-case deps on one dynalite table; schedule removals are collected in `removed`. */
export function dynamoConsoleDeps(
  db: DynamoDBDocumentClient,
  tableName: string,
  config: ClinicConfig,
  now: () => string,
): ConsoleDeps & { removed: string[] } {
  const removed: string[] = [];
  const replies = new DynamoReplyStore(db, tableName);
  return {
    removed,
    config,
    clock: { now },
    alerts: new DynamoAlertStore(db, tableName),
    replies,
    reviews: replies,
    exportSource: dynamoExportSource(db, tableName, config.clinic.timeZone),
    missed: new DynamoMissedCheckinStore(db, tableName),
    patients: new DynamoScreenerHistory(db, tableName),
    replyCounts: new DynamoReplyCounts(db, tableName),
    activity: new DynamoBookingActivity(db, tableName),
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    audit: new DynamoAuditLog(db, tableName),
    sends: new DynamoStaffSendStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    escalations: { remove: async (name) => void removed.push(name) },
    log: { info: () => {}, warn: () => {}, error: () => {} },
  };
}
