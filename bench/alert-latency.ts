import { DateTime } from 'luxon';
import { startLocalRuntime } from '../infra/local/runtime';
import { startBenchRuntime } from './composition';
import { bookingDetail } from './session';

const ZONE = 'America/New_York';
const CLOCK_START = '2026-05-04T14:00:00.000Z';
const URGENT = {
  mood: 2,
  selfHarm: 'yes',
  selfHarmNow: 'no',
  sideEffects: { panic: 'severe' },
  note: 'bench',
};

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  n: number;
}

export function summarize(samples: number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? Number.NaN;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    p50: round(at(0.5)),
    p99: round(at(0.99)),
    max: round(sorted.at(-1) ?? Number.NaN),
    mean: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
    n: sorted.length,
  };
}

/** The bookings' session: the day after the clock starts, 09:00 in New York. */
function sessionStart() {
  return DateTime.fromISO(CLOCK_START).setZone(ZONE).plus({ days: 1 }).set({ hour: 9, minute: 0 });
}

const linkOf = (text: string) => text.match(/\/c\/[A-Za-z0-9_-]+/)?.[0];

/**
 * Wall time from the urgent reply's POST (real HTTP on loopback) to the staff
 * message being handed to the staff-topic adapter, through the local runtime's
 * composition rebuilt in bench/ with the staff notifier wrapped (the runtime
 * itself takes no notifier). Replies go one at a time, each on its own
 * booking's same-day check-in link: a further urgent reply on a booking whose
 * alert is still open joins that alert and pages nobody again (DESIGN section 7).
 */
export async function measureAlertLatency(replies: number, warmup: number) {
  const bookings = replies + warmup;
  let waiting: ((at: number) => void) | undefined;
  const runtime = await startBenchRuntime({
    clockStart: CLOCK_START,
    capacity: false,
    onStaffSend: () => {
      const at = performance.now();
      waiting?.(at);
      waiting = undefined;
    },
  });
  try {
    const url = await runtime.listen();
    const start = sessionStart();
    for (let i = 0; i < bookings; i++) {
      await runtime.putEvent('clinic.booking', 'Booking Created', {
        ...bookingDetail(`bench-alert-${i}`, 1, start.toISO() ?? ''),
      });
    }
    await runtime.advanceTo(start.plus({ hours: 5, minutes: 1 }).toUTC().toISO() ?? '');
    const links = runtime.outbox.entries
      .filter((m) => m.channel === 'email' && m.kind === 'checkin-same-day')
      .map((m) => linkOf(m.text))
      .filter((l): l is string => l !== undefined);
    if (links.length !== bookings)
      throw new Error(`expected ${bookings} check-in links, found ${links.length}`);

    const handoff: number[] = [];
    const response: number[] = [];
    for (let i = 0; i < warmup + replies; i++) {
      const published = new Promise<number>((resolve, reject) => {
        waiting = resolve;
        setTimeout(() => reject(new Error('no staff message within 5 s')), 5000).unref();
      });
      const t0 = performance.now();
      const res = await fetch(url + links[i % links.length], {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(URGENT),
      });
      await res.arrayBuffer();
      const answered = performance.now();
      if (res.status !== 201) throw new Error(`urgent reply answered ${res.status}`);
      const at = await published;
      if (i >= warmup) {
        handoff.push(at - t0);
        response.push(answered - t0);
      }
    }
    return {
      ...summarize(handoff),
      patientResponseMs: summarize(response),
      method:
        'bench composition (infra/local adapters + real handlers + dynalite), staff notifier wrapped; POST over loopback HTTP, one reply at a time',
    };
  } finally {
    await runtime.close();
  }
}

/**
 * Cross-check through `startLocalRuntime` itself, which has no hook on the
 * staff notifier: after each POST, poll `GET /local/outbox` until the staff
 * message appears. Polling costs the runtime's event loop time too, so this
 * is an upper bound.
 */
export async function measureAlertLatencyViaRuntime(replies: number, warmup: number) {
  const quiet = process.env.LOCAL_QUIET;
  process.env.LOCAL_QUIET = '1';
  const runtime = await startLocalRuntime({ port: 0, demo: false, clockStart: CLOCK_START });
  const post = (path: string, body: unknown) =>
    fetch(runtime.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  type Entry = { channel: string; kind?: string; text: string };
  const outbox = async () => (await (await fetch(`${runtime.url}/local/outbox`)).json()) as Entry[];
  try {
    const start = sessionStart();
    // One booking per reply: a further urgent reply on an open alert pages nobody again.
    for (let i = 0; i < warmup + replies; i++) {
      await post('/local/events', {
        Source: 'clinic.booking',
        DetailType: 'Booking Created',
        Detail: bookingDetail(`bench-runtime-${i}`, 1, start.toISO() ?? ''),
      });
    }
    await post('/local/clock', { to: start.plus({ hours: 5, minutes: 1 }).toUTC().toISO() });
    const links = (await outbox())
      .filter((m) => m.channel === 'email' && m.kind === 'checkin-same-day')
      .map((m) => linkOf(m.text))
      .filter((l): l is string => l !== undefined);
    if (links.length !== warmup + replies) throw new Error('no check-in link from the local runtime');
    const samples: number[] = [];
    for (let i = 0; i < warmup + replies; i++) {
      const before = (await outbox()).filter((m) => m.channel === 'staff').length;
      const t0 = performance.now();
      const res = await post(links[i] ?? '', URGENT);
      await res.arrayBuffer();
      if (res.status !== 201) throw new Error(`urgent reply answered ${res.status}`);
      let seenAt: number | undefined;
      for (let poll = 0; poll < 5000 && seenAt === undefined; poll++) {
        if ((await outbox()).filter((m) => m.channel === 'staff').length > before) seenAt = performance.now();
      }
      if (seenAt === undefined) throw new Error('no staff message in the outbox');
      if (i >= warmup) samples.push(seenAt - t0);
    }
    return {
      ...summarize(samples),
      method:
        'startLocalRuntime({port:0, demo:false}); POST /c/{token}, then poll GET /local/outbox (upper bound)',
    };
  } finally {
    await runtime.close();
    if (quiet === undefined) delete process.env.LOCAL_QUIET;
    else process.env.LOCAL_QUIET = quiet;
  }
}
