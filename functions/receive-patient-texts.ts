import { awsInboundSmsDeps } from '../shared/adapters/aws/composition';
import { parseInboundSmsPayload } from '../shared/adapters/aws/inbound-sms';
import {
  handleInboundSms,
  type InboundOutcome,
  type PatientTextDeps,
} from '../shared/domain/messages/inbound-sms';

/**
 * Patients' texts to the clinic's number (DESIGN section 11), from the number's two-way SNS topic. A text
 * that cannot be read is kept with its reason; any other failure throws, so the invocation is retried and
 * then kept by the on-failure queue.
 */
export function createPatientTextsHandler(deps: PatientTextDeps) {
  return async (payload: unknown): Promise<(InboundOutcome | 'kept')[]> => {
    try {
      const outcomes: (InboundOutcome | 'kept')[] = [];
      for (const parsed of parseInboundSmsPayload(payload)) {
        if (parsed.type === 'malformed') {
          await deps.deadLetters.keep({
            source: 'patient-texts',
            reason: parsed.reason,
            at: deps.clock.now(),
            detail: parsed.payload,
          });
          deps.metrics.count('InboundSmsUnreadable');
          outcomes.push('kept');
        } else outcomes.push(await handleInboundSms(deps, parsed.text));
      }
      return outcomes;
    } finally {
      deps.metrics.flush();
    }
  };
}

let live: ReturnType<typeof createPatientTextsHandler> | undefined;

export const handler = (payload: unknown) => {
  live ??= createPatientTextsHandler(awsInboundSmsDeps());
  return live(payload);
};
