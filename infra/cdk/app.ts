import { App } from 'aws-cdk-lib';
import clinicConfig from '../../config/clinic';
import { ClinicConfigError } from '../../shared/contracts/clinic-config';
import { defineFollowupApp } from './followup-app';

const app = new App();
try {
  defineFollowupApp(app, clinicConfig, {
    // Without credentials the account stays a deploy-time token; the region falls back so synth works offline.
    env: {
      account: process.env.CDK_DEFAULT_ACCOUNT,
      region: process.env.CDK_DEFAULT_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
    },
  });
} catch (error) {
  if (!(error instanceof ClinicConfigError)) throw error;
  // The message lists every bad field; a stack trace would only hide it.
  console.error(error.message);
  process.exit(1);
}
