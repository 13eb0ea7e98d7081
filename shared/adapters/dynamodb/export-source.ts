import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ExportSource } from '../../domain/exports/export-window';
import { DynamoBookingStore } from './booking-store';
import { DynamoReplyCounts } from './reply-counts';
import { DynamoReplyStore } from './reply-store';

/** What an export reads, on the table: bookings by session day (list index) and by week answered, their replies. */
export function dynamoExportSource(
  db: DynamoDBDocumentClient,
  tableName: string,
  clinicTimeZone: string,
): ExportSource {
  const bookings = new DynamoBookingStore(db, tableName, { clinicTimeZone });
  const replies = new DynamoReplyStore(db, tableName);
  const counts = new DynamoReplyCounts(db, tableName);
  return {
    allSessionsOn: (day) => bookings.allSessionsOn(day),
    bookingsAnswered: (from, to) => counts.bookingsAnswered(from, to),
    booking: (bookingId) => bookings.get(bookingId),
    repliesOf: (bookingId) => replies.listForBooking(bookingId),
  };
}
