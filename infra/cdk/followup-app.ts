import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { type ClinicConfig, ClinicConfigError } from '../../shared/contracts/clinic-config';
import { loadClinicConfig } from '../../shared/domain/messages/config-validation';
import { DataStack } from './data-stack';
import { ServiceStack } from './service-stack';

export interface FollowupAppOptions {
  /** Account and region of both stacks. */
  readonly env: Environment;
}

/**
 * Parses and validates the clinic config (errors name the field), registers the cdk-nag packs and adds the two
 * stacks to `app`. Shared by `app.ts` and the infra tests so both build the very same app.
 */
export function defineFollowupApp(app: App, configInput: unknown, options: FollowupAppOptions) {
  // Shape (zod) and content (templates render, SMS fit one segment, no PHI in subjects): errors name the field.
  const config = loadClinicConfig(configInput);
  requireStaffRecipients(config);

  // cdk-nag 3 runs as a policy validation plugin: unacknowledged findings fail the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  Tags.of(app).add('project', 'ketamine-followup');

  const data = new DataStack(app, 'KetamineFollowupData', {
    env: options.env,
    busName: config.busName,
    description:
      'Ketamine follow-up: patient data, its key, backups, the link-signing key and staff accounts (stateful)',
  });
  const service = new ServiceStack(app, 'KetamineFollowupService', {
    env: options.env,
    description:
      'Ketamine follow-up: booking events, message scheduling and sending, check-in API, alarms (stateless)',
    config,
    // Without a short link domain, patient links use the check-in API's own URL.
    linkBaseUrl: config.links.baseUrl,
    table: data.table,
    linkSigningSecret: data.linkSigningSecret,
    dataKey: { key: data.key, alias: data.keyAlias },
    staffUserPool: data.staff.pool,
  });
  return { config, data, service };
}

/**
 * A deployed service must tell someone about an urgent reply: a staff topic without subscribers accepts every
 * alert and delivers it to nobody, and no alarm can see that. The local runtime has no such need, so this is
 * checked here, at synth, rather than in the config schema.
 */
function requireStaffRecipients(config: ClinicConfig): void {
  const { staff } = config;
  const errors = [];
  if (staff.alertEmails.length + staff.alertSms.length === 0) {
    errors.push({
      field: 'staff.alertEmails',
      message:
        'a deployed service needs at least one staff alert recipient (staff.alertEmails or staff.alertSms)',
    });
  }
  if (staff.escalationEmails.length + staff.escalationSms.length === 0) {
    errors.push({
      field: 'staff.escalationEmails',
      message:
        'a deployed service needs at least one escalation recipient (staff.escalationEmails or staff.escalationSms)',
    });
  }
  if (errors.length > 0) throw new ClinicConfigError(errors);
}
