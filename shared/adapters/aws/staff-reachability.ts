import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  GetSuppressedDestinationCommand,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import {
  CheckIfPhoneNumberIsOptedOutCommand,
  GetSMSSandboxAccountStatusCommand,
  ListSMSSandboxPhoneNumbersCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { Reachability, StaffReachability } from '../../domain/alerts/staff-recipient-check';
import type { StaffRecipient } from '../../domain/ports';

const REACHABLE: Reachability = { reachable: true };

/**
 * Asks SES and SNS about a staff recipient without sending anything: the
 * account's suppression list and sending state, and in the SES sandbox
 * whether the address (or its domain) is verified; for a phone, the SMS
 * opt-out list and, in the SMS sandbox, whether the number is verified.
 */
export class ProviderStaffReachability implements StaffReachability {
  constructor(
    private readonly ses: SESv2Client,
    private readonly sns: SNSClient,
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
    const { isOptedOut } = await this.sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber }));
    if (isOptedOut) return { reachable: false, reason: 'sms-opted-out' };
    const { IsInSandbox } = await this.sns.send(new GetSMSSandboxAccountStatusCommand({}));
    if (!IsInSandbox) return REACHABLE;
    let NextToken: string | undefined;
    do {
      const page = await this.sns.send(new ListSMSSandboxPhoneNumbersCommand({ NextToken }));
      const listed = page.PhoneNumbers?.find((number) => number.PhoneNumber === phoneNumber);
      if (listed)
        return listed.Status === 'Verified'
          ? REACHABLE
          : { reachable: false, reason: 'sms-sandbox-unverified' };
      NextToken = page.NextToken;
    } while (NextToken);
    return { reachable: false, reason: 'sms-sandbox-unverified' };
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && (error.name === 'NotFoundException' || error.name === 'NotFound');
}
