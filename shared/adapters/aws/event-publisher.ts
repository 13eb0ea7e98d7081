import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { HookEvent } from '../../domain/hooks/hook-delivery';

/**
 * Puts booking events on the bus. PutEvents answers 200 even when entries fail, so a failed entry is thrown
 * here: the hook then answers 5xx and the provider retries (the repeat puts the same event again).
 */
export class EventBridgePublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(events: HookEvent[]): Promise<void> {
    const output = await this.client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.busName,
          Source: event.source,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    if ((output.FailedEntryCount ?? 0) > 0) {
      const codes = (output.Entries ?? []).flatMap((entry) => (entry.ErrorCode ? [entry.ErrorCode] : []));
      throw new Error(`PutEvents: ${output.FailedEntryCount} entries failed (${codes.join(', ')})`);
    }
  }
}
