import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LinkRecord, LinkStore } from '../../domain/ports';
import { isConditionFailure } from './client';

const key = (linkId: string) => ({ pk: `LINK#${linkId}`, sk: 'LINK' });

/** Signed links' targets. The first write wins, so a retried send keeps the link's first expiry. */
export class DynamoLinkStore implements LinkStore {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async put(link: LinkRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...key(link.linkId), ...link },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  async get(linkId: string): Promise<LinkRecord | undefined> {
    const { Item } = await this.db.send(new GetCommand({ TableName: this.tableName, Key: key(linkId) }));
    if (!Item) return undefined;
    const { pk: _pk, sk: _sk, ...link } = Item;
    // Validated on read: a record missing what a link needs resolves to nothing (the link is refused).
    const text = (value: unknown) => typeof value === 'string' && value.length > 0;
    if (!text(link.linkId) || !text(link.bookingId) || !text(link.kind) || !text(link.purpose))
      return undefined;
    // The expiry is kept as stored: readers treat one they cannot parse as past. Addresses that cannot be
    // read are none of the patient's: the link is refused (fail closed).
    const sentTo =
      link.sentTo === undefined
        ? undefined
        : Array.isArray(link.sentTo) && link.sentTo.every((d) => typeof d === 'string')
          ? (link.sentTo as string[])
          : ['unreadable'];
    return {
      ...link,
      expiresAt: typeof link.expiresAt === 'string' ? link.expiresAt : '',
      ...(sentTo ? { sentTo } : {}),
    } as LinkRecord;
  }
}
