import { awsMessagingDeps } from '../shared/adapters/aws/composition';
import { schedulePayloadSchema } from '../shared/contracts/schedule-payload';
import {
  type DeliveryResult,
  deliverMessage,
  type MessagingDeps,
} from '../shared/domain/messages/deliver-message';

/**
 * Target of the message schedules. A malformed payload or a provider failure
 * throws: Lambda retries twice, then the on-failure destination keeps it.
 */
export function createSendMessageHandler(deps: MessagingDeps) {
  return async (payload: unknown): Promise<DeliveryResult> => {
    const ref = schedulePayloadSchema.parse(payload);
    try {
      return await deliverMessage(deps, ref);
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createSendMessageHandler> | undefined;

export const handler = (payload: unknown) => {
  live ??= createSendMessageHandler(awsMessagingDeps());
  return live(payload);
};
