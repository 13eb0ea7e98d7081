import { LOCAL_STAFF } from './oidc-provider';
import { DEFAULT_STAFF_PASSWORD, startLocalRuntime } from './runtime';

/** `npm start`: the whole service on loopback, no AWS account needed. */
async function main() {
  const port = Number(process.env.PORT ?? 3000);
  const runtime = await startLocalRuntime({
    port,
    ...(process.env.LOCAL_CLOCK_START ? { clockStart: process.env.LOCAL_CLOCK_START } : {}),
    demo: process.env.LOCAL_DEMO !== '0',
  });
  process.stdout.write(`Clinic follow-up local runtime: ${runtime.url}\n`);
  process.stdout.write(
    `Staff console: ${runtime.url}/console (sign in as ${LOCAL_STAFF.map((a) => a.email).join(', ')}; password ${
      process.env.LOCAL_STAFF_PASSWORD ? 'from LOCAL_STAFF_PASSWORD' : DEFAULT_STAFF_PASSWORD
    })\n`,
  );
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
