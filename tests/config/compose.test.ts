/** @jest-environment node */
// No Docker engine runs on the CI machines, so docker-compose.yml is checked statically here:
// it parses, images are pinned, mounted paths exist, ports, health checks and start order.
import fs from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const compose = parse(read('docker-compose.yml'));
const services: Record<string, any> = compose.services;
const appJson = JSON.parse(read('src/plugin.json'));
const nestedIds = appJson.includes
  .filter((i: any) => i.type === 'datasource' || i.type === 'panel')
  .map((i: any) => JSON.parse(read(path.join('src', i.path))).id);

function hostPath(volume: string): string {
  return volume.split(':')[0];
}

describe('docker-compose.yml', () => {
  it('has the demo services', () => {
    expect(Object.keys(services).sort()).toEqual([
      'elasticsearch',
      'grafana',
      'graphite',
      'plugin-build',
      'seeder',
      'watcher',
    ]);
  });

  it('pins every image to an exact version', () => {
    for (const [name, svc] of Object.entries(services)) {
      expect(svc.image).toMatch(/:[0-9][\w.-]*$/);
      expect(`${name}: ${svc.image}`).not.toMatch(/:latest$/);
    }
  });

  it('runs a Grafana inside the supported range, with Elasticsearch 8', () => {
    const grafanaVersion = services.grafana.image.split(':')[1];
    expect(semver.satisfies(grafanaVersion, appJson.dependencies.grafanaDependency)).toBe(true);
    expect(services.elasticsearch.image.split(':')[1]).toMatch(/^8\./);
    expect(services.graphite.image).toMatch(/^graphiteapp\/graphite-statsd:/);
  });

  it('mounts paths that exist in the repository', () => {
    for (const [name, svc] of Object.entries(services)) {
      for (const v of svc.volumes ?? []) {
        const p = hostPath(v);
        // dist/ is produced by the plugin-build service when missing.
        if (p === './dist') {
          continue;
        }
        expect(`${name}: ${p} exists=${fs.existsSync(path.join(root, p))}`).toBe(`${name}: ${p} exists=true`);
      }
    }
  });

  it('mounts dist/ as the app plugin and allows all three unsigned ids', () => {
    expect(services.grafana.volumes).toContain(`./dist:/var/lib/grafana/plugins/${appJson.id}:ro`);
    const allowed = String(services.grafana.environment.GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS).split(',');
    expect(allowed.sort()).toEqual([appJson.id, ...nestedIds].sort());
    expect(services.grafana.volumes).toContain('./provisioning:/etc/grafana/provisioning:ro');
  });

  it('keeps Elasticsearch security off only as the documented demo setting, bound to loopback', () => {
    expect(services.elasticsearch.environment['xpack.security.enabled']).toBe('false');
    expect(read('README.md')).toMatch(/security.*off|xpack\.security\.enabled/i);
    for (const svc of Object.values(services)) {
      for (const port of svc.ports ?? []) {
        expect(port).toMatch(/^127\.0\.0\.1:/);
      }
    }
  });

  it('publishes the expected ports', () => {
    expect(services.grafana.ports).toContain('127.0.0.1:3000:3000');
    expect(services.elasticsearch.ports).toContain('127.0.0.1:9200:9200');
    expect(services.graphite.ports).toEqual(expect.arrayContaining(['127.0.0.1:8080:80', '127.0.0.1:2003:2003']));
  });

  it('health-checks the long-running services', () => {
    for (const name of ['elasticsearch', 'graphite', 'grafana']) {
      expect(services[name].healthcheck?.test?.[0]).toBe('CMD-SHELL');
      expect(services[name].healthcheck.retries).toBeGreaterThan(0);
    }
  });

  it('starts in order: build and stores, then the seeder, then Grafana', () => {
    expect(services.seeder.depends_on).toEqual({
      'plugin-build': { condition: 'service_completed_successfully' },
      elasticsearch: { condition: 'service_healthy' },
      graphite: { condition: 'service_healthy' },
    });
    expect(services.grafana.depends_on.seeder).toEqual({ condition: 'service_completed_successfully' });
    expect(services.grafana.depends_on['plugin-build']).toEqual({ condition: 'service_completed_successfully' });
  });

  it('seeds through the same CLI command users run, against the compose services', () => {
    const cmd: string[] = services.seeder.command;
    expect(cmd.slice(0, 3)).toEqual(['node', 'bin/gridsentinel.js', 'seed']);
    expect(cmd).toEqual(
      expect.arrayContaining(['--elasticsearch', 'http://elasticsearch:9200', '--graphite', 'graphite:2003', '--fresh'])
    );
    expect(services['plugin-build'].command.join(' ')).toMatch(/npm ci .*npm run build.*npm run cli:build/);
  });

  it('runs the watcher (the alarms) after the seeder, against the compose stores, restarted unless stopped', () => {
    const w = services.watcher;
    expect(w.command.slice(0, 2)).toEqual(['sh', '-c']);
    const script: string = w.command[2];
    expect(script).toContain('exec node bin/gridsentinel.js watch --name demo');
    for (const flag of [
      '--elasticsearch http://elasticsearch:9200',
      '--graphite-url http://graphite:80',
      '--carbon graphite:2003',
      '--metrics-port 9464',
      // The model: the published one through Grafana's API, as the demo's admin unless a token is given.
      '--grafana-url http://grafana:3000 --datasource-uid gs-anomaly',
      '--grafana-user admin',
    ]) {
      expect(script).toContain(flag);
    }
    expect(script).not.toContain('--model');
    expect(w.environment.GRAFANA_PASSWORD).toBe(services.grafana.environment.GF_SECURITY_ADMIN_PASSWORD);
    const gs = parse(read('provisioning/datasources/datasources.yaml')).datasources.find(
      (d: any) => d.uid === 'gs-anomaly'
    );
    expect(gs?.type).toBe(nestedIds[0]);
    // Compose interpolates $VAR itself: the container's shell must see $$.
    expect(script).not.toMatch(/(^|[^$])\$[A-Za-z@{]/);
    expect(w.environment.GRAFANA_TOKEN).toBe('${GRAFANA_TOKEN:-}');
    expect(w.restart).toBe('unless-stopped');
    expect(w.depends_on.seeder).toEqual({ condition: 'service_completed_successfully' });
    expect(w.depends_on.grafana).toEqual({ condition: 'service_healthy' });
    expect(w.ports).toEqual(['127.0.0.1:9464:9464']);
    expect(w.healthcheck.test.join(' ')).toContain('/healthz');
  });
});

describe('provisioning', () => {
  const datasources = parse(read('provisioning/datasources/datasources.yaml')).datasources as any[];
  const dashboard = JSON.parse(read('provisioning/dashboards/gridsentinel-demo.json'));

  it('enables the app', () => {
    const apps = parse(read('provisioning/plugins/apps.yaml')).apps;
    expect(apps).toEqual([expect.objectContaining({ type: appJson.id, disabled: false })]);
  });

  it('provisions Elasticsearch, Graphite and GridSentinel with stable uids pointing at the compose services', () => {
    const byType = Object.fromEntries(datasources.map((d) => [d.type, d]));
    expect(Object.keys(byType).sort()).toEqual(['elasticsearch', 'graphite', nestedIds[0]].sort());
    for (const d of datasources) {
      expect(d.uid).toMatch(/^gs-[a-z-]+$/);
    }
    const gs = byType[nestedIds[0]];
    expect(gs.jsonData.elasticsearchUrl).toBe(byType.elasticsearch.url);
    expect(gs.jsonData.graphiteUrl).toBe(byType.graphite.url);
    expect(new URL(byType.elasticsearch.url).hostname).toBe('elasticsearch');
    expect(new URL(byType.graphite.url).hostname).toBe('graphite');
  });

  it('has a demo dashboard with the timeline, a probability time series and an overlay annotation', () => {
    const uids = new Set(datasources.map((d) => d.uid));
    const types = dashboard.panels.map((p: any) => p.type);
    expect(types).toEqual(expect.arrayContaining(['gridsentinel-timeline-panel', 'timeseries']));
    for (const p of dashboard.panels) {
      if (p.datasource.uid === '-- Mixed --') {
        for (const t of p.targets) {
          expect(uids.has(t.datasource.uid)).toBe(true);
        }
      } else {
        expect(uids.has(p.datasource.uid)).toBe(true);
      }
    }
    const overlay = dashboard.annotations.list.find((a: any) => a.datasource?.type === nestedIds[0]);
    expect(overlay?.enable).toBe(true);
    expect(uids.has(overlay.datasource.uid)).toBe(true);
  });

  it('shows the probability stored by the compose watcher next to the live one', () => {
    const graphiteUid = datasources.find((d) => d.type === 'graphite').uid;
    const grid = services.watcher.command.join(' ').match(/ --name (\S+)/)[1];
    const panel = dashboard.panels.find((p: any) =>
      p.targets.some((t: any) => t.datasource.uid === graphiteUid && t.target === `gridsentinel.${grid}.probability`)
    );
    expect(panel?.type).toBe('timeseries');
    expect(panel.datasource.uid).toBe('-- Mixed --');
    expect(panel.targets).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          datasource: expect.objectContaining({ type: nestedIds[0] }),
          queryType: 'probability',
        }),
      ])
    );
    const ids = dashboard.panels.map((p: any) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
