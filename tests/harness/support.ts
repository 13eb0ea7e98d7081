import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { inject } from 'vitest';
import clinicConfigInput from '../../config/clinic';
import { type LocalRuntime, startLocalRuntime } from '../../infra/local/runtime';
import { DynamoAlertStore } from '../../shared/adapters/dynamodb/alert-store';
import { DynamoBookingStore } from '../../shared/adapters/dynamodb/booking-store';
import { DynamoLinkStore } from '../../shared/adapters/dynamodb/link-store';
import { DynamoMessageLog } from '../../shared/adapters/dynamodb/message-log';
import { DynamoNoticeStore } from '../../shared/adapters/dynamodb/notice-store';
import { DynamoReadinessStore } from '../../shared/adapters/dynamodb/readiness-store';
import { DynamoReplyStore } from '../../shared/adapters/dynamodb/reply-store';
import { DynamoStaffSendStore } from '../../shared/adapters/dynamodb/staff-send-store';
import { parseClinicConfig } from '../../shared/contracts/clinic-config';
import { sendFunctionPayloadSchema } from '../../shared/contracts/schedule-payload';
import type { Channel, MessageKind } from '../../shared/contracts/vocabulary';
import { type AlertDeps, advanceAlert } from '../../shared/domain/alerts/alerts';
import { deliverMessage, withDueMessageSender } from '../../shared/domain/messages/deliver-message';
import { checkReadinessAtDeadline } from '../../shared/domain/messages/readiness';
import type {
  AlertSchedulePayload,
  DeadLetter,
  Log,
  MessageLog,
  Metrics,
  OutgoingEmail,
  OutgoingSms,
  ReadinessCheckPayload,
  Schedule,
  SchedulePayload,
  StaffNotifier,
} from '../../shared/domain/ports';
import { shiftIso } from '../../shared/domain/time';
import { freshTable } from '../support/dynamo';

/*
 * Shared pieces of the reliability harness: the clinic config, a scheduler
 * fake that fires schedules in time order with Lambda's async retries, real
 * DynamoDB stores on the run's dynalite, seeded randomness, and helpers for
 * the local runtime's HTTP endpoints.
 */

export const config = parseClinicConfig(clinicConfigInput);

export const silentLog: Log = { info: () => {}, warn: () => {}, error: () => {} };
export const noMetrics: Metrics = { count: () => {}, flush: () => {} };

/** Lambda retries a failed async invocation twice, then hands it to the on-failure destination. */
export const ASYNC_ATTEMPTS = 3;

/** A small, seeded PRNG (mulberry32): the same seed gives the same faults. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type SimSchedule =
  | (Schedule<SchedulePayload | ReadinessCheckPayload> & {
      target: 'send-message';
      attempts: number;
      seq: number;
    })
  | (Schedule<AlertSchedulePayload> & { target: 'dispatch-alerts'; attempts: number; seq: number });

/**
 * EventBridge Scheduler in memory: one-time schedules for the send function
 * and the alert function, fired in time order (ties in creation order), each
 * deleted once it fires. Records every upsert and remove.
 */
export class SimScheduler {
  readonly schedules = new Map<string, SimSchedule>();
  readonly upserts: string[] = [];
  readonly removes: string[] = [];
  private seq = 0;

  readonly messages = {
    upsert: async (schedule: Schedule<SchedulePayload | ReadinessCheckPayload>) => {
      // A real schedule payload is JSON and must match the send function's contract.
      sendFunctionPayloadSchema.parse(schedule.payload);
      this.upserts.push(schedule.name);
      this.schedules.set(schedule.name, {
        ...schedule,
        target: 'send-message',
        attempts: 0,
        seq: ++this.seq,
      });
    },
    remove: async (name: string) => {
      this.removes.push(name);
      this.schedules.delete(name);
    },
  };

  readonly alerts = {
    upsert: async (schedule: Schedule<AlertSchedulePayload>) => {
      this.upserts.push(schedule.name);
      this.schedules.set(schedule.name, {
        ...schedule,
        target: 'dispatch-alerts',
        attempts: 0,
        seq: ++this.seq,
      });
    },
    remove: async (name: string) => {
      this.removes.push(name);
      this.schedules.delete(name);
    },
  };

  pending(): SimSchedule[] {
    return [...this.schedules.values()].sort(
      (a, b) => Date.parse(a.fireAt) - Date.parse(b.fireAt) || a.seq - b.seq,
    );
  }

  /** Removes and returns the earliest schedule due at or before `until`. */
  takeNextDue(until: string): SimSchedule | undefined {
    const next = this.pending()[0];
    if (!next || Date.parse(next.fireAt) > Date.parse(until)) return undefined;
    this.schedules.delete(next.name);
    return next;
  }

  /** Re-queues a failed invocation, as Lambda retries an async one. */
  retry(schedule: SimSchedule, fireAt: string): void {
    this.schedules.set(schedule.name, {
      ...schedule,
      fireAt,
      attempts: schedule.attempts + 1,
      seq: ++this.seq,
    });
  }
}

/** A clock that only moves forward, as a real one does. */
export class ForwardClock {
  constructor(private current: string) {}
  now(): string {
    return this.current;
  }
  moveTo(iso: string): void {
    if (Date.parse(iso) > Date.parse(this.current)) this.current = new Date(Date.parse(iso)).toISOString();
  }
}

/** One provider call that was accepted: which planned message and channel it delivered. */
export interface Sent {
  bookingId: string;
  kind: MessageKind;
  /** Planned time of the message, from the send claim the call was made under. */
  at: string;
  channel: Channel;
  sentAt: string;
}

export interface ProviderCall {
  channel: Channel;
  email?: OutgoingEmail;
  sms?: OutgoingSms;
}

export interface HarnessOptions {
  clockStart: string;
  /** Called before a provider accepts; throw to make the provider fail. */
  beforeSend?: (call: ProviderCall) => void | Promise<void>;
  /** Called with each accepted send, after its planned time was looked up. */
  onSent?: (sent: Sent) => void | Promise<void>;
}

/**
 * Real DynamoDB stores on a fresh dynalite table, the real use cases, and
 * fakes for the clock, the Scheduler and the providers. Every accepted send
 * is recorded with the planned time of the claim it was made under.
 */
export async function messagingHarness(options: HarnessOptions) {
  const { db, tableName } = await freshTable();
  const clock = new ForwardClock(options.clockStart);
  const scheduler = new SimScheduler();
  const sent: Sent[] = [];
  const deadLetters: DeadLetter[] = [];
  const realLog = new DynamoMessageLog(db, tableName);
  const identityErrors: string[] = [];
  const deskEmails: OutgoingEmail[] = [];
  /** The planned time of the latest successful claim per booking, kind and channel: the send that follows is that message. */
  const claimed = new Map<string, string>();
  const messageLog: MessageLog = {
    claim: async (ref, channel, opts) => {
      const result = await realLog.claim(ref, channel, opts);
      if (result === 'claimed') claimed.set(`${ref.bookingId}|${ref.kind}|${channel}`, ref.at);
      return result;
    },
    markSent: (ref, channel, opts) => realLog.markSent(ref, channel, opts),
    markFailed: (ref, channel, opts) => realLog.markFailed(ref, channel, opts),
    markRefused: (ref, channel, opts) => realLog.markRefused(ref, channel, opts),
    recordSkip: (ref, opts) => realLog.recordSkip(ref, opts),
    list: (bookingId) => realLog.list(bookingId),
    entryOf: (ref, channel) => realLog.entryOf(ref, channel),
    textsSince: (digest, since) => realLog.textsSince(digest, since),
  };

  async function accept(channel: Channel, bookingId: string, kind: MessageKind) {
    const key = `${bookingId}|${kind}|${channel}`;
    const at = claimed.get(key);
    if (at === undefined) identityErrors.push(`${key}: sent without a claim`);
    claimed.delete(key);
    const record: Sent = { bookingId, kind, at: at ?? '?', channel, sentAt: clock.now() };
    sent.push(record);
    await options.onSent?.(record);
    return { messageId: `${channel}-${sent.length}` };
  }

  const deps = withDueMessageSender({
    config,
    clock,
    bookings: new DynamoBookingStore(db, tableName, { clinicTimeZone: config.clinic.timeZone }),
    messageLog,
    links: new DynamoLinkStore(db, tableName),
    signingKey: { get: async () => new Uint8Array(32).fill(3) },
    linkBaseUrl: 'https://care.example.org',
    mailer: {
      send: async (email) => {
        // The front desk's notices (a readiness deadline passed unanswered) are not patient messages.
        if (email.kind === 'front-desk-notice') return { messageId: `desk-${deskEmails.push(email)}` };
        await options.beforeSend?.({ channel: 'email', email });
        return accept('email', email.bookingId ?? '', email.kind as MessageKind);
      },
    },
    sms: {
      send: async (sms) => {
        await options.beforeSend?.({ channel: 'sms', sms });
        return accept('sms', sms.bookingId ?? '', sms.kind as MessageKind);
      },
    },
    scheduler: scheduler.messages,
    deadLetters: { keep: async (letter: DeadLetter) => void deadLetters.push(letter) },
    readiness: new DynamoReadinessStore(db, tableName),
    notices: new DynamoNoticeStore(db, tableName),
    consoleBaseUrl: 'https://care.example.org',
    metrics: noMetrics,
    log: silentLog,
  });
  return { db, tableName, clock, scheduler, sent, deadLetters, deps, identityErrors, deskEmails };
}

export type MessagingHarness = Awaited<ReturnType<typeof messagingHarness>>;

/**
 * Moves the clock to `until`, firing every message schedule due on the way in
 * time order through the real send use case. A failed invocation is retried a
 * minute later, at most three attempts in all, then kept in the DLQ with its
 * reason, as Lambda's async invocation does.
 */
export async function fireDue(h: MessagingHarness, until: string, alertDeps?: AlertDeps): Promise<number> {
  let fired = 0;
  for (;;) {
    const due = h.scheduler.takeNextDue(until);
    if (!due) break;
    h.clock.moveTo(due.fireAt);
    fired++;
    try {
      if (due.target === 'send-message') {
        const payload = sendFunctionPayloadSchema.parse(due.payload);
        if ('check' in payload)
          await checkReadinessAtDeadline(h.deps, await h.deps.bookings.get(payload.bookingId), payload.at);
        else await deliverMessage(h.deps, payload);
      } else if (alertDeps) {
        await advanceAlert(alertDeps, due.payload.alertId);
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (due.attempts + 1 < ASYNC_ATTEMPTS) h.scheduler.retry(due, shiftIso(h.clock.now(), { minutes: 1 }));
      else h.deadLetters.push({ source: due.target, reason, at: h.clock.now(), detail: due.payload });
    }
  }
  h.clock.moveTo(until);
  return fired;
}

/** The alert side on the same table: real alert, send and reply stores, staff channels that fail when told to. */
export function alertHarness(h: MessagingHarness, send: StaffNotifier['send']) {
  const alerts = new DynamoAlertStore(h.db, h.tableName);
  const replies = new DynamoReplyStore(h.db, h.tableName);
  const alertDeps: AlertDeps = {
    config,
    clock: h.clock,
    alerts,
    sends: new DynamoStaffSendStore(h.db, h.tableName),
    staff: { send },
    scheduler: h.scheduler.alerts,
    linkBaseUrl: h.deps.linkBaseUrl,
    metrics: noMetrics,
    log: silentLog,
  };
  return { alerts, replies, alertDeps };
}

/** A key for one message on one channel: booking, kind, planned time (as an instant) and channel. */
export function messageKey(m: { bookingId: string; kind: string; at: string; channel: string }): string {
  return `${m.bookingId}|${m.kind}|${Date.parse(m.at)}|${m.channel}`;
}

/** Groups values by key and answers the keys seen more than once. */
export function duplicates(keys: string[]): string[] {
  const counts = new Map<string, number>();
  for (const key of keys) counts.set(key, (counts.get(key) ?? 0) + 1);
  return [...counts].filter(([, n]) => n > 1).map(([key, n]) => `${key} x${n}`);
}

/** The run's dynalite endpoint (for files that need it directly). */
export const dynamoEndpoint = () => inject('dynamoEndpoint');

// ---------------------------------------------------------------------------
// The local runtime over HTTP
// ---------------------------------------------------------------------------

export interface OutboxEntry {
  channel: 'email' | 'sms' | 'staff';
  to: string;
  /** Staff entries: which staff messages (`alerts`, `escalation`). */
  topic?: string;
  kind?: string;
  bookingId?: string;
  subject?: string;
  text: string;
  html?: string;
  at: string;
}

export interface HttpAnswer {
  status: number;
  type: string;
  text: string;
  headers: Record<string, string>;
}

/** A small client for one local runtime. */
/** What the local runtime takes from a booking system (DESIGN section 6): the signed body, or the bearer token. */
export function localHookCredentials(provider: 'calcom' | 'fhir', body: string): Record<string, string> {
  return provider === 'calcom'
    ? { 'x-cal-signature-256': createHmac('sha256', 'local-calcom-secret').update(body).digest('hex') }
    : { authorization: 'Bearer local-fhir-token' };
}

export function runtimeClient(runtime: LocalRuntime) {
  // A fresh connection per request (no keep-alive pool), so one refused upload cannot reset the next request.
  const request = (
    method: string,
    path: string,
    body?: string,
    contentType = 'application/json',
    extraHeaders: Record<string, string> = {},
  ): Promise<HttpAnswer> =>
    new Promise((resolve, reject) => {
      const req = httpRequest(
        runtime.url + path,
        {
          method,
          agent: false,
          headers: {
            ...(body !== undefined
              ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) }
              : {}),
            ...extraHeaders,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              type: String(res.headers['content-type'] ?? ''),
              text: Buffer.concat(chunks).toString('utf8'),
              headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
            }),
          );
        },
      );
      // The server may answer (413) and close before the whole upload is written.
      req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'EPIPE' ? undefined : reject(error)));
      req.end(body);
    });
  const getJson = async <T>(path: string): Promise<T> => JSON.parse((await request('GET', path)).text) as T;
  return {
    request,
    get: (path: string) => request('GET', path),
    postJson: (path: string, value: unknown) => request('POST', path, JSON.stringify(value)),
    /** A booking webhook delivery with the local credentials: Cal.com's signature, FHIR's bearer token. */
    postHook: (provider: 'calcom' | 'fhir', body: string, headers?: Record<string, string>) =>
      request(
        'POST',
        `/hooks/${provider}`,
        body,
        'application/json',
        headers ?? localHookCredentials(provider, body),
      ),
    postRaw: (path: string, body: string, contentType = 'application/json') =>
      request('POST', path, body, contentType),
    getJson,
    now: async () => (await getJson<{ now: string }>('/local/clock')).now,
    advance: (to: string) => request('POST', '/local/clock', JSON.stringify({ to })),
    outbox: () => getJson<OutboxEntry[]>('/local/outbox'),
  };
}

export type RuntimeClient = ReturnType<typeof runtimeClient>;

/** Starts a local runtime on a free loopback port with no demo booking. */
export async function startQuietRuntime(clockStart: string): Promise<LocalRuntime> {
  return startLocalRuntime({ port: 0, demo: false, clockStart });
}

/** The first link of a page kind (`c`, `i`, `a`, `r`) in a text, as a path. */
export function linkPath(text: string, page: 'c' | 'i' | 'a' | 'r'): string | undefined {
  const match = new RegExp(`https?://[^\\s"'<>]+/${page}/([A-Za-z0-9_-]+)`).exec(text);
  return match ? `/${page}/${match[1]}` : undefined;
}

/** Polls (real time) until `ok` holds, for work the runtime does right after answering. */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  tries = 100,
): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await read();
    if (ok(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return read();
}

/** Markup from input that would run in a browser or mail client: a script tag, an event handler, a javascript: URL. */
export function unsafeMarkup(html: string): string[] {
  const found: string[] = [];
  if (/<script\b/i.test(html)) found.push('<script');
  for (const [tag] of html.matchAll(/<[a-zA-Z][^<>]*>/g)) {
    if (/\son[a-z]+\s*=/i.test(tag)) found.push(tag);
    if (/\s(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:/i.test(tag)) found.push(tag);
    if (/^<(?:img|iframe|object|embed)\b/i.test(tag)) found.push(tag);
  }
  return found;
}
