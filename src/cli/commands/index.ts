import type { CliCommand } from '../command';

/** Every sub-command, in the order `gridsentinel --help` lists them. */
export const commands: CliCommand[] = [];
