import type { CliCommand } from '../command';
import { generateCommand } from './generate';
import { seedCommand } from './seed';

/** Every sub-command, in the order `gridsentinel --help` lists them. */
export const commands: CliCommand[] = [generateCommand, seedCommand];
