import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplyStore, StoredReply } from '../../domain/ports';

/**
 * Check-in replies beside their booking. One conditional put per reply: an
 * urgent reply carries its pending alert in the same item, so the reply and
 * the duty to alert are stored together or not at all.
 */
export class DynamoReplyStore implements ReplyStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(reply: StoredReply): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: {
          pk: `BOOKING#${reply.bookingId}`,
          sk: `REPLY#${reply.kind}#${reply.receivedAt}#${reply.replyId}`,
          ...reply,
          ...(reply.alertId ? { alertState: 'pending', alertPendingSince: reply.receivedAt } : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  async listForBooking(bookingId: string): Promise<StoredReply[]> {
    const replies: StoredReply[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :reply)',
          ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':reply': 'REPLY#' },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, alertState: _state, alertPendingSince: _since, ...reply } = item;
        replies.push(reply as StoredReply);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return replies;
  }
}
