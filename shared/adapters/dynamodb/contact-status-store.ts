import { DeleteCommand, type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { ContactStatusStore } from '../../domain/messages/delivery-events';
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
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        // The delivery id is kept under another name: an item with `deliveryId` would join the delivery index.
        Item: {
          pk: patientKey(patientId),
          sk: `CONTACT#${mark.digest}`,
          channel: mark.channel,
          digest: mark.digest,
          status: mark.status,
          at: mark.at,
          markedBy: mark.deliveryId,
        },
      }),
    );
  }

  async clearMark(patientId: string, digest: string): Promise<void> {
    await this.db.send(
      new DeleteCommand({
        TableName: this.tableName,
        Key: { pk: patientKey(patientId), sk: `CONTACT#${digest}` },
      }),
    );
  }
}
