import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExportSource } from '../../domain/exports/export-window';
import { DynamoBookingStore } from './booking-store';
import { DynamoReplyStore } from './reply-store';

/** What an export reads, on the table: bookings by session day (list index), replies beside each booking. */
export function dynamoExportSource(
  db: DynamoDBDocumentClient,
  tableName: string,
  clinicTimeZone: string,
): ExportSource {
  const bookings = new DynamoBookingStore(db, tableName, { clinicTimeZone });
  const replies = new DynamoReplyStore(db, tableName);
  return {
    allSessionsOn: (day) => bookings.allSessionsOn(day),
    repliesOf: (bookingId) => replies.listForBooking(bookingId),
  };
}
