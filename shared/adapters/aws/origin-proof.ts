import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { OriginProofSource } from '../../contracts/edge';

/** How long a container trusts the values it read (a rotation is taken within this). */
const MAX_AGE_MS = 5 * 60_000;
/** After a failed read, how long before asking again. */
const RETRY_MS = 30_000;

/**
 * The origin-proof values from Secrets Manager: the secret's current and previous versions, so a rotation
 * (new value put, then CloudFront redeployed) never refuses a request. Kept for 5 minutes per container; a
 * failed read keeps the values it had. With none ever read (Secrets Manager down at a cold start) it answers
 * undefined, and the check is skipped: the proof only shows a request passed the web ACL, every request still
 * needs a signed link or a session, and refusing patients during an outage would be worse.
 */
export class SecretsManagerOriginProof implements OriginProofSource {
  private cached: { values: readonly string[] | undefined; at: number; ok: boolean } | undefined;
  private loading: Promise<readonly string[] | undefined> | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly now: () => number = Date.now,
  ) {}

  accepted(): Promise<readonly string[] | undefined> {
    const cached = this.cached;
    if (cached && this.now() - cached.at < (cached.ok ? MAX_AGE_MS : RETRY_MS)) {
      return Promise.resolve(cached.values);
    }
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load(): Promise<readonly string[] | undefined> {
    try {
      const [current, previous] = await Promise.all([
        this.version('AWSCURRENT'),
        this.version('AWSPREVIOUS'),
      ]);
      if (current === undefined) throw new Error('the origin proof has no current value');
      const values = previous === undefined ? [current] : [current, previous];
      this.cached = { values, at: this.now(), ok: true };
      return values;
    } catch {
      const values = this.cached?.values;
      this.cached = { values, at: this.now(), ok: false };
      return values;
    }
  }

  private async version(stage: 'AWSCURRENT' | 'AWSPREVIOUS'): Promise<string | undefined> {
    try {
      const output = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretId, VersionStage: stage }),
      );
      return output.SecretString || undefined;
    } catch (error) {
      // A secret never rotated has no previous version.
      if (stage === 'AWSPREVIOUS' && (error as { name?: string }).name === 'ResourceNotFoundException')
        return undefined;
      throw error;
    }
  }
}
