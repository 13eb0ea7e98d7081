import type { TestProject } from 'vitest/node';
import { startDynalite } from '../../infra/local/dynalite';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/** One dynalite server on loopback for the whole run; each test file creates its own table. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynalite();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.close();
}
