import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Channel } from '../../contracts/vocabulary';
import type { ContactStatusStore } from '../../domain/messages/delivery-events';
import { isConditionFailure } from './client';
import { patientKey } from './screener-history';

/**
 * Addresses that no longer reach a patient, beside the patient's other records: `PATIENT#<id>` /
 * `CONTACT#<digest>`, keyed by the address's digest (never the address), so a later booking of the same
 * patient with the same address finds the mark.
 */
export class DynamoContactStatusStore implements ContactStatusStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async markUnreachable(
    patientId: string,
    mark: Parameters<ContactStatusStore['markUnreachable']>[1],
  ): Promise<void> {
    // The delivery id is kept under another name: an item with `deliveryId` would join the delivery index.
    await this.putLatest(patientId, {
      channel: mark.channel,
      digest: mark.digest,
      status: mark.status,
      at: mark.at,
      markedBy: mark.deliveryId,
    });
  }

  async clearMark(patientId: string, mark: { channel: Channel; digest: string; at: string }): Promise<void> {
    await this.putLatest(patientId, { ...mark, status: 'reachable' });
  }

  /** Writes the address's standing unless a later one is there already (events and texts come in any order). */
  private async putLatest(patientId: string, item: Record<string, unknown> & { digest: string; at: string }) {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: patientKey(patientId), sk: `CONTACT#${item.digest}`, ...item },
          ConditionExpression: 'attribute_not_exists(pk) OR #at <= :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': item.at },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
