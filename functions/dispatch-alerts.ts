import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { awsAlertDeps } from '../shared/adapters/aws/composition';
import { toReply } from '../shared/adapters/dynamodb/reply-store';
import {
  type AlertDeps,
  advanceAlert,
  dispatchReplyAlert,
  sweepAlerts,
} from '../shared/domain/alerts/alerts';

/** The three ways work reaches the alert function. */
export type DispatchAlertsEvent =
  /** The table's stream: new urgent replies (filtered to items on the alert work index). */
  | DynamoDBStreamEvent
  /** The one-minute sweeper schedule, the backstop. */
  | { sweep: true }
  /** An escalation schedule. */
  | { alertId: string };

/**
 * Delivers and escalates staff alerts. A stream batch that fails throws, so
 * Lambda retries it (bisecting) and then parks it; the sweeper redelivers
 * anything still pending a minute later either way, and reports failures in
 * the `AlertDeliveryFailures` metric that the alarms watch.
 */
export function createDispatchAlertsHandler(deps: AlertDeps) {
  return async (event: DispatchAlertsEvent) => {
    try {
      if ('Records' in event) {
        for (const record of event.Records) {
          const image = record.dynamodb?.NewImage;
          if (!image) continue;
          const item = unmarshall(image as Parameters<typeof unmarshall>[0]);
          if (String(item.sk).startsWith('REPLY#') && item.alertId)
            await dispatchReplyAlert(deps, toReply(item));
        }
        return { records: event.Records.length };
      }
      if ('sweep' in event) {
        const result = await sweepAlerts(deps);
        if (result.failed > 0) deps.log.warn('sweep left alert work due', result);
        return result;
      }
      return { step: await advanceAlert(deps, event.alertId) };
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createDispatchAlertsHandler> | undefined;

export const handler = (event: DispatchAlertsEvent) => {
  live ??= createDispatchAlertsHandler(awsAlertDeps());
  return live(event);
};
