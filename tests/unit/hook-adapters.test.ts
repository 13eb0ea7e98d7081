import { createHmac } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { createBookingHooksHandler } from '../../functions/handle-booking-hooks';
import { EventBridgePublisher } from '../../shared/adapters/aws/event-publisher';
import { parseFhirTokens, SecretsManagerHookSecrets } from '../../shared/adapters/aws/hook-secrets';
import { HOOK_EVENT_SOURCE } from '../../shared/contracts/booking-events';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { EDGE_ORIGIN_HEADER } from '../../shared/contracts/edge';
import { METRIC } from '../../shared/contracts/metrics';
import { type BookingHookDeps, receiveBookingHook } from '../../shared/domain/hooks/booking-hooks';
import type { HookBookingState } from '../../shared/domain/hooks/booking-versions';
import { fhirSourceOf } from '../../shared/domain/hooks/fhir-hook';
import type { HookEvent } from '../../shared/domain/hooks/hook-delivery';

const events = mockClient(EventBridgeClient);
const secrets = mockClient(SecretsManagerClient);
beforeEach(() => {
  events.reset();
  secrets.reset();
});

describe('EventBridgePublisher', () => {
  const event: HookEvent = {
    source: HOOK_EVENT_SOURCE,
    detailType: 'Booking Cancelled',
    detail: { bookingId: 'calcom:u-1', version: 2 },
  };

  it('puts each event on the bus with its detail as JSON', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
    await new EventBridgePublisher(new EventBridgeClient({}), 'clinic-bookings').publish([event]);
    expect(events).toHaveReceivedCommandWith(PutEventsCommand, {
      Entries: [
        {
          EventBusName: 'clinic-bookings',
          Source: HOOK_EVENT_SOURCE,
          DetailType: 'Booking Cancelled',
          Detail: '{"bookingId":"calcom:u-1","version":2}',
        },
      ],
    });
  });

  it('throws when the bus answers 200 with a failed entry, naming its error code', async () => {
    events.on(PutEventsCommand).resolves({
      FailedEntryCount: 1,
      Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }],
    });
    await expect(
      new EventBridgePublisher(new EventBridgeClient({}), 'clinic-bookings').publish([event]),
    ).rejects.toThrow(/1 entries failed \(InternalFailure\)/);
  });
});

const config = parseClinicConfig(clinicConfigInput);
/** The hook's deps in memory: what it put, and which metrics it counted. */
function deps(overrides: Partial<BookingHookDeps> = {}) {
  const counted: string[] = [];
  const put: HookEvent[] = [];
  const states = new Map<string, HookBookingState>();
  const value: BookingHookDeps = {
    config,
    clock: { now: () => '2026-06-01T12:00:00.000Z' },
    source: HOOK_EVENT_SOURCE,
    versions: {
      bookingOf: async () => undefined,
      alias: async () => {},
      state: async (_provider, bookingId) => states.get(bookingId),
      advance: async (_provider, state) => {
        states.set(state.bookingId, state);
        return true;
      },
    },
    publish: async (batch) => void put.push(...batch),
    deadLetters: { keep: async () => {} },
    secrets: {
      calcom: async () => 'signing-secret',
      fhirTokens: async () => ({}),
    },
    patientIdKey: { get: async () => 'k' },
    metrics: { count: (name) => void counted.push(name), flush: () => {} },
    log: { info: () => {}, warn: () => {}, error: () => {} },
    ...overrides,
  };
  return { value, counted, put };
}

describe('SecretsManagerHookSecrets', () => {
  const arns = { calcom: 'arn:calcom', fhirTokens: 'arn:fhir' };

  it('reads each secret once per 5 minutes per container', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'arn:calcom' })
      .resolves({ SecretString: 'signing' })
      .on(GetSecretValueCommand, { SecretId: 'arn:fhir' })
      .resolves({ SecretString: '{"ehr":"0123456789abcdef-token"}' });
    let now = 0;
    const source = new SecretsManagerHookSecrets(new SecretsManagerClient({}), arns, () => now);
    expect(await source.calcom()).toBe('signing');
    expect(await source.fhirTokens()).toEqual({ ehr: '0123456789abcdef-token' });
    await source.calcom();
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    now = 5 * 60_000 + 1;
    await source.calcom();
    expect(secrets).toHaveReceivedCommandTimes(GetSecretValueCommand, 3);
  });

  it('takes a secret rotated a moment ago on the first delivery it refuses, reading fresh at most every 30 s', async () => {
    secrets
      .on(GetSecretValueCommand, { SecretId: 'arn:calcom' })
      .resolvesOnce({ SecretString: 'old-secret' })
      .resolves({ SecretString: 'new-secret' });
    let now = 0;
    const source = new SecretsManagerHookSecrets(new SecretsManagerClient({}), arns, () => now);
    const { value: hookDeps, counted } = deps({ secrets: source });
    const body = JSON.stringify({ triggerEvent: 'PING', createdAt: '2026-06-01T11:00:00Z', payload: {} });
    const signed = (secret: string) => ({
      provider: 'calcom',
      rawBody: body,
      headers: { 'x-cal-signature-256': createHmac('sha256', secret).update(body).digest('hex') },
    });
    expect((await receiveBookingHook(hookDeps, signed('old-secret'))).status).toBe(200);
    now = 31_000;
    // Rotated: the cached value refuses it, the fresh read takes it.
    expect((await receiveBookingHook(hookDeps, signed('new-secret'))).status).toBe(200);
    const reads = () => secrets.commandCalls(GetSecretValueCommand, { SecretId: 'arn:calcom' }).length;
    expect(reads()).toBe(2);
    // A forged delivery reads fresh only once the 30 s have passed since the last read.
    now = 40_000;
    expect((await receiveBookingHook(hookDeps, signed('forged'))).status).toBe(401);
    expect(reads()).toBe(2);
    now = 62_000;
    expect((await receiveBookingHook(hookDeps, signed('forged'))).status).toBe(401);
    expect(reads()).toBe(3);
    // Two forged deliveries, two refusals counted; the rotated one, refused once by the cache, none.
    expect(counted.filter((name) => name === METRIC.hookRefused)).toHaveLength(2);
  });

  it('asks again after a failed read instead of keeping the failure', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new Error('throttled'))
      .resolves({ SecretString: '{"ehr":"0123456789abcdef-token"}' });
    const source = new SecretsManagerHookSecrets(new SecretsManagerClient({}), arns);
    await expect(source.fhirTokens()).rejects.toThrow('throttled');
    expect(await source.fhirTokens()).toEqual({ ehr: '0123456789abcdef-token' });
  });

  it('refuses a tokens secret that is not an object of source names to long tokens', () => {
    expect(() => parseFhirTokens('not json')).toThrow(/JSON object/);
    expect(() => parseFhirTokens('["a"]')).toThrow(/JSON object/);
    expect(() => parseFhirTokens('{"Epic EHR":"0123456789abcdef"}')).toThrow(/source names/);
    expect(() => parseFhirTokens('{"ehr":"short"}')).toThrow(/16 or more/);
    expect(parseFhirTokens('{"ehr":"0123456789abcdef","lab-2":"fedcba9876543210"}')).toEqual({
      ehr: '0123456789abcdef',
      'lab-2': 'fedcba9876543210',
    });
  });
});

describe('fhirSourceOf', () => {
  const tokens = { ehr: 'token-of-the-ehr-0001', lab: 'token-of-the-lab-0002' };

  it('names the source whose bearer token the header carries, and no other', () => {
    expect(fhirSourceOf('Bearer token-of-the-lab-0002', tokens)).toBe('lab');
    expect(fhirSourceOf('bearer token-of-the-ehr-0001', tokens)).toBe('ehr');
    for (const header of [
      undefined,
      '',
      'token-of-the-ehr-0001',
      'Basic token-of-the-ehr-0001',
      'Bearer token-of-the-ehr-000',
      'Bearer token-of-the-ehr-00011',
      'Bearer ',
    ]) {
      expect(fhirSourceOf(header, tokens), String(header)).toBeUndefined();
    }
    expect(fhirSourceOf('Bearer x', { empty: '' })).toBeUndefined();
  });
});

describe('the booking-hooks function', () => {
  const body = JSON.stringify({
    triggerEvent: 'BOOKING_CANCELLED',
    createdAt: '2026-06-01T11:00:00Z',
    payload: { uid: 'u-9' },
  });
  const request = (overrides: Partial<APIGatewayProxyEventV2> = {}) =>
    ({
      routeKey: 'POST /hooks/{provider}',
      rawPath: '/hooks/calcom',
      pathParameters: { provider: 'calcom' },
      headers: { 'x-cal-signature-256': createHmac('sha256', 'signing-secret').update(body).digest('hex') },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' } },
      ...overrides,
    }) as unknown as APIGatewayProxyEventV2;

  it('answers a delivery with the JSON of its outcome, a base64 body read as the text it was', async () => {
    const { value, put } = deps();
    const handler = createBookingHooksHandler(value);
    const answer = await handler(
      request({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true }),
    );
    expect(answer).toEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ bookingId: 'calcom:u-9', version: 1 }),
    });
    expect(put.map((e) => e.detailType)).toEqual(['Booking Cancelled']);
  });

  it('answers 503 when the bus fails, so the provider retries, and counts it', async () => {
    const { value, counted } = deps({
      publish: async () => {
        throw new Error('PutEvents: 1 entries failed');
      },
    });
    const answer = await createBookingHooksHandler(value)(request());
    expect(answer.statusCode).toBe(503);
    expect(counted).toContain(METRIC.hookFailed);
  });

  it('answers 404 to a provider it does not serve, and to a route that is not its own', async () => {
    const { value } = deps();
    const handler = createBookingHooksHandler(value);
    const other = await handler(request({ pathParameters: { provider: 'acuity' } }));
    expect(other.statusCode).toBe(404);
    expect(other.body).toContain('provider: must be one of calcom, fhir');
    expect((await handler(request({ routeKey: 'GET /hooks/{provider}' }))).statusCode).toBe(404);
  });

  it('refuses a request that did not come through the edge when the edge is on', async () => {
    const { value, put } = deps();
    const handler = createBookingHooksHandler(value, { accepted: async () => ['proof-1'] });
    expect((await handler(request())).statusCode).toBe(403);
    const through = request();
    through.headers[EDGE_ORIGIN_HEADER] = 'proof-1';
    expect((await handler(through)).statusCode).toBe(200);
    expect(put).toHaveLength(1);
  });
});
