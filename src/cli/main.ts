import { readFileSync } from 'node:fs';
import path from 'node:path';

import { runCommand, usage, type CliCommand } from './command';
import { commands } from './commands';

function overview(list: CliCommand[]): string {
  const rows = list.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`);
  return [
    'Usage: gridsentinel <command> [options]',
    '',
    'GridSentinel: anomaly detection over HTCondor job events (same core code as the Grafana plugin).',
    '',
    'Commands:',
    ...rows,
    '',
    'Run "gridsentinel help <command>" or "gridsentinel <command> --help" for the options of one command,',
    '"gridsentinel --version" for the version.',
  ].join('\n');
}

/** The version in the package's package.json, found upwards from here (src/cli in tests, build/cli/cli built). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'gridsentinel' && typeof pkg.version === 'string') {
        return pkg.version;
      }
    } catch {
      // not here: keep looking upwards
    }
    if (path.dirname(dir) === dir) {
      return 'unknown';
    }
  }
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '--version' || name === '-V' || name === 'version') {
    console.log(`gridsentinel ${packageVersion()}`);
    return 0;
  }
  if (name === 'help' && rest.length > 0) {
    const cmd = commands.find((c) => c.name === rest[0]);
    if (!cmd) {
      console.error(`gridsentinel help: unknown command "${rest[0]}"\n\n${overview(commands)}`);
      return 2;
    }
    console.log(usage(cmd));
    return 0;
  }
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(overview(commands));
    return name ? 0 : 2;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    console.error(`gridsentinel: unknown command "${name}"\n\n${overview(commands)}`);
    return 2;
  }
  return runCommand(cmd, rest);
}
