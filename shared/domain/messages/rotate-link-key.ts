import type { Log } from '../ports';
import { type LinkSecret, nextLinkSecret, parseLinkSecret, rotationWorks } from './link-secret';

/** The steps Secrets Manager calls a rotation function with, in order. */
export type RotationStep = 'createSecret' | 'setSecret' | 'testSecret' | 'finishSecret';

export interface RotationEvent {
  SecretId: string;
  ClientRequestToken: string;
  Step: RotationStep;
}

/** The secret's versions, as Secrets Manager keeps them. */
export interface SecretVersions {
  /** Whether rotation is on, and the staging labels of each version id. */
  describe(secretId: string): Promise<{ rotationEnabled: boolean; stages: Record<string, string[]> }>;
  /** The value of the version with that label (and id, when given); undefined when there is none. */
  value(
    secretId: string,
    stage: 'AWSCURRENT' | 'AWSPENDING',
    versionId?: string,
  ): Promise<string | undefined>;
  /** Stores `value` as version `versionId`, labelled AWSPENDING (idempotent per version id). */
  putPending(secretId: string, versionId: string, value: string): Promise<void>;
  /** Moves AWSCURRENT to `versionId` from `fromVersionId`. */
  promote(secretId: string, versionId: string, fromVersionId: string): Promise<void>;
}

export interface RotationDeps {
  secrets: SecretVersions;
  /** A fresh random key, as text (at least 32 characters). */
  freshKey: () => string;
  log: Log;
}

/**
 * The link-signing key's rotation function (DESIGN section 8): a new key
 * becomes current and the old one previous, so every link in flight still
 * opens. Each step is idempotent, as Secrets Manager may call it again.
 * Nothing of a key is ever logged.
 */
export async function rotateLinkKey(deps: RotationDeps, event: RotationEvent): Promise<void> {
  const { SecretId: secretId, ClientRequestToken: version, Step: step } = event;
  const { rotationEnabled, stages } = await deps.secrets.describe(secretId);
  if (!rotationEnabled) throw new Error('rotation is not enabled on the link signing secret');
  const labels = stages[version];
  if (!labels) throw new Error('the rotation version is not a version of the secret');
  // Already current (a step called again after finishSecret): nothing left to do.
  if (labels.includes('AWSCURRENT')) {
    deps.log.info('link key rotation step already done', { step });
    return;
  }
  if (!labels.includes('AWSPENDING')) throw new Error('the rotation version is not pending');

  const current = async (): Promise<LinkSecret> =>
    parseLinkSecret((await deps.secrets.value(secretId, 'AWSCURRENT')) ?? '');
  switch (step) {
    case 'createSecret': {
      if ((await deps.secrets.value(secretId, 'AWSPENDING', version)) !== undefined) break;
      const next = nextLinkSecret(await current(), deps.freshKey());
      await deps.secrets.putPending(secretId, version, JSON.stringify(next));
      break;
    }
    case 'setSecret':
      // The key is ours alone: no other system to give it to.
      break;
    case 'testSecret': {
      const pending = parseLinkSecret((await deps.secrets.value(secretId, 'AWSPENDING', version)) ?? '');
      if (!rotationWorks(await current(), pending)) {
        throw new Error('the pending link key does not sign, or loses the links signed before it');
      }
      break;
    }
    case 'finishSecret': {
      const from = Object.entries(stages).find(([, l]) => l.includes('AWSCURRENT'))?.[0];
      if (from === undefined) throw new Error('the link signing secret has no current version');
      if (from !== version) await deps.secrets.promote(secretId, version, from);
      break;
    }
    default:
      throw new Error('unknown rotation step');
  }
  deps.log.info('link key rotation step done', { step });
}
