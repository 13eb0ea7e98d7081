import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEntry, AuditLog, AuditPage } from '../../domain/console/ports';

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

  async listDay(
    day: string,
    opts: { limit: number; after?: string; user?: string; subject?: string },
  ): Promise<AuditPage> {
    const filters: string[] = [];
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': `AUDIT#${day}` };
    if (opts.user) {
      filters.push('#user.#email = :user');
      Object.assign(names, { '#user': 'user', '#email': 'email' });
      values[':user'] = opts.user;
    }
    if (opts.subject) {
      filters.push('begins_with(#subject, :subject)');
      names['#subject'] = 'subject';
      values[':subject'] = opts.subject;
    }
    const { Items, LastEvaluatedKey } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ...(filters.length > 0
          ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names }
          : {}),
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: opts.limit,
        ...(opts.after ? { ExclusiveStartKey: { pk: `AUDIT#${day}`, sk: opts.after } } : {}),
      }),
    );
    const entries = (Items ?? []).map(({ pk: _pk, sk: _sk, ...entry }) => entry as AuditEntry);
    const next = typeof LastEvaluatedKey?.sk === 'string' ? LastEvaluatedKey.sk : undefined;
    return { entries, ...(next ? { next } : {}) };
  }
}
