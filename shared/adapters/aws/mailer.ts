import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Mailer, OutgoingEmail } from '../../domain/ports';

export interface SesMailerConfig {
  from: string;
  replyTo?: string;
  configurationSet?: string;
}

/** Email through SES v2: text and HTML parts and attachments in one Simple message. */
export class SesMailer implements Mailer {
  constructor(
    private readonly client: SESv2Client,
    private readonly config: SesMailerConfig,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    const output = await this.client.send(
      new SendEmailCommand({
        FromEmailAddress: this.config.from,
        Destination: { ToAddresses: [email.to] },
        ...(this.config.replyTo ? { ReplyToAddresses: [this.config.replyTo] } : {}),
        ...(this.config.configurationSet ? { ConfigurationSetName: this.config.configurationSet } : {}),
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              ...(email.html === undefined ? {} : { Html: { Data: email.html, Charset: 'UTF-8' } }),
            },
            ...(email.attachments
              ? {
                  Attachments: email.attachments.map((attachment) => ({
                    FileName: attachment.filename,
                    ContentType: attachment.contentType,
                    RawContent: new TextEncoder().encode(attachment.content),
                    ContentDisposition: 'ATTACHMENT' as const,
                  })),
                }
              : {}),
          },
        },
        // Tags carry the kind and the opaque delivery id only: they reach SES event destinations and must not carry PHI.
        EmailTags: [
          { Name: 'kind', Value: email.kind },
          ...(email.deliveryId ? [{ Name: 'delivery', Value: email.deliveryId }] : []),
        ],
      }),
    );
    return { messageId: output.MessageId ?? 'unknown' };
  }
}
