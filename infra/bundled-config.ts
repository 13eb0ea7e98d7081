import type { ClinicConfig } from '../shared/contracts/clinic-config';

/**
 * The global the functions' bundle carries the clinic config in, as synth parsed and validated it (base64 of
 * its JSON: safe on esbuild's command line whatever the templates hold). The AWS composition root reads it.
 */
export const BUNDLED_CONFIG_GLOBAL = '__CLINIC_CONFIG_JSON__';

/** Where the CDK app keeps the encoded config for every function's bundling (construct context). */
export const BUNDLED_CONFIG_CONTEXT = 'followup:bundled-clinic-config';

/** The config as the bundle's constant: a JavaScript string literal of its base64-encoded JSON. */
export function encodeBundledConfig(config: ClinicConfig): string {
  return JSON.stringify(Buffer.from(JSON.stringify(config), 'utf8').toString('base64'));
}
