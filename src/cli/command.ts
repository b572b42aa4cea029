import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>[string] & { description: string; valueName?: string };

/** One `gridsentinel <name>` sub-command. `run` returns the process exit code. */
export interface CliCommand {
  name: string;
  summary: string;
  options: Record<string, OptionSpec>;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** Error caused by how the command was called: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

/** A bad input or output file (named in the message): printed without the usage, exit code 1. */
export class CliError extends Error {}

export function usage(cmd: CliCommand): string {
  const lines = Object.entries(cmd.options).map(([name, spec]) => {
    const flag = `--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
    const def = spec.default !== undefined ? ` (default: ${String(spec.default)})` : '';
    return `  ${flag.padEnd(34)} ${spec.description}${def}`;
  });
  return [
    `Usage: gridsentinel ${cmd.name} [options]`,
    '',
    cmd.summary,
    '',
    'Options:',
    ...lines,
    `  ${'--help'.padEnd(34)} show this help`,
  ].join('\n');
}

export async function runCommand(cmd: CliCommand, argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage(cmd));
    return 0;
  }
  let parsed;
  try {
    const options = Object.fromEntries(
      Object.entries(cmd.options).map(([k, { description, valueName, ...o }]) => [k, o])
    );
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`gridsentinel ${cmd.name}: ${(err as Error).message}\n\n${usage(cmd)}`);
    return 2;
  }
  // No command takes positional arguments: a stray one is most likely a forgotten flag name.
  if (parsed.positionals.length > 0) {
    console.error(
      `gridsentinel ${cmd.name}: unexpected argument "${parsed.positionals[0]}" (every input is given with a flag)\n\n${usage(cmd)}`
    );
    return 2;
  }
  try {
    return await cmd.run(parsed.values, parsed.positionals);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`gridsentinel ${cmd.name}: ${err.message}\n\n${usage(cmd)}`);
      return 2;
    }
    if (err instanceof CliError) {
      console.error(`gridsentinel ${cmd.name}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

/** Reads a required string option or throws a UsageError naming it. */
export function requireString(values: Record<string, unknown>, name: string): string {
  const v = values[name];
  if (typeof v !== 'string' || v === '') {
    throw new UsageError(`--${name} is required`);
  }
  return v;
}

/** Parses a numeric option, rejecting anything that is not a finite number. */
export function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) {
    return fallback;
  }
  const n = Number(v);
  if (typeof v !== 'string' || v.trim() === '' || !Number.isFinite(n)) {
    throw new UsageError(`--${name} must be a number, got "${String(v)}"`);
  }
  return n;
}
