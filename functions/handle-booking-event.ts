import type { EventBridgeEvent } from 'aws-lambda';
import { awsBookingEventDeps } from '../shared/adapters/aws/composition';
import {
  type BookingEventDeps,
  type EventOutcome,
  processBookingEvent,
} from '../shared/domain/booking/process-booking-event';

/**
 * EventBridge target for booking events. A rejected event is kept by the use
 * case and answered normally; any other failure throws so Lambda retries the
 * event and then hands it to the on-failure destination.
 */
export function createBookingEventHandler(deps: BookingEventDeps) {
  return async (event: EventBridgeEvent<string, unknown>): Promise<EventOutcome> => {
    try {
      return await processBookingEvent(deps, {
        source: event.source,
        detailType: event['detail-type'],
        detail: event.detail,
      });
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createBookingEventHandler> | undefined;

export const handler = (event: EventBridgeEvent<string, unknown>) => {
  live ??= createBookingEventHandler(awsBookingEventDeps());
  return live(event);
};
