import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PatientRecords, ScreenerPoint } from '../../domain/console/ports';
import type { ScreenerBaseline, ScreenerHistory } from '../../domain/ports';
import { queryAll } from './client';

/** The by-patient partition: everything indexed by the clinic's patient id. */
export const patientKey = (patientId: string) => `PATIENT#${patientId}`;

/**
 * Screener totals by patient, one small item per reply in the patient's
 * partition (`SCREENER#<at>#<replyId>`), so the baseline is one query in key
 * order and no index is needed. Written after the reply, keyed by it, so a
 * retry changes nothing. The console's patient page charts the latest of
 * them (`screenerSeries`).
 */
export class DynamoScreenerHistory implements ScreenerHistory, PatientRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async add(entry: Parameters<ScreenerHistory['add']>[0]): Promise<void> {
    await this.db.send(
      new PutCommand({
        TableName: this.tableName,
        Item: { pk: patientKey(entry.patientId), sk: `SCREENER#${entry.at}#${entry.replyId}`, ...entry },
      }),
    );
  }

  async baseline(patientId: string): Promise<ScreenerBaseline> {
    const items = await queryAll(this.db, {
      TableName: this.tableName,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :screener)',
      ExpressionAttributeValues: { ':pk': patientKey(patientId), ':screener': 'SCREENER#' },
    });
    const first = (name: 'phq9' | 'gad7') =>
      items.map((item) => item[name]).find((total): total is number => typeof total === 'number');
    const phq9 = first('phq9');
    const gad7 = first('gad7');
    return { ...(phq9 === undefined ? {} : { phq9 }), ...(gad7 === undefined ? {} : { gad7 }) };
  }

  async lastAnsweredAt(patientId: string, exceptBookingId?: string): Promise<string | undefined> {
    // Newest first; a booking's own corrections are few, so one small page almost always holds the answer.
    const at = (await this.newest(patientId, 25)).find((item) => item.bookingId !== exceptBookingId)?.at;
    return typeof at === 'string' ? at : undefined;
  }

  async screenerSeries(patientId: string, limit: number): Promise<ScreenerPoint[]> {
    const items = await this.newest(patientId, limit);
    const total = (value: unknown) =>
      typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    return items
      .flatMap((item): ScreenerPoint[] => {
        if (
          typeof item.at !== 'string' ||
          typeof item.bookingId !== 'string' ||
          typeof item.replyId !== 'string'
        )
          return [];
        const phq9 = total(item.phq9);
        const gad7 = total(item.gad7);
        return [
          {
            at: item.at,
            bookingId: item.bookingId,
            replyId: item.replyId,
            ...(phq9 === undefined ? {} : { phq9 }),
            ...(gad7 === undefined ? {} : { gad7 }),
          },
        ];
      })
      .reverse();
  }

  /** The patient's latest `limit` screener items, newest first (one page). */
  private async newest(patientId: string, limit: number): Promise<Record<string, unknown>[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :screener)',
        ExpressionAttributeValues: { ':pk': patientKey(patientId), ':screener': 'SCREENER#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    return Items ?? [];
  }
}
