import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventSchemaFiles, serialise } from './event-schemas';

for (const [file, schema] of Object.entries(eventSchemaFiles())) {
  writeFileSync(join(import.meta.dirname, '..', 'schemas', file), serialise(schema));
  process.stdout.write(`schemas/${file}\n`);
}
