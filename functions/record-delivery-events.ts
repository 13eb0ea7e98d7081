import { awsDeliveryEventDeps } from '../shared/adapters/aws/composition';
import { parseDeliveryPayload } from '../shared/adapters/aws/delivery-events';
import {
  type DeliveryEventDeps,
  type DeliveryOutcome,
  recordDeliveryEvent,
} from '../shared/domain/messages/delivery-events';

/**
 * What providers say became of each message (DESIGN section 11): SES events from the default bus, End User
 * Messaging SMS events through the configuration set's SNS topic. An unreadable event is kept with its
 * reason; any other failure throws, so the invocation is retried and then kept by the on-failure queue.
 */
export function createDeliveryEventsHandler(deps: DeliveryEventDeps) {
  return async (payload: unknown): Promise<DeliveryOutcome[]> => {
    try {
      const outcomes: DeliveryOutcome[] = [];
      for (const parsed of parseDeliveryPayload(payload))
        outcomes.push(await recordDeliveryEvent(deps, parsed));
      return outcomes;
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createDeliveryEventsHandler> | undefined;

export const handler = (payload: unknown) => {
  live ??= createDeliveryEventsHandler(awsDeliveryEventDeps());
  return live(payload);
};
