import { type DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { InboundTextStore, StoredInboundText } from '../../domain/messages/inbound-sms';
import { isConditionFailure } from './client';

const phoneKey = (phoneDigest: string) => `PHONE#${phoneDigest}`;

/**
 * Patients' texts to the clinic's number by the phone's digest (DESIGN section 11), never by the number:
 * `PHONE#<digest>` / `TEXT#<received>#<inbound id>`, and the phone's last auto-reply at `AUTOREPLY`.
 */
export class DynamoInboundTextStore implements InboundTextStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async record(text: StoredInboundText): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: phoneKey(text.phoneDigest), sk: `TEXT#${text.receivedAt}#${text.inboundId}`, ...text },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      // The same text delivered again: the first copy stands.
      if (!isConditionFailure(error)) throw error;
    }
  }

  async claimAutoReply(phoneDigest: string, opts: { now: string; since: string }): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: phoneKey(phoneDigest), sk: 'AUTOREPLY' },
          UpdateExpression: 'SET lastAt = :now',
          ConditionExpression: 'attribute_not_exists(pk) OR lastAt <= :since',
          ExpressionAttributeValues: { ':now': opts.now, ':since': opts.since },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async releaseAutoReply(phoneDigest: string, claimedAt: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: phoneKey(phoneDigest), sk: 'AUTOREPLY' },
          // Back to a time that lets the next attempt claim it, unless another claim came since.
          UpdateExpression: 'SET lastAt = :never',
          ConditionExpression: 'lastAt = :claimedAt',
          ExpressionAttributeValues: { ':never': '1970-01-01T00:00:00.000Z', ':claimedAt': claimedAt },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
