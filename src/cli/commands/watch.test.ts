import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { main } from '../main';

/** Runs fn with these environment variables set (undefined: unset), then restores what was there. */
async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) {
        delete process.env[k];
      } else {
        process.env[k] = v;
      }
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}

const base = ['watch', '--name', 'gp', '--elasticsearch', 'http://127.0.0.1:9', '--graphite-url', 'http://127.0.0.1:9'];

async function run(args: string[]) {
  const err = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    const code = await main(args);
    return { code, err: err.mock.calls.map((c) => c.join(' ')).join('\n'), out: log.mock.calls.join('\n') };
  } finally {
    err.mockRestore();
    log.mockRestore();
  }
}

describe('gridsentinel watch (arguments)', () => {
  it('lists the contract flags in --help', async () => {
    const { code, out } = await run(['watch', '--help']);
    expect(code).toBe(0);
    for (const flag of [
      '--name',
      '--elasticsearch',
      '--index-pattern',
      '--graphite-url',
      '--carbon',
      '--model',
      '--grafana-url',
      '--datasource-uid',
      '--once',
      '--max-backfill',
      '--settle',
      '--metrics-port',
      '--ca-file',
    ]) {
      expect(out).toContain(flag);
    }
  });

  it.each([
    [['--carbon', 'localhost'], /--carbon must be HOST:PORT/],
    [['--carbon', 'h:2003'], /a model is required: --model FILE, or --grafana-url URL with --datasource-uid UID/],
    [['--carbon', 'h:2003', '--model', 'm.json', '--grafana-url', 'http://g'], /either --model or --grafana-url/],
    [['--carbon', 'h:2003', '--model', 'm.json', '--settle', 'later'], /--settle must be a number with a unit/],
    [['--carbon', 'h:2003', '--model', 'm.json', '--elasticsearch-auth', 'apikey'], /ELASTICSEARCH_API_KEY/],
  ])('refuses %j with exit code 2', async (extra, message) => {
    const { code, err } = await run([...base, ...extra]);
    expect(err).toMatch(message);
    expect(code).toBe(2);
  });

  // Bad input files, as for the other commands: named, without the usage, exit code 1.
  it.each([
    [['--ca-file', '/nonexistent/ca.pem'], /--ca-file \/nonexistent\/ca.pem: no such file/],
    [['--features-file', '/nonexistent/f.json'], /--features-file \/nonexistent\/f.json: no such file/],
    [['--features-file', '/'], /--features-file \/: is a folder, not a file/],
  ])('refuses the input file in %j with exit code 1', async (extra, message) => {
    const { code, err } = await run([...base, '--carbon', 'h:2003', '--model', 'm.json', ...extra]);
    expect(err).toMatch(message);
    expect(code).toBe(1);
  });

  it('refuses a features file that is not a feature list, naming it, with exit code 1', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gs-watch-'));
    try {
      const file = path.join(dir, 'features.json');
      writeFileSync(file, '{"not": "a list"');
      const { code, err } = await run([...base, '--carbon', 'h:2003', '--model', 'm.json', '--features-file', file]);
      expect(err).toContain(`--features-file ${file}: `);
      expect(err).toMatch(/JSON/);
      expect(code).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a name that cannot be an index and a Graphite path', async () => {
    const { code, err } = await run([
      ...base.slice(0, 1),
      '--name',
      'GP.1',
      ...base.slice(3),
      '--carbon',
      'h:2003',
      '--model',
      'm.json',
    ]);
    expect(err).toMatch(/name must be 1-63 characters/);
    expect(code).toBe(2);
  });

  const grafanaArgs = ['--carbon', 'h:2003', '--grafana-url', 'http://g', '--datasource-uid', 'u'];

  it('--grafana-url needs GRAFANA_TOKEN', async () => {
    const { code, err } = await withEnv({ GRAFANA_TOKEN: undefined }, () => run([...base, ...grafanaArgs]));
    expect(err).toMatch(/GRAFANA_TOKEN/);
    expect(code).toBe(2);
  });

  it('--grafana-user needs GRAFANA_PASSWORD, and not a token beside it', async () => {
    const asAdmin = [...base, ...grafanaArgs, '--grafana-user', 'admin'];
    const noPassword = await withEnv({ GRAFANA_TOKEN: undefined, GRAFANA_PASSWORD: undefined }, () => run(asAdmin));
    expect(noPassword.err).toMatch(/--grafana-user needs the password in the GRAFANA_PASSWORD/);
    expect(noPassword.code).toBe(2);
    const both = await withEnv({ GRAFANA_TOKEN: 't', GRAFANA_PASSWORD: 'p' }, () => run(asAdmin));
    expect(both.err).toMatch(/either GRAFANA_TOKEN or --grafana-user/);
    expect(both.code).toBe(2);
  });
});
