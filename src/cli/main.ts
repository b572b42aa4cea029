import { runCommand, type CliCommand } from './command';
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
    'Run "gridsentinel <command> --help" for the options of one command.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
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
