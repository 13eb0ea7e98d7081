import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { HookSecrets } from '../../domain/hooks/booking-hooks';
import { CachedSecret } from './cached-secret';

/**
 * The booking webhooks' secrets in Secrets Manager, each kept 5 minutes per container (`CachedSecret`):
 * Cal.com's signing secret (a string) and the FHIR sources' bearer tokens (a JSON object, source name to token).
 * `fresh` is asked after a refused delivery: a value rotated a moment ago is read at once, at most every 30 s.
 */
export class SecretsManagerHookSecrets implements HookSecrets {
  private readonly calcomSecret: CachedSecret<string>;
  private readonly tokens: CachedSecret<Readonly<Record<string, string>>>;

  constructor(
    client: SecretsManagerClient,
    arns: { calcom: string; fhirTokens: string },
    now: () => number = Date.now,
  ) {
    this.calcomSecret = new CachedSecret(client, arns.calcom, (text) => text, now);
    this.tokens = new CachedSecret(client, arns.fhirTokens, parseFhirTokens, now);
  }

  calcom(opts: { fresh?: boolean } = {}): Promise<string> {
    return opts.fresh ? this.calcomSecret.refresh() : this.calcomSecret.get();
  }

  fhirTokens(opts: { fresh?: boolean } = {}): Promise<Readonly<Record<string, string>>> {
    return opts.fresh ? this.tokens.refresh() : this.tokens.get();
  }
}

/** The FHIR tokens secret: `{"<source>": "<token>"}`, source names of letters, digits and dashes. */
export function parseFhirTokens(text: string): Readonly<Record<string, string>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error('FHIR tokens secret: must be a JSON object of source name to token');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error('FHIR tokens secret: must be a JSON object of source name to token');
  }
  const tokens: Record<string, string> = {};
  for (const [source, token] of Object.entries(value)) {
    if (!/^[a-z0-9-]{1,32}$/.test(source)) {
      throw new Error(`FHIR tokens secret: source names use a-z, 0-9 and - (1 to 32), not "${source}"`);
    }
    if (typeof token !== 'string' || token.length < 16) {
      throw new Error(`FHIR tokens secret: the token of ${source} must be a string of 16 or more characters`);
    }
    tokens[source] = token;
  }
  return tokens;
}
