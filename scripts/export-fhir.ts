import { exportFhirCommand } from './fhir-export-command';

exportFhirCommand(process.argv.slice(2), process.env).then(
  (files) => {
    for (const file of files) process.stdout.write(`${file.path}: ${file.lines} ${file.type}\n`);
  },
  (error: unknown) => {
    process.stderr.write(`export:fhir: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
