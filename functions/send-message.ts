import { awsMessagingDeps } from '../shared/adapters/aws/composition';
import { sendFunctionPayloadSchema } from '../shared/contracts/schedule-payload';
import {
  type DeliveryResult,
  deliverMessage,
  type MessagingDeps,
} from '../shared/domain/messages/deliver-message';
import {
  checkReadinessAtDeadline,
  type DeadlineOutcome,
  type ReadinessDeps,
} from '../shared/domain/messages/readiness';

/**
 * Target of the message schedules and of the readiness deadlines. A malformed payload or a provider failure
 * throws: Lambda retries twice, then the on-failure destination keeps it.
 */
export function createSendMessageHandler(deps: MessagingDeps & ReadinessDeps) {
  return async (payload: unknown): Promise<DeliveryResult | { readiness: DeadlineOutcome }> => {
    const parsed = sendFunctionPayloadSchema.parse(payload);
    try {
      if ('check' in parsed) {
        const record = await deps.bookings.get(parsed.bookingId);
        return { readiness: await checkReadinessAtDeadline(deps, record, parsed.at) };
      }
      return await deliverMessage(deps, parsed);
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
