import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/** How long a container trusts a value it read before it asks again (a rotation shows within this). */
const MAX_AGE_MS = 5 * 60_000;
/** At most one forced refresh per this long, so a flood of bad tokens cannot flood Secrets Manager. */
const REFRESH_GAP_MS = 30_000;

/**
 * One secret's value from Secrets Manager, read through `parse` and kept for 5 minutes per container.
 * `refresh` asks again at once (a value seen to be refused may just have been rotated), at most every 30 s; a
 * failed fetch keeps serving what it had, and with nothing to fall back on the next call tries again.
 */
export class CachedSecret<T> {
  private cached: { value: Promise<T>; at: number } | undefined;
  private lastRefresh = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly parse: (secretString: string) => T,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<T> {
    const fresh = this.cached && this.now() - this.cached.at <= MAX_AGE_MS ? this.cached : this.load();
    return fresh.value;
  }

  refresh(): Promise<T> {
    if (this.now() - this.lastRefresh >= REFRESH_GAP_MS) {
      this.lastRefresh = this.now();
      this.load();
    }
    return this.get();
  }

  private load(): { value: Promise<T>; at: number } {
    const previous = this.cached;
    const value = this.fetch().catch((error: unknown) => {
      // Keep serving what worked, and ask again only after the refresh gap (not on every request of an
      // outage); with nothing to fall back on, the next call tries again.
      if (previous) {
        this.cached = { value: previous.value, at: this.now() - MAX_AGE_MS + REFRESH_GAP_MS };
        return previous.value;
      }
      this.cached = undefined;
      throw error;
    });
    this.cached = { value, at: this.now() };
    return this.cached;
  }

  private async fetch(): Promise<T> {
    const output = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    return this.parse(output.SecretString ?? '');
  }
}
