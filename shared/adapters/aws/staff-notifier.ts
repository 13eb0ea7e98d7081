import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { StaffNotifier, StaffTopic } from '../../domain/ports';

/** The staff SNS topics: email subscribers get subject and text, SMS subscribers the text. */
export class SnsStaffNotifier implements StaffNotifier {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArns: Record<StaffTopic, string>,
  ) {}

  async publish(
    topic: StaffTopic,
    message: { subject: string; text: string },
  ): Promise<{ messageId: string }> {
    const output = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArns[topic],
        Subject: message.subject,
        Message: message.text,
      }),
    );
    return { messageId: output.MessageId ?? 'unknown' };
  }
}
