import type { ClinicConfig } from '../../contracts/clinic-config';
import { METRIC } from '../../contracts/metrics';
import type { Metrics } from '../ports';
import { receiveCalcomDelivery } from './calcom-hook';
import { receiveFhirDelivery } from './fhir-hook';
import type { HookAnswer, HookDeps } from './hook-delivery';

/** The providers `POST /hooks/{provider}` serves (DESIGN section 12). */
export const HOOK_PROVIDERS = ['calcom', 'fhir'] as const;

/** Each provider's secrets: Secrets Manager on AWS (cached per container), the config's locally. */
export interface HookSecrets {
  /** Cal.com's webhook secret. */
  calcom(opts?: { fresh?: boolean }): Promise<string>;
  /** Each FHIR source's bearer token, by the source's name. */
  fhirTokens(opts?: { fresh?: boolean }): Promise<Readonly<Record<string, string>>>;
}

export interface BookingHookDeps extends HookDeps {
  config: Pick<ClinicConfig, 'hooks' | 'clinic'>;
  secrets: HookSecrets;
  /** Keys the hash of a Cal.com attendee's email that is their patient id; made once, never changed. */
  patientIdKey: { get(): Promise<string> };
}

/** One delivery to `/hooks/{provider}`: the provider's hook, given its secrets; any other provider is 404. */
export async function receiveBookingHook(
  deps: BookingHookDeps,
  request: { provider: string; rawBody: string; headers: Readonly<Record<string, string | undefined>> },
): Promise<HookAnswer> {
  const header = (name: string) =>
    Object.entries(request.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  // A 401 reads the secret once more, fresh: a value just rotated is taken at once, not after the cache's age.
  // Only the last try's refusal is counted: one forged delivery, one count.
  const refusedThenFresh = async (deliver: (fresh: boolean, metrics: Metrics) => Promise<HookAnswer>) => {
    const firstTry: Metrics = {
      count: (name, value) => (name === METRIC.hookRefused ? undefined : deps.metrics.count(name, value)),
      flush: () => deps.metrics.flush(),
    };
    const answer = await deliver(false, firstTry);
    return answer.status === 401 ? deliver(true, deps.metrics) : answer;
  };
  if (request.provider === 'calcom') {
    const signature = header('x-cal-signature-256');
    return refusedThenFresh(async (fresh, metrics) => {
      const [secret, patientIdKey] = await Promise.all([
        deps.secrets.calcom({ fresh }),
        deps.patientIdKey.get(),
      ]);
      return receiveCalcomDelivery(
        { ...deps, metrics, secret, patientIdKey, eventTypes: deps.config.hooks.calcom.eventTypes },
        { rawBody: request.rawBody, ...(signature ? { signature } : {}) },
      );
    });
  }
  if (request.provider === 'fhir') {
    const authorization = header('authorization');
    return refusedThenFresh(async (fresh, metrics) =>
      receiveFhirDelivery(
        {
          ...deps,
          metrics,
          tokens: await deps.secrets.fhirTokens({ fresh }),
          treatments: deps.config.hooks.fhir.treatments,
          timeZone: deps.config.clinic.timeZone,
        },
        { rawBody: request.rawBody, ...(authorization ? { authorization } : {}) },
      ),
    );
  }
  return { status: 404, body: { error: `provider: must be one of ${HOOK_PROVIDERS.join(', ')}` } };
}
