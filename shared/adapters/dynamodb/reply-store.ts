import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { ReplyStore, ReviewQueue, StoredReply } from '../../domain/ports';
import { queryAll, WORK_INDEX, WORK_KEYS } from './client';

/**
 * Check-in replies beside their booking. One conditional put per reply: an
 * urgent reply carries its pending alert in the same item, so the reply and
 * the duty to alert are stored together or not at all.
 */
export class DynamoReplyStore implements ReplyStore, ReviewQueue {
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
          sk: replySortKey(reply),
          ...reply,
          // Sparse index entries: an urgent reply owes an alert, a review reply a line in the digest.
          ...(reply.alertId
            ? { workKey: WORK_KEYS.alert, workAt: reply.receivedAt }
            : reply.triage === 'review'
              ? { workKey: WORK_KEYS.digest, workAt: reply.receivedAt }
              : {}),
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }

  dueForDigest(until: string): Promise<StoredReply[]> {
    return reviewRepliesSince(this.db, this.tableName, until);
  }

  async markDigested(reply: StoredReply, at: string): Promise<void> {
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `BOOKING#${reply.bookingId}`, sk: replySortKey(reply) },
        UpdateExpression: 'SET digestedAt = :at REMOVE workKey, workAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }

  async listForBooking(bookingId: string): Promise<StoredReply[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :reply)',
      ExpressionAttributeValues: { ':pk': `BOOKING#${bookingId}`, ':reply': 'REPLY#' },
    });
    return items.map(toReply);
  }
}

export function replySortKey(reply: Pick<StoredReply, 'kind' | 'receivedAt' | 'replyId'>): string {
  return `REPLY#${reply.kind}#${reply.receivedAt}#${reply.replyId}`;
}

export function toReply(item: Record<string, unknown>): StoredReply {
  const {
    pk: _pk,
    sk: _sk,
    workKey: _key,
    workAt: _at,
    alertCreated: _created,
    digestedAt: _digested,
    ...reply
  } = item;
  return reply as unknown as StoredReply;
}

/** Review replies not yet in a digest, oldest first (a query on the sparse index). */
async function reviewRepliesSince(db: DynamoDBDocumentClient, tableName: string, until: string) {
  const items = await queryAll(db, {
    TableName: tableName,
    IndexName: WORK_INDEX,
    KeyConditionExpression: 'workKey = :key AND workAt <= :until',
    ExpressionAttributeValues: { ':key': WORK_KEYS.digest, ':until': until },
  });
  return items.map(toReply);
}
