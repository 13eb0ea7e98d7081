import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventSchemaFiles, serialise } from '../../scripts/event-schemas';

describe('published event schemas', () => {
  it.each(Object.entries(eventSchemaFiles()))('schemas/%s is current with the zod schema', (file, schema) => {
    const committed = readFileSync(join(import.meta.dirname, '..', '..', 'schemas', file), 'utf8');
    expect(committed, 'run `npm run schemas` and commit the result').toBe(serialise(schema));
  });

  it('requires at least the fields the contract requires', () => {
    const created = eventSchemaFiles()['booking-created.schema.json'] as { required: string[] };
    expect(created.required).toEqual(['bookingId', 'version', 'session', 'patient']);
  });
});
