import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import clinicConfigInput from '../config/clinic';
import { BUNDLED_CONFIG_GLOBAL, encodeBundledConfig } from '../infra/bundled-config';
import { ENV } from '../shared/contracts/env';
import { loadClinicConfig } from '../shared/domain/messages/config-validation';

const REPO_ROOT = path.resolve(__dirname, '..');

/** The esbuild options `NodejsFunction` gets from infra/cdk/constructs/project-function.ts. */
const CDK_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  keepNames: true,
  mainFields: ['module', 'main'],
  external: [],
  banner: {
    js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
  },
  metafile: true,
  logLevel: 'silent',
  // As `ProjectFunction` bundles: the default clinic config, validated as synth validates it.
  define: { [BUNDLED_CONFIG_GLOBAL]: encodeBundledConfig(loadClinicConfig(clinicConfigInput)) },
};

/** Dummy values for every variable the functions parse; AWS calls go to a closed loopback port, once. */
const FUNCTION_ENV: Record<string, string> = {
  [ENV.tableName]: 'bench-table',
  [ENV.scheduleGroup]: 'bench-group',
  [ENV.schedulerRoleArn]: 'arn:aws:iam::123456789012:role/bench',
  [ENV.sendFunctionArn]: 'arn:aws:lambda:us-east-1:123456789012:function:send',
  [ENV.scheduleDlqArn]: 'arn:aws:sqs:us-east-1:123456789012:dlq',
  [ENV.rejectedEventsQueueUrl]: 'http://127.0.0.1:9/123456789012/rejected',
  [ENV.linkSigningSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:bench',
  [ENV.linkBaseUrl]: 'https://links.example.org',
  [ENV.sesConfigurationSet]: 'bench-tls-required',
  [ENV.smsConfigurationSet]: 'bench-sms',
  [ENV.smsOptOutList]: 'bench-opt-outs',
  [ENV.alertFunctionArn]: 'arn:aws:lambda:us-east-1:123456789012:function:alerts',
  [ENV.consoleSessionSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:console',
  [ENV.consoleBaseUrl]: 'https://links.example.org',
  [ENV.oidcIssuer]: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench',
  [ENV.oidcClientId]: 'bench-client',
  [ENV.eventBusName]: 'bench-bus',
  [ENV.calcomSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:calcom',
  [ENV.fhirTokensSecretArn]: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:fhir',
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
  AWS_MAX_ATTEMPTS: '1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  POWERTOOLS_DEV: 'false',
  POWERTOOLS_LOG_LEVEL: 'CRITICAL',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
};

/** First calls that need no data: each gets as far as its first AWS request, refused on 127.0.0.1:9, as the floor's is. */
const FIRST_CALL: Record<string, unknown> = {
  'send-message': {
    bookingId: 'bench-1',
    kind: 'prep-instructions',
    at: '2026-05-04T14:00:00.000Z',
    version: 1,
  },
  'handle-booking-event': {
    id: 'bench',
    source: 'clinic.booking',
    'detail-type': 'Booking Created',
    detail: { bookingId: 'bench-1', version: 1 },
    time: '2026-05-04T14:00:00Z',
  },
  'handle-checkin-http': {
    rawPath: '/c/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    routeKey: 'GET /c/{token}',
    headers: {},
    pathParameters: { token: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    requestContext: { http: { method: 'GET' } },
    isBase64Encoded: false,
  },
  'dispatch-alerts': { alertId: 'bench-alert' },
  // A request with a session cookie: opening it needs the session secret, the console's first AWS request.
  'handle-console-http': {
    rawPath: '/console/alerts',
    rawQueryString: '',
    headers: {},
    cookies: ['__Host-console-session=bench'],
    requestContext: {
      http: { method: 'GET', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: 'bench',
    },
    isBase64Encoded: false,
  },
  'send-review-digest': {},
  'check-staff-recipients': {},
  // An SES delivery report: finding its message by delivery id is the function's first AWS request.
  'record-delivery-events': {
    source: 'aws.ses',
    time: '2026-05-04T14:00:05Z',
    detail: {
      eventType: 'Delivery',
      mail: { timestamp: '2026-05-04T14:00:00Z', tags: { delivery: ['d_AAAAAAAAAAAAAAAAAAAAAA'] } },
      delivery: { timestamp: '2026-05-04T14:00:04Z' },
    },
  },
  // A patient's text: finding the message it answers is the function's first AWS request.
  'receive-patient-texts': {
    Records: [
      {
        Sns: {
          Message: JSON.stringify({
            originationNumber: '+15555550123',
            destinationNumber: '+18005550100',
            messageBody: 'I feel awful',
            inboundMessageId: 'bench-inbound',
          }),
          Timestamp: '2026-05-04T14:00:00.000Z',
        },
      },
    ],
  },
  // A Cal.com delivery: reading the webhook secret is the function's first AWS request (refused, it answers 503).
  'handle-booking-hooks': {
    rawPath: '/hooks/calcom',
    routeKey: 'POST /hooks/{provider}',
    headers: { 'x-cal-signature-256': '0'.repeat(64) },
    pathParameters: { provider: 'calcom' },
    requestContext: { http: { method: 'POST' } },
    body: JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt: '2026-05-04T14:00:00Z', payload: {} }),
    isBase64Encoded: false,
  },
  // Secrets Manager's first step; describing the secret is the function's first AWS request.
  'rotate-link-key': { SecretId: 'bench-secret', ClientRequestToken: 'bench-version', Step: 'createSecret' },
  empty: {},
};

const HARNESS = `
const [bundle, input] = [process.argv[2], JSON.parse(process.argv[3])];
const booted = performance.now();
const { handler } = await import(bundle);
const imported = performance.now();
let outcome = 'returned';
try { await handler(input); } catch (error) {
  outcome = 'threw ' + (error && error.name) + ': ' + String(error && (error.code || error.message)).replace(/\\s+/g, ' ').slice(0, 60);
}
const called = performance.now();
process.stdout.write(JSON.stringify({ outcome, booted, imported, called }) + '\\n');
process.exit(0);
`;

export interface BundleFigure {
  name: string;
  bytes: number;
  importMs: number;
  ratioToEmpty: number;
  /** Inside the child: evaluating the bundle's module graph. */
  moduleLoadMs: number;
  /** Inside the child: the first handler call, until it settles. */
  firstCallMs: number;
  firstCall: string;
  largestPackages: { name: string; bytes: number }[];
  /** The same SDK clients built and called once, plus the first zoned date: what any version of this function pays. */
  platformFloor: { sdkClients: string[]; bytes: number; importMs: number; ratioToEmpty: number };
  /** The median of the per-round ratios (function and floor spawned back to back): the figure held to the target. */
  ratioToPlatformFloor: number;
  /** The median function time over the median floor time, for comparison with runs before the pairing. */
  ratioOfMedians: number;
  overPlatformFloorMs: number;
}

/**
 * Bundles each `functions/*.ts` as the CDK does and times `node` from spawn to
 * the first handler call settling (median of `runs`), beside an empty handler
 * bundled and timed the same way in the same run, and beside its platform
 * floor, spawned right before or after it in each round.
 */
export async function measureBundles(runs: number) {
  const dir = mkdtempSync(path.join(tmpdir(), 'followup-bench-'));
  try {
    writeFileSync(path.join(dir, 'harness.mjs'), HARNESS);
    const emptyEntry = path.join(dir, 'empty.ts');
    writeFileSync(emptyEntry, 'export const handler = async (_event: unknown) => ({});\n');
    const entries = readdirSync(path.join(REPO_ROOT, 'functions'))
      .filter((f) => f.endsWith('.ts'))
      .sort()
      .map((f) => ({ name: f.replace(/\.ts$/, ''), entry: path.join(REPO_ROOT, 'functions', f) }));
    const functions: Bundle[] = [];
    for (const { name, entry } of [{ name: 'empty', entry: emptyEntry }, ...entries])
      functions.push(await bundle(dir, name, entry));
    // Each function's platform floor: its AWS SDK clients and the first zoned date, without our code.
    const floors: Bundle[] = [];
    for (const fn of functions.filter((b) => b.name !== 'empty')) {
      const entry = path.join(dir, `floor-${fn.name}.ts`);
      writeFileSync(entry, platformFloorSource(sdkClientsIn(fn.metafile)));
      floors.push(await bundle(dir, `floor-${fn.name}`, entry));
    }
    const built = [...functions, ...floors];
    // Interleave the runs so the empty bundle and the functions see the same machine state.
    const times = new Map<string, number[]>(built.map((b) => [b.name, []]));
    const moduleTimes = new Map<string, number[]>(built.map((b) => [b.name, []]));
    const callTimes = new Map<string, number[]>(built.map((b) => [b.name, []]));
    const outcomes = new Map<string, string>();
    // Each function's ratio to its floor, per round: the two are spawned back to back (in alternating order),
    // so a drift of the machine between rounds moves both alike instead of the ratio.
    const ratios = new Map<string, number[]>(functions.map((b) => [b.name, []]));
    const timed = async (b: Bundle, run: number) => {
      const { ms, outcome, moduleMs, callMs } = await spawnTimed(dir, b.file, FIRST_CALL[b.name] ?? {});
      // The first round only warms the page cache.
      if (run > 0) {
        times.get(b.name)?.push(ms);
        moduleTimes.get(b.name)?.push(moduleMs);
        callTimes.get(b.name)?.push(callMs);
      }
      outcomes.set(b.name, outcome);
      return ms;
    };
    for (let run = 0; run < runs + 1; run++) {
      for (const b of functions) {
        const floor = floors.find((f) => f.name === `floor-${b.name}`);
        if (!floor) {
          await timed(b, run);
          continue;
        }
        const [first, second] = run % 2 === 0 ? [b, floor] : [floor, b];
        const firstMs = await timed(first, run);
        const secondMs = await timed(second, run);
        const [fnMs, floorMs] = first === b ? [firstMs, secondMs] : [secondMs, firstMs];
        if (run > 0) ratios.get(b.name)?.push(fnMs / floorMs);
      }
    }
    const median = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const mid = Math.floor(s.length / 2);
      return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
    };
    const emptyMs = median(times.get('empty') ?? []);
    const figures: BundleFigure[] = functions
      .filter((b) => b.name !== 'empty')
      .map((b) => {
        const importMs = median(times.get(b.name) ?? []);
        const floorMs = median(times.get(`floor-${b.name}`) ?? []);
        const floor = floors.find((f) => f.name === `floor-${b.name}`);
        return {
          name: b.name,
          bytes: b.bytes,
          importMs: Math.round(importMs * 10) / 10,
          ratioToEmpty: Math.round((importMs / emptyMs) * 100) / 100,
          moduleLoadMs: Math.round(median(moduleTimes.get(b.name) ?? []) * 10) / 10,
          firstCallMs: Math.round(median(callTimes.get(b.name) ?? []) * 10) / 10,
          firstCall: outcomes.get(b.name) ?? 'unknown',
          largestPackages: largestPackages(b.metafile, 5),
          platformFloor: {
            sdkClients: sdkClientsIn(b.metafile),
            bytes: floor?.bytes ?? 0,
            importMs: Math.round(floorMs * 10) / 10,
            ratioToEmpty: Math.round((floorMs / emptyMs) * 100) / 100,
          },
          ratioToPlatformFloor: Math.round(median(ratios.get(b.name) ?? []) * 100) / 100,
          ratioOfMedians: Math.round((importMs / floorMs) * 100) / 100,
          overPlatformFloorMs: Math.round((importMs - floorMs) * 10) / 10,
        };
      });
    const empty = functions.find((b) => b.name === 'empty');
    return {
      bundles: figures,
      empty: {
        bytes: empty?.bytes ?? 0,
        importMs: Math.round(emptyMs * 10) / 10,
        moduleLoadMs: Math.round(median(moduleTimes.get('empty') ?? []) * 10) / 10,
      },
      runs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Bundle {
  name: string;
  file: string;
  bytes: number;
  metafile: Metafile;
}

async function bundle(dir: string, name: string, entry: string): Promise<Bundle> {
  const outdir = path.join(dir, name);
  mkdirSync(outdir);
  const file = path.join(outdir, 'index.mjs');
  const result = await build({
    ...CDK_BUNDLING,
    entryPoints: [entry],
    outfile: file,
    absWorkingDir: REPO_ROOT,
    nodePaths: [path.join(REPO_ROOT, 'node_modules')],
  });
  return { name, file, bytes: statSync(file).size, metafile: result.metafile ?? { inputs: {}, outputs: {} } };
}

/** The AWS SDK client classes a bundle contains, read from esbuild's metafile. */
function sdkClientsIn(metafile: Metafile): string[] {
  const byPackage = bytesByPackage(metafile);
  return Object.keys(SDK_CLIENTS).filter((name) => (byPackage.get(`@aws-sdk/${name}`) ?? 0) > 0);
}

/** Package -> client class; `lib-dynamodb` wraps the DynamoDB client as our adapters do. */
const SDK_CLIENTS: Record<string, string> = {
  'client-dynamodb': 'DynamoDBClient',
  'lib-dynamodb': 'DynamoDBDocumentClient',
  'client-scheduler': 'SchedulerClient',
  'client-secrets-manager': 'SecretsManagerClient',
  'client-sesv2': 'SESv2Client',
  'client-pinpoint-sms-voice-v2': 'PinpointSMSVoiceV2Client',
  'client-sqs': 'SQSClient',
};

/**
 * A handler that builds each client, formats one zoned date (the first Intl time-zone use loads ICU's
 * zone data, which every one of our functions needs) and makes one DynamoDB request, refused like the
 * functions' first calls.
 */
function platformFloorSource(clients: string[]): string {
  if (!clients.includes('client-dynamodb')) throw new Error('every function is expected to use DynamoDB');
  const imports = clients
    .filter((c) => c !== 'client-dynamodb')
    .map((c) => `import { ${SDK_CLIENTS[c]} } from '@aws-sdk/${c}';`);
  const built = clients
    .filter((c) => c !== 'client-dynamodb' && c !== 'lib-dynamodb')
    .map((c) => `new ${SDK_CLIENTS[c]}({})`);
  const wrap = clients.includes('lib-dynamodb') ? 'DynamoDBDocumentClient.from(dynamo)' : 'dynamo';
  return [
    "import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';",
    ...imports,
    'export const handler = async (_event: unknown) => {',
    '  const dynamo = new DynamoDBClient({});',
    `  const clients = [${[wrap, ...built].join(', ')}];`,
    "  const zone = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', timeZoneName: 'short' }).format(0);",
    "  await clients[0].send(new GetItemCommand({ TableName: 'bench', Key: { pk: { S: 'floor' } } }));",
    '  return zone;',
    '};',
    '',
  ].join('\n');
}

/** Spawns `node harness.mjs bundle input` and answers the ms until it reports the first call settled. */
function spawnTimed(
  dir: string,
  file: string,
  input: unknown,
): Promise<{ ms: number; outcome: string; moduleMs: number; callMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [path.join(dir, 'harness.mjs'), file, JSON.stringify(input)], {
      env: { PATH: process.env.PATH ?? '', ...FUNCTION_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let settledAt: number | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (settledAt === undefined && /(^|\n)\{"outcome"[^\n]*\n/.test(out)) settledAt = performance.now();
    });
    child.on('error', reject);
    child.on('close', () => {
      const line = out.split('\n').find((l) => l.startsWith('{"outcome"'));
      if (settledAt === undefined || !line) return reject(new Error(`no first call from ${file}: ${out}`));
      const report = JSON.parse(line) as {
        outcome: string;
        booted: number;
        imported: number;
        called: number;
      };
      resolve({
        ms: settledAt - started,
        outcome: report.outcome,
        moduleMs: report.imported - report.booted,
        callMs: report.called - report.imported,
      });
    });
  });
}

/** The `top` largest packages in the output, by bytes. */
function largestPackages(metafile: Metafile, top: number) {
  return [...bytesByPackage(metafile).entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([name, bytes]) => ({ name, bytes }));
}

/** Bytes in the output by npm package (or `project` for our own code). */
function bytesByPackage(metafile: Metafile): Map<string, number> {
  const byPackage = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const name = match?.[1] ?? 'project';
      byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
    }
  }
  return byPackage;
}
