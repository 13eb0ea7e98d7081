import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { loadClinicConfig } from '../../shared/domain/config-validation';
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

  // cdk-nag 3 runs as a policy validation plugin: unacknowledged findings fail the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  Tags.of(app).add('project', 'ketamine-followup');

  const data = new DataStack(app, 'KetamineFollowupData', {
    env: options.env,
    description: 'Ketamine follow-up: patient data, its key, backups and the link-signing key (stateful)',
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
  });
  return { config, data, service };
}
