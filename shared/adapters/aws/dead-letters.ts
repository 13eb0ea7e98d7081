import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { DeadLetter, DeadLetterSink } from '../../domain/ports';

/** Rejected events go to an encrypted SQS queue with their reason, where an alarm watches them. */
export class SqsDeadLetterSink implements DeadLetterSink {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async keep(letter: DeadLetter): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(letter),
        MessageAttributes: {
          source: { DataType: 'String', StringValue: letter.source },
          reason: { DataType: 'String', StringValue: letter.reason.slice(0, 1000) },
        },
      }),
    );
  }
}
