import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ReadinessAnswer, ReadinessStore } from '../../domain/messages/readiness';

const CHANNELS = ['sms', 'form'] as const;
const key = (bookingId: string, via: ReadinessAnswer['via']) => ({
  pk: `BOOKING#${bookingId}`,
  sk: `READINESS#${via}`,
});

/**
 * Readiness answers beside their booking, one item per channel (`READINESS#sms`, `READINESS#form`): each
 * channel's latest answer stands, and the two never overwrite each other.
 */
export class DynamoReadinessStore implements ReadinessStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(bookingId: string, answer: ReadinessAnswer): Promise<void> {
    await this.db
      .send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(bookingId, answer.via), bookingId, answer },
          // An older answer delivered late never replaces a newer one.
          ConditionExpression: 'attribute_not_exists(pk) OR answer.#at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': answer.at },
        }),
      )
      .catch((error: unknown) => {
        if (!(error instanceof Error && error.name === 'ConditionalCheckFailedException')) throw error;
      });
  }

  async answersOf(bookingId: string): Promise<ReadinessAnswer[]> {
    const items = await Promise.all(
      CHANNELS.map((via) =>
        this.db.send(
          new GetCommand({ TableName: this.tableName, Key: key(bookingId, via), ConsistentRead: true }),
        ),
      ),
    );
    return items.flatMap(({ Item }) => (Item?.answer ? [Item.answer as ReadinessAnswer] : []));
  }
}
