import {
  DescribeAccountAttributesCommand,
  DescribeOptedOutNumbersCommand,
  DescribeVerifiedDestinationNumbersCommand,
  type PinpointSMSVoiceV2Client,
} from '@aws-sdk/client-pinpoint-sms-voice-v2';
import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  GetSuppressedDestinationCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import type { Reachability, StaffReachability } from '../../domain/alerts/staff-recipient-check';
import type { StaffRecipient } from '../../domain/ports';

const REACHABLE: Reachability = { reachable: true };

/**
 * Asks SES and End User Messaging about a staff recipient without sending
 * anything: the account's suppression list and sending state, and in the SES
 * sandbox whether the address (or its domain) is verified; for a phone, the
 * clinic's opt-out list and, in the SMS sandbox, whether the number is a
 * verified destination.
 */
export class ProviderStaffReachability implements StaffReachability {
  constructor(
    private readonly ses: SESv2Client,
    private readonly sms: PinpointSMSVoiceV2Client,
    /** The opt-out list the clinic's numbers use (the stack's; `Default` if the number keeps AWS's). */
    private readonly optOutList: string,
  ) {}

  check(recipient: StaffRecipient): Promise<Reachability> {
    return recipient.channel === 'email' ? this.email(recipient.address) : this.phone(recipient.address);
  }

  private async email(address: string): Promise<Reachability> {
    try {
      const { SuppressedDestination } = await this.ses.send(
        new GetSuppressedDestinationCommand({ EmailAddress: address }),
      );
      if (SuppressedDestination)
        return { reachable: false, reason: `ses-suppressed:${SuppressedDestination.Reason ?? 'unknown'}` };
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    const account = await this.ses.send(new GetAccountCommand({}));
    if (account.SendingEnabled === false) return { reachable: false, reason: 'ses-sending-paused' };
    if (account.ProductionAccessEnabled === false) {
      // In the sandbox SES only delivers to verified identities: the address itself, or its domain.
      const domain = address.split('@')[1] ?? address;
      for (const identity of [address, domain]) {
        if (await this.verified(identity)) return REACHABLE;
      }
      return { reachable: false, reason: 'ses-sandbox-unverified' };
    }
    return REACHABLE;
  }

  private async verified(identity: string): Promise<boolean> {
    try {
      const found = await this.ses.send(new GetEmailIdentityCommand({ EmailIdentity: identity }));
      return found.VerifiedForSendingStatus === true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async phone(phoneNumber: string): Promise<Reachability> {
    if (await this.optedOut(phoneNumber)) return { reachable: false, reason: 'sms-opted-out' };
    const { AccountAttributes } = await this.sms.send(new DescribeAccountAttributesCommand({}));
    const tier = AccountAttributes?.find((attribute) => attribute.Name === 'ACCOUNT_TIER')?.Value;
    if (tier !== 'SANDBOXED') return REACHABLE;
    // In the SMS sandbox only verified destinations get texts.
    const { VerifiedDestinationNumbers } = await this.sms.send(
      new DescribeVerifiedDestinationNumbersCommand({ DestinationPhoneNumbers: [phoneNumber] }),
    );
    return VerifiedDestinationNumbers?.some((number) => number.Status === 'VERIFIED')
      ? REACHABLE
      : { reachable: false, reason: 'sms-sandbox-unverified' };
  }

  private async optedOut(phoneNumber: string): Promise<boolean> {
    try {
      const { OptedOutNumbers } = await this.sms.send(
        new DescribeOptedOutNumbersCommand({
          OptOutListName: this.optOutList,
          OptedOutNumbers: [phoneNumber],
        }),
      );
      return (OptedOutNumbers ?? []).length > 0;
    } catch (error) {
      // A number not on the list is "not found"; a missing list is not, and is thrown on.
      const resourceType = (error as { ResourceType?: string }).ResourceType;
      if (
        error instanceof Error &&
        error.name === 'ResourceNotFoundException' &&
        resourceType === 'opted-out-number'
      )
        return false;
      throw error;
    }
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NotFoundException' || error.name === 'NotFound');
}
