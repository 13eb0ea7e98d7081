import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { HookSecrets } from '../../domain/hooks/booking-hooks';

/** How long a container trusts a secret it read: a new token or webhook secret is taken within this. */
const MAX_AGE_MS = 5 * 60_000;
/** A fresh read (after a refused delivery) at most this often: forged deliveries cannot flood Secrets Manager. */
const FRESH_GAP_MS = 30_000;

/**
 * The booking webhooks' secrets in Secrets Manager, each kept 5 minutes per container: Cal.com's signing secret
 * (a string) and the FHIR sources' bearer tokens (a JSON object, source name to token).
 */
export class SecretsManagerHookSecrets implements HookSecrets {
  private readonly cache = new Map<string, { value: Promise<string>; at: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly arns: { calcom: string; fhirTokens: string },
    private readonly now: () => number = Date.now,
  ) {}

  calcom(opts: { fresh?: boolean } = {}): Promise<string> {
    return this.read(this.arns.calcom, opts.fresh);
  }

  async fhirTokens(opts: { fresh?: boolean } = {}): Promise<Readonly<Record<string, string>>> {
    return parseFhirTokens(await this.read(this.arns.fhirTokens, opts.fresh));
  }

  private read(arn: string, fresh = false): Promise<string> {
    const cached = this.cache.get(arn);
    const maxAge = fresh ? FRESH_GAP_MS : MAX_AGE_MS;
    if (cached && this.now() - cached.at <= maxAge) return cached.value;
    const value = this.client
      .send(new GetSecretValueCommand({ SecretId: arn }))
      .then((output) => output.SecretString ?? '');
    // A failed read is not kept: the next delivery asks again (the provider retries a 5xx).
    value.catch(() => this.cache.delete(arn));
    this.cache.set(arn, { value, at: this.now() });
    return value;
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
