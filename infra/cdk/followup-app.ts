import { type App, type Environment, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks } from 'cdk-nag';
import { type ClinicConfig, ClinicConfigError } from '../../shared/contracts/clinic-config';
import { loadClinicConfig } from '../../shared/domain/messages/config-validation';
import { BUNDLED_CONFIG_CONTEXT, encodeBundledConfig } from '../bundled-config';
import { DataStack } from './data-stack';
import { type EdgeSettings, EdgeStack } from './edge-stack';
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
  requireLinksThroughEdge(config);

  // Every function's bundle carries the config as validated here, so a cold start does not parse it again.
  app.node.setContext(BUNDLED_CONFIG_CONTEXT, encodeBundledConfig(config));

  // cdk-nag 3 runs as a policy validation plugin: unacknowledged findings fail the synth.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new HIPAASecurityChecks(app));
  Tags.of(app).add('project', 'ketamine-followup');

  const data = new DataStack(app, 'KetamineFollowupData', {
    env: options.env,
    busName: config.busName,
    description:
      'Ketamine follow-up: patient data, its key, backups, the link-signing key and staff accounts (stateful)',
  });
  const edgeSettings = edgeSettingsOf(config, options.env.region);
  const edge = edgeSettings ? defineEdge(app, edgeSettings, data, options.env) : undefined;
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
    ...(edge && edgeSettings
      ? {
          edge: {
            originSecretName: edge.originSecretName,
            edgeDomain: edgeSettings.edgeDomain,
            originDomain: edgeSettings.originDomain,
            originCertificateArn: edgeSettings.originCertificateArn,
          },
        }
      : {}),
  });
  // The service reads the edge's secret at deploy: the edge (and the data key its replica uses) go first.
  if (edge) service.addStackDependency(edge);
  return { config, data, service, edge };
}

/**
 * The edge's settings when `protection.edge` is on, every one present (the schema requires them then), or
 * undefined. A regional API takes a certificate of its own region only: said now rather than at deploy.
 */
function edgeSettingsOf(
  config: ClinicConfig,
  region: string | undefined,
): (EdgeSettings & { originCertificateArn: string }) | undefined {
  const { protection } = config;
  if (!protection.edge) return undefined;
  const { edgeDomain, edgeCertificateArn, originDomain, originCertificateArn } = protection;
  if (!edgeDomain || !edgeCertificateArn || !originDomain || !originCertificateArn) {
    throw new Error(
      'protection.edgeDomain, edgeCertificateArn, originDomain and originCertificateArn go with the edge',
    );
  }
  if (region && !originCertificateArn.includes(`:acm:${region}:`)) {
    throw new ClinicConfigError([
      {
        field: 'protection.originCertificateArn',
        message: `must be a certificate in ${region}, the stack's region`,
      },
    ]);
  }
  return {
    edgeDomain,
    edgeCertificateArn,
    originDomain,
    originCertificateArn,
    requestsPerIpPer5Minutes: protection.requestsPerIpPer5Minutes,
    countries: protection.countries,
    originProofGeneration: protection.originProofGeneration,
    clinicPhone: config.clinic.phone,
  };
}

/** The optional edge: its own stack in us-east-1, where CloudFront's web ACLs and certificates live. */
function defineEdge(app: App, settings: EdgeSettings, data: DataStack, env: Environment): EdgeStack {
  const edge = new EdgeStack(app, 'KetamineFollowupEdge', {
    env: { ...(env.account ? { account: env.account } : {}), region: 'us-east-1' },
    description:
      'Ketamine follow-up: CloudFront and AWS WAF in front of patient links and the console (optional)',
    edge: settings,
    serviceRegion: data.region,
    serviceDataKeyAlias: data.keyAlias,
  });
  edge.addStackDependency(data);
  return edge;
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

/** Behind the edge the API answers only CloudFront, so links must use the edge's domain (or leave it to us). */
function requireLinksThroughEdge(config: ClinicConfig): void {
  const { protection, links } = config;
  if (!protection.edge || links.baseUrl === undefined) return;
  const expected = `https://${protection.edgeDomain}`;
  if (links.baseUrl.replace(/\/+$/, '') !== expected) {
    throw new ClinicConfigError([
      {
        field: 'links.baseUrl',
        message: `must be ${expected} (protection.edgeDomain) or left out: behind the edge nothing else reaches the API`,
      },
    ]);
  }
}
