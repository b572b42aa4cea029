import type { CliCommand } from '../command';
import { evaluateCommand } from './evaluate';
import { generateCommand } from './generate';
import { scoreCommand } from './score';
import { seedCommand } from './seed';
import { trainCommand } from './train';
import { watchCommand } from './watch';

/** Every sub-command, in the order `gridsentinel --help` lists them. */
export const commands: CliCommand[] = [
  generateCommand,
  seedCommand,
  trainCommand,
  scoreCommand,
  evaluateCommand,
  watchCommand,
];
