/**
 * Files for every command: input read with errors that name the file, output paths checked before the
 * work starts, and atomic writes (temporary file in the same folder, then rename), so a failed run
 * leaves the old outputs as they were.
 */
import { randomBytes } from 'node:crypto';
import { access, constants, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import { CliError } from './command';
import { CsvError } from '../core/io/csv';

const code = (err: unknown) => (err as NodeJS.ErrnoException | undefined)?.code;

/** Reads a text input (undecodable bytes become U+FFFD, which the CSV reader refuses as binary). */
export async function readInputText(file: string, flag: string): Promise<string> {
  try {
    const fh = await open(file, 'r');
    try {
      return (await fh.readFile()).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (err) {
    const why =
      code(err) === 'ENOENT'
        ? 'no such file'
        : code(err) === 'EISDIR'
          ? 'is a folder, not a file'
          : code(err) === 'EACCES'
            ? 'permission denied'
            : (err as Error).message;
    throw new CliError(`--${flag} ${file}: ${why}`);
  }
}

/** Runs a reader on a file's text; a CsvError comes back naming the file. */
export function parseInput<T>(file: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof CsvError) {
      throw new CliError(`${file}: ${err.message}`);
    }
    throw err;
  }
}

/**
 * Checks that each output (flag → path) can be written: its folder exists and is writable, the path is
 * not a folder, and no two outputs share a path. Call it before any work.
 */
export async function checkOutputs(outputs: Record<string, string | undefined>): Promise<void> {
  const seen = new Map<string, string>();
  for (const [flag, file] of Object.entries(outputs)) {
    if (file === undefined) {
      continue;
    }
    const resolved = path.resolve(file);
    const other = seen.get(resolved);
    if (other !== undefined) {
      throw new CliError(`--${flag} and --${other} are the same file (${file})`);
    }
    seen.set(resolved, flag);
    const dir = path.dirname(resolved);
    const dirStat = await stat(dir).catch(() => undefined);
    if (!dirStat?.isDirectory()) {
      throw new CliError(`--${flag} ${file}: folder ${path.dirname(file)} does not exist`);
    }
    if (
      !(await access(dir, constants.W_OK).then(
        () => true,
        () => false
      ))
    ) {
      throw new CliError(`--${flag} ${file}: folder ${path.dirname(file)} is not writable`);
    }
    if ((await stat(resolved).catch(() => undefined))?.isDirectory()) {
      throw new CliError(`--${flag} ${file}: is a folder, not a file`);
    }
  }
}

/** Writes the whole file or nothing: a temporary file beside it, flushed, then renamed over it. */
export async function writeFileAtomic(file: string, data: string): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    const fh = await open(tmp, 'wx');
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
