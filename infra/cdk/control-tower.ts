import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** A Control Tower proactive control (cfn-guard rule) a template fails, and the resources it fails on. */
export interface ControlFailure {
  rule: string;
  resources: string[];
}

/** The cfn-guard binary and Control Tower rules shipped in `@cdklabs/cdk-validator-cfnguard`. */
function guardTool(): { binary: string; rules: string } {
  const require = createRequire(path.join(process.cwd(), 'package.json'));
  const root = path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  const binary = path.join(root, 'bin', 'ubuntu', arch, 'cfn-guard');
  try {
    accessSync(binary, constants.X_OK);
  } catch {
    // npm unpacks it without the executable bit.
    chmodSync(binary, 0o755);
  }
  return { binary, rules: path.join(root, 'rules', 'control-tower', 'cfn-guard') };
}

/**
 * Runs every Control Tower rule over the template files, offline. A resource
 * that departs from a control on purpose names the rule in its
 * `Metadata.guard.SuppressedRules` (`deliberate-choices.ts`) and does not
 * count: the Control Tower rules do not read that metadata themselves.
 */
export function controlTowerFailures(templateFiles: readonly string[]): ControlFailure[] {
  const { binary, rules } = guardTool();
  const args = [
    'validate',
    '--rules',
    rules,
    '--output-format',
    'json',
    '--structured',
    '--show-summary',
    'none',
  ];
  for (const file of templateFiles) args.push('--data', file);
  const run = spawnSync(binary, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (run.error) throw run.error;
  if (!run.stdout.trim().startsWith('['))
    throw new Error(`cfn-guard: ${run.stderr || run.stdout}`.slice(0, 2000));
  const reports = JSON.parse(run.stdout) as { not_compliant?: { Rule?: { name: string } }[] }[];
  const suppressed = new Map<string, readonly string[]>();
  for (const file of templateFiles) {
    const template = JSON.parse(readFileSync(file, 'utf8')) as {
      Resources?: Record<string, { Metadata?: { guard?: { SuppressedRules?: string[] } } }>;
    };
    for (const [id, resource] of Object.entries(template.Resources ?? {})) {
      suppressed.set(id, resource.Metadata?.guard?.SuppressedRules ?? []);
    }
  }
  const failures = new Map<string, Set<string>>();
  for (const report of reports) {
    for (const finding of report.not_compliant ?? []) {
      const rule = finding.Rule?.name ?? 'unknown';
      const resources = failures.get(rule) ?? new Set<string>();
      for (const [, id = ''] of JSON.stringify(finding).matchAll(/\/Resources\/([^/"]+)/g)) {
        if (!suppressed.get(id)?.includes(rule)) resources.add(id);
      }
      if (resources.size > 0) failures.set(rule, resources);
    }
  }
  return [...failures].map(([rule, resources]) => ({ rule, resources: [...resources].sort() }));
}
