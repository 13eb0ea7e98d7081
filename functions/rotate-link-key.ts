import { awsKeyRotationDeps } from '../shared/adapters/aws/composition';
import {
  type RotationDeps,
  type RotationEvent,
  rotateLinkKey,
} from '../shared/domain/messages/rotate-link-key';

const STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

/** Secrets Manager's rotation function for the link-signing key; anything else it is handed is refused. */
export function createRotateLinkKeyHandler(deps: RotationDeps) {
  return async (event: unknown): Promise<void> => {
    const { SecretId, ClientRequestToken, Step } = (event ?? {}) as Record<string, unknown>;
    if (
      typeof SecretId !== 'string' ||
      typeof ClientRequestToken !== 'string' ||
      !STEPS.includes(String(Step))
    ) {
      throw new Error('not a Secrets Manager rotation event (SecretId, ClientRequestToken, Step)');
    }
    await rotateLinkKey(deps, { SecretId, ClientRequestToken, Step } as RotationEvent);
  };
}

let live: ReturnType<typeof createRotateLinkKeyHandler> | undefined;

export const handler = (event: unknown) => {
  live ??= createRotateLinkKeyHandler(awsKeyRotationDeps());
  return live(event);
};
