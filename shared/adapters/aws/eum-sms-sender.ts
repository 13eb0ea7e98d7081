import {
  ConflictException,
  type PinpointSMSVoiceV2Client,
  SendTextMessageCommand,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import { AddressRefusedError, type OutgoingSms, type SmsSender } from '../../domain/ports';

export interface EumSmsConfig {
  /** The registered number or pool (its id or ARN); without it End User Messaging picks one of the account's. */
  originationIdentity?: string;
  /** The configuration set whose event destination reports each message's delivery. */
  configurationSet: string;
  /** The most we pay for one message part, in US dollars (`"0.05"`); a pricier route is refused. */
  maxPrice: string;
  /** Seconds the carrier may keep trying; a reminder that lands after its time is worse than none. */
  timeToLiveSeconds: number;
}

/**
 * SMS through AWS End User Messaging SMS (DESIGN section 11): always
 * transactional, from the clinic's origination identity, through the
 * configuration set, with a price cap and a time to live. `Context` carries
 * the message's opaque delivery id (never PHI), which comes back on every
 * delivery event.
 */
export class EumSmsSender implements SmsSender {
  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly config: EumSmsConfig,
  ) {}

  async send(sms: OutgoingSms): Promise<{ messageId: string }> {
    const output = await this.client
      .send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: sms.to,
          ...(this.config.originationIdentity
            ? { OriginationIdentity: this.config.originationIdentity }
            : {}),
          MessageBody: sms.text,
          MessageType: 'TRANSACTIONAL',
          ConfigurationSetName: this.config.configurationSet,
          MaxPrice: this.config.maxPrice,
          TimeToLive: this.config.timeToLiveSeconds,
          Context: { kind: sms.kind, ...(sms.deliveryId ? { delivery: sms.deliveryId } : {}) },
        }),
      )
      .catch((error: unknown) => {
        // The phone is on the opt-out list (it texted STOP): no retry will change that.
        if (error instanceof ConflictException && error.Reason === 'DESTINATION_PHONE_NUMBER_OPTED_OUT')
          throw new AddressRefusedError('opted-out', 'ConflictException DESTINATION_PHONE_NUMBER_OPTED_OUT');
        throw error;
      });
    return { messageId: output.MessageId ?? 'unknown' };
  }
}
