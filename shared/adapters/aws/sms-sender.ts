import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { OutgoingSms, SmsSender } from '../../domain/ports';

export interface SnsSmsConfig {
  /** Registered toll-free or 10DLC number; without it SNS picks one from the account. */
  originationNumber?: string;
}

/** SMS through SNS, always transactional (reminders and check-ins are not marketing). */
export class SnsSmsSender implements SmsSender {
  constructor(
    private readonly client: SNSClient,
    private readonly config: SnsSmsConfig,
  ) {}

  async send(sms: OutgoingSms): Promise<{ messageId: string }> {
    const output = await this.client.send(
      new PublishCommand({
        PhoneNumber: sms.to,
        Message: sms.text,
        MessageAttributes: {
          'AWS.SNS.SMS.SMSType': { DataType: 'String', StringValue: 'Transactional' },
          ...(this.config.originationNumber
            ? {
                'AWS.MM.SMS.OriginationNumber': {
                  DataType: 'String',
                  StringValue: this.config.originationNumber,
                },
              }
            : {}),
        },
      }),
    );
    return { messageId: output.MessageId ?? 'unknown' };
  }
}
