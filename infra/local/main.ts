import { startLocalRuntime } from './runtime';

/** `npm start`: the whole service on loopback, no AWS account needed. */
async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const runtime = await startLocalRuntime({
    port,
    ...(process.env.LOCAL_CLOCK_START ? { clockStart: process.env.LOCAL_CLOCK_START } : {}),
    demo: process.env.LOCAL_DEMO !== '0',
  });
  process.stdout.write(`Clinic follow-up local runtime: ${runtime.url}\n`);
  const stop = () => {
    runtime.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
