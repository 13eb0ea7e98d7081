import { type DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { PatientRecords, ScreenerPoint } from '../../domain/console/ports';
import { patientKey } from './screener-history';

/**
 * The patient's partition as the console reads it: the screener totals the
 * check-in function writes (`SCREENER#<at>#<replyId>`), the latest first, one
 * bounded query.
 */
export class DynamoPatientRecords implements PatientRecords {
  constructor(
    private readonly db: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async screenerSeries(patientId: string, limit: number): Promise<ScreenerPoint[]> {
    const { Items } = await this.db.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :screener)',
        ExpressionAttributeValues: { ':pk': patientKey(patientId), ':screener': 'SCREENER#' },
        ScanIndexForward: false,
        Limit: limit,
      }),
    );
    const total = (value: unknown) =>
      typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    return (Items ?? [])
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
}
