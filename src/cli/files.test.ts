/** @jest-environment node */
import fs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CliError } from './command';
import { checkOutputs, parseInput, readInputText, writeFileAtomic } from './files';
import { CsvError } from '../core/io/csv';

describe('cli files', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(tmpdir(), 'gs-files-'));
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes atomically: a write that fails leaves the old file and no temporary file', async () => {
    const f = path.join(dir, 'out.json');
    await fs.writeFile(f, 'old');
    jest.spyOn(fs, 'rename').mockRejectedValueOnce(Object.assign(new Error('disk gone'), { code: 'EIO' }));
    await expect(writeFileAtomic(f, 'new')).rejects.toThrow('disk gone');
    expect(await fs.readFile(f, 'utf8')).toBe('old');
    expect(await fs.readdir(dir)).toEqual(['out.json']);
    await writeFileAtomic(f, 'new');
    expect(await fs.readFile(f, 'utf8')).toBe('new');
    expect(await fs.readdir(dir)).toEqual(['out.json']);
  });

  it('checks outputs: missing folder, a folder as the file, one file given twice', async () => {
    await expect(checkOutputs({ out: path.join(dir, 'x/y.csv') })).rejects.toThrow(
      /--out .*y\.csv: folder .*x does not exist/
    );
    await expect(checkOutputs({ out: dir })).rejects.toThrow(/is a folder, not a file/);
    const f = path.join(dir, 'a.csv');
    await expect(checkOutputs({ out: f, truth: f })).rejects.toThrow('--truth and --out are the same file');
    await expect(checkOutputs({ out: f, truth: undefined })).resolves.toBeUndefined();
  });

  it('names the file in input errors', async () => {
    await expect(readInputText(path.join(dir, 'none.csv'), 'csv')).rejects.toThrow(/--csv .*none\.csv: no such file/);
    await expect(readInputText(dir, 'csv')).rejects.toThrow(/is a folder, not a file/);
    expect(() =>
      parseInput('data.csv', () => {
        throw new CsvError('"x" is not a number', 4, 'm01');
      })
    ).toThrow(new CliError('data.csv: line 4, column "m01": "x" is not a number'));
  });
});
