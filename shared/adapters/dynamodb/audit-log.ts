import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog } from '../../domain/console/ports';

/**
 * The console's audit trail: one item per view or action, keyed by day
 * (`AUDIT#2026-11-29`) and time plus a random id, written only if no item
 * has that key, so nothing is ever overwritten.
 */
export class DynamoAuditLog implements AuditLog {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly newId: () => string = randomUUID,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { ...entry, pk: `AUDIT#${entry.at.slice(0, 10)}`, sk: `${entry.at}#${this.newId()}` },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  }
}
