import { type DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { DigestEntry, DigestQueue } from '../../domain/ports';
import { shiftIso } from '../../domain/time';
import { isConditionFailure, queryAll, WORK_INDEX, WORK_KEYS } from './client';
import { DynamoMissedCheckinStore, toMissed } from './missed-checkin-store';
import { toReply } from './reply-store';
import { DynamoScreenerHistory } from './screener-history';

/** A run's claim on an entry lapses after this long, so a crashed run's entries reach the next digest. */
const CLAIM_MINUTES = 15;

/**
 * What the daily digest owes (DESIGN section 8): replies and missed
 * check-ins on the sparse work index under `DIGEST`. Each entry is claimed
 * by one run with a conditional write before it is listed, so two runs that
 * overlap never list the same entry; a sent digest takes its entries off the
 * index.
 */
export class DynamoDigestQueue implements DigestQueue {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async claimForDigest(until: string, opts: { run: string; now: string }): Promise<DigestEntry[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      IndexName: WORK_INDEX,
      KeyConditionExpression: 'workKey = :key AND workAt <= :until',
      ExpressionAttributeValues: { ':key': WORK_KEYS.digest, ':until': until },
    });
    const claimed: DigestEntry[] = [];
    for (const item of items) {
      if (!(await this.claim(item, opts))) continue;
      const sk = String(item.sk);
      if (sk.startsWith('REPLY#')) claimed.push({ type: 'reply', reply: toReply(item) });
      else if (sk.startsWith('MISSED#')) claimed.push({ type: 'missed', missed: toMissed(item) });
    }
    return claimed;
  }

  private async claim(item: Record<string, unknown>, opts: { run: string; now: string }): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET digestRun = :run, digestClaimedAt = :now',
          ConditionExpression:
            'workKey = :key AND (attribute_not_exists(digestRun) OR digestRun = :run OR digestClaimedAt < :stale)',
          ExpressionAttributeValues: {
            ':run': opts.run,
            ':now': opts.now,
            ':key': WORK_KEYS.digest,
            ':stale': shiftIso(opts.now, { minutes: -CLAIM_MINUTES }),
          },
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async markDigested(entry: DigestEntry, at: string): Promise<void> {
    const key =
      entry.type === 'reply'
        ? { pk: `BOOKING#${entry.reply.bookingId}`, sk: replyKey(entry.reply) }
        : { pk: `BOOKING#${entry.missed.bookingId}`, sk: `MISSED#${entry.missed.kind}` };
    await this.db.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: key,
        UpdateExpression: 'SET digestedAt = :at REMOVE workKey, workAt, digestRun, digestClaimedAt',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':at': at },
      }),
    );
  }
}

function replyKey(reply: { kind: string; receivedAt: string; replyId: string }): string {
  return `REPLY#${reply.kind}#${reply.receivedAt}#${reply.replyId}`;
}

/** The stores the daily digest adds to the messaging ones: missed check-ins, its queue, screener history. */
export function digestStores(db: DynamoDBDocumentClient, tableName: string) {
  return {
    missed: new DynamoMissedCheckinStore(db, tableName),
    queue: new DynamoDigestQueue(db, tableName),
    screeners: new DynamoScreenerHistory(db, tableName),
  };
}
