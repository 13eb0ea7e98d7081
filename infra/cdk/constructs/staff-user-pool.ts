import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { STAFF_GROUPS, type StaffGroup } from '../../../shared/domain/console/staff';

/**
 * Who may sign in to the staff console (DESIGN section 10): a Cognito user pool where an admin creates every
 * account (no self sign-up), each staff member signs in with their email, a strong password and an
 * authenticator app (MFA required, no SMS codes), and belongs to the groups `clinician`, `front-desk` and
 * `admin`. Stateful: accounts and their MFA enrolment survive every redeploy of the service.
 */
export class StaffUserPool extends Construct {
  readonly pool: UserPool;
  readonly groups: Readonly<Record<StaffGroup, UserPoolGroup>>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.pool = new UserPool(this, 'Pool', {
      userPoolName: 'ketamine-followup-staff',
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Threat protection (compromised credentials, risky sign-ins) is part of the Plus plan: cents a month
      // for a clinic's staff, and it blocks rather than only reports.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const groups: Partial<Record<StaffGroup, UserPoolGroup>> = {};
    const descriptions: Record<StaffGroup, string> = {
      clinician: 'Clinical staff: alerts, review queue, answers, outcomes',
      'front-desk': 'Front desk: sessions, contact details and message status, never answers',
      admin: 'Audit trail only; add another group for clinical access',
    };
    for (const group of STAFF_GROUPS) {
      groups[group] = this.pool.addGroup(group, { groupName: group, description: descriptions[group] });
    }
    this.groups = groups as Record<StaffGroup, UserPoolGroup>;
  }
}
