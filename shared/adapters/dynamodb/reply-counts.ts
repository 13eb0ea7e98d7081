import { type DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { WeeklyReplyCounts, WeekReplyCounts } from '../../domain/console/ports';
import type { ReplyCounter, TriageLevel } from '../../domain/ports';
import { isConditionFailure, queryAll } from './client';

/** The one partition of the clinic's reply counts; one item per ISO week. */
const COUNTS_KEY = 'STATS#replies';
const weekKey = (week: string) => `WEEK#${week}`;

/**
 * Clinic-wide counts of check-in replies by triage level and ISO week (the
 * console's outcomes page): one item per week, added to with each reply. The
 * item keeps the ids it counted, so a reply counted twice (a retry) counts
 * once; a busy clinic's week is a few hundred ids, far below the item limit.
 */
export class DynamoReplyCounts implements ReplyCounter, WeeklyReplyCounts {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async count(
    reply: { replyId: string; bookingId: string; triage: TriageLevel },
    week: string,
  ): Promise<void> {
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: COUNTS_KEY, sk: weekKey(week) },
          // The bookings answered that week too: a FHIR export finds a window's replies through them.
          UpdateExpression: 'ADD #level :one, replyIds :ids, bookingIds :bookings SET #week = :week',
          ConditionExpression: 'attribute_not_exists(replyIds) OR NOT contains(replyIds, :id)',
          ExpressionAttributeNames: { '#level': reply.triage, '#week': 'week' },
          ExpressionAttributeValues: {
            ':one': 1,
            ':ids': new Set([reply.replyId]),
            ':id': reply.replyId,
            ':bookings': new Set([reply.bookingId]),
            ':week': week,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** The bookings with a reply counted in the weeks `from` to `to` (`2026-W45`), each once. */
  async bookingsAnswered(from: string, to: string): Promise<string[]> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: { ':pk': COUNTS_KEY, ':from': weekKey(from), ':to': weekKey(to) },
      ProjectionExpression: 'bookingIds',
    });
    const ids = new Set<string>();
    for (const item of items) {
      if (item.bookingIds instanceof Set)
        for (const id of item.bookingIds) if (typeof id === 'string') ids.add(id);
    }
    return [...ids].sort();
  }

  async weeks(from: string, to: string): Promise<WeekReplyCounts[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': COUNTS_KEY, ':from': weekKey(from), ':to': weekKey(to) },
        // The counts, not the ids counted.
        ProjectionExpression: '#week, #urgent, #review, #routine',
        ExpressionAttributeNames: {
          '#week': 'week',
          '#urgent': 'urgent',
          '#review': 'review',
          '#routine': 'routine',
        },
      }),
    );
    const number = (value: unknown) => (typeof value === 'number' ? value : 0);
    return (Items ?? []).flatMap((item) =>
      typeof item.week === 'string'
        ? [
            {
              week: item.week,
              urgent: number(item.urgent),
              review: number(item.review),
              routine: number(item.routine),
            },
          ]
        : [],
    );
  }
}
