import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { BookingActivity } from '../../domain/console/ports';
import type { ReadinessAnswer } from '../../domain/messages/readiness';
import type { MessageLogEntry, StoredReply } from '../../domain/ports';
import { queryAll } from './client';
import { toEntry } from './message-log';
import { toReply } from './reply-store';

/**
 * A booking's messages, readiness answers and replies in one query: they sort
 * next to each other in its partition (`MSG#…`, `NOTICE#…`, `READINESS#…`,
 * `REPLY#…`), so the console's list pages make one request per booking.
 */
export class DynamoBookingActivity implements BookingActivity {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async activityOf(
    bookingId: string,
  ): Promise<{ log: MessageLogEntry[]; replies: StoredReply[]; readiness: ReadinessAnswer[] }> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      // `$` sorts right after `#`: every `REPLY#…` key is below `REPLY$`.
      ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':from': 'MSG#', ':to': 'REPLY$' },
    });
    const sortKey = (item: Record<string, unknown>) => String(item.sk);
    return {
      log: items.filter((item) => sortKey(item).startsWith('MSG#')).map(toEntry),
      replies: items.filter((item) => sortKey(item).startsWith('REPLY#')).map(toReply),
      readiness: items
        .filter((item) => sortKey(item).startsWith('READINESS#'))
        .map((item) => item.answer as ReadinessAnswer),
    };
  }
}
