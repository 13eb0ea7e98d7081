import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseLinkSecret, signingKeysOf } from '../../domain/messages/link-secret';
import type { SigningKeySource, SigningKeys } from '../../domain/ports';

/** How long a container trusts the keys it fetched before it asks again (a rotation shows within this). */
const MAX_AGE_MS = 5 * 60_000;
/** At most one forced refresh per this long, so a flood of bad tokens cannot flood Secrets Manager. */
const REFRESH_GAP_MS = 30_000;

/**
 * The link-signing keys from Secrets Manager (`parseLinkSecret` reads the
 * format), kept for 5 minutes per container. `refresh` asks again at once,
 * for a token signed with a key this container has not seen yet (a rotation
 * just happened); a failed fetch keeps serving the keys it had.
 */
export class SecretsManagerSigningKey implements SigningKeySource {
  private cached: { keys: Promise<SigningKeys>; at: number } | undefined;
  private lastRefresh = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<SigningKeys> {
    const fresh = this.cached && this.now() - this.cached.at <= MAX_AGE_MS ? this.cached : this.load();
    return fresh.keys;
  }

  refresh(): Promise<SigningKeys> {
    if (this.now() - this.lastRefresh >= REFRESH_GAP_MS) {
      this.lastRefresh = this.now();
      this.load();
    }
    return this.get();
  }

  private load(): { keys: Promise<SigningKeys>; at: number } {
    const previous = this.cached;
    const keys = this.fetch().catch((error: unknown) => {
      // Keep serving what worked, and ask again only after the refresh gap (not on every request of an
      // outage); with nothing to fall back on, the next call tries again.
      if (previous) {
        this.cached = { keys: previous.keys, at: this.now() - MAX_AGE_MS + REFRESH_GAP_MS };
        return previous.keys;
      }
      this.cached = undefined;
      throw error;
    });
    this.cached = { keys, at: this.now() };
    return this.cached;
  }

  private async fetch(): Promise<SigningKeys> {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn }));
    return signingKeysOf(parseLinkSecret(output.SecretString ?? ''));
  }
}
