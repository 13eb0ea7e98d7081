import type { TestProject } from 'vitest/node';
import { startDynalite } from '../../infra/local/dynalite';
import { ensureChromium } from './chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    dynamoEndpoint: string;
  }
}

/**
 * One dynalite server on loopback for the whole run (each test file creates
 * its own table), and Debian's Chromium for the browser tests.
 */
export default async function setup(project: TestProject) {
  ensureChromium();
  const dynamo = await startDynalite();
  project.provide('dynamoEndpoint', dynamo.endpoint);
  return () => dynamo.close();
}
