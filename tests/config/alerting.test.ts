/** @jest-environment node */
// provisioning/alerting/ checked statically against what Grafana's file provisioning accepts (no Grafana
// runs here). Grafana reads the files non-strictly (a misspelled key is silently ignored), does not check
// that the condition names a query or that a datasource uid exists, and an error it does catch stops
// Grafana from starting: so those checks live here. Sources: pkg/services/provisioning/alerting/*.go,
// ngalert/models/alert_rule.go, alert_query.go, pkg/expr (see the research notes on Grafana alerting).
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const root = path.resolve(__dirname, '..', '..');
const read = (p: string) => fs.readFileSync(path.join(root, p), 'utf8');
const dir = 'provisioning/alerting';
// Grafana reads *.yaml, *.yml and *.json directly in the folder (not sub-folders).
const files = fs
  .readdirSync(path.join(root, dir))
  .filter((f) => /\.(ya?ml|json)$/.test(f))
  .map((f) => ({ file: f, doc: parse(read(path.join(dir, f))) }));
const datasources: any[] = parse(read('provisioning/datasources/datasources.yaml')).datasources;
const groups: any[] = files.flatMap((f) => f.doc.groups ?? []);
const rules: any[] = groups.flatMap((g) => g.rules);
const contactPoints: any[] = files.flatMap((f) => f.doc.contactPoints ?? []);

const UID = /^[A-Za-z0-9_-]{1,40}$/; // pkg/util/shortid_generator.go
const DURATION = /^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$/; // Prometheus model.ParseDuration
const REDUCERS = ['last', 'mean', 'min', 'max', 'sum', 'count', 'median'];
const THRESHOLDS = ['gt', 'lt', 'eq', 'ne', 'gte', 'lte'];
const RANGES = ['within_range', 'outside_range', 'within_range_included', 'outside_range_included'];

function seconds(d: string): number {
  const m = DURATION.exec(d);
  if (!m || d === '') {
    throw new Error(`not a duration: "${d}"`);
  }
  const n = (i: number) => Number(m[i] ?? 0);
  return n(2) * 365 * 86400 + n(4) * 7 * 86400 + n(6) * 86400 + n(8) * 3600 + n(10) * 60 + n(12) + n(14) / 1000;
}

/** Every string anywhere inside a value. */
function strings(v: unknown): string[] {
  if (typeof v === 'string') {
    return [v];
  }
  if (Array.isArray(v)) {
    return v.flatMap(strings);
  }
  if (v && typeof v === 'object') {
    return Object.values(v).flatMap(strings);
  }
  return [];
}

/** The anomaly rule's configurable numbers, from where Grafana reads them. */
function anomalySettings(rule: any) {
  const target: string = rule.data.find((d: any) => d.refId === 'A').model.target;
  const hours = Number(
    /"movingMin\(transformNull\(gridsentinel\.demo\.probability, 0, gridsentinel\.demo\.scored\), (\d+), 1\)"/.exec(
      target
    )?.[1]
  );
  const threshold = rule.data.find((d: any) => d.refId === rule.condition).model.conditions[0].evaluator.params[0];
  return { target, hours, threshold };
}

describe('provisioning/alerting', () => {
  it('has rule files and a contact point example Grafana can read', () => {
    expect(files.map((f) => f.file).sort()).toEqual(['contact-point.example.yaml', 'gridsentinel-rules.yaml']);
    for (const { file, doc } of files) {
      expect(`${file}: apiVersion ${doc.apiVersion}`).toBe(`${file}: apiVersion 1`);
      const known = ['apiVersion', 'groups', 'deleteRules', 'contactPoints', 'deleteContactPoints', 'policies'];
      expect(Object.keys(doc).filter((k) => !known.includes(k))).toEqual([]);
    }
    expect(rules.length).toBeGreaterThan(0);
  });

  it('groups have a name, a folder title and an interval that is a multiple of 10 s', () => {
    for (const g of groups) {
      expect(g.name.trim().length).toBeGreaterThan(0);
      expect(g.name.length).toBeLessThanOrEqual(190);
      expect(typeof g.folder).toBe('string');
      expect(g.folder.trim().length).toBeGreaterThan(0);
      const s = seconds(g.interval);
      expect(s).toBeGreaterThan(0);
      expect(s % 10).toBe(0);
      expect(g.orgId ?? 1).toBe(1);
    }
    // Dashboards and alerting are provisioned concurrently; a shared folder title can be created twice.
    const dashFolders = parse(read('provisioning/dashboards/dashboards.yaml')).providers.map((p: any) => p.folder);
    for (const g of groups) {
      expect(dashFolders).not.toContain(g.folder);
    }
  });

  it('rules have the required keys, valid and unique uids, valid states and durations', () => {
    const allowed = [
      'uid',
      'title',
      'condition',
      'data',
      'noDataState',
      'execErrState',
      'for',
      'keepFiringFor',
      'annotations',
      'labels',
      'isPaused',
      'dashboardUid',
      'panelId',
    ];
    for (const r of rules) {
      expect(Object.keys(r).filter((k) => !allowed.includes(k))).toEqual([]);
      expect(r.uid).toMatch(UID);
      expect(r.title.length).toBeGreaterThan(0);
      expect(r.title.length).toBeLessThanOrEqual(190);
      expect(['NoData', 'Alerting', 'OK', 'KeepLast']).toContain(r.noDataState);
      expect(['Error', 'Alerting', 'OK', 'KeepLast']).toContain(r.execErrState);
      // `for` is optional in current Grafana but was required up to 11.3: always written.
      expect(typeof r.for).toBe('string');
      expect(seconds(r.for)).toBeGreaterThanOrEqual(0);
      expect(typeof r.isPaused).toBe('boolean');
      for (const m of [r.annotations, r.labels]) {
        for (const v of Object.values(m ?? {})) {
          expect(typeof v).toBe('string');
        }
      }
      expect(Object.keys(r.labels ?? {}).filter((k) => k.startsWith('__') || k.startsWith('grafana_'))).toEqual([]);
    }
    expect(new Set(rules.map((r) => r.uid)).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r.title)).size).toBe(rules.length);
  });

  it('queries: unique refIds, the condition names the last expression, ranges in whole seconds', () => {
    const uids = new Set(datasources.map((d) => d.uid));
    for (const r of rules) {
      const refIds = r.data.map((d: any) => d.refId);
      expect(new Set(refIds).size).toBe(refIds.length);
      expect(refIds).toContain(r.condition);
      const cond = r.data.find((d: any) => d.refId === r.condition);
      expect(cond.datasourceUid).toBe('__expr__'); // a raw series as condition fails at evaluation
      for (const d of r.data) {
        expect(
          Object.keys(d).filter(
            (k) => !['refId', 'queryType', 'relativeTimeRange', 'datasourceUid', 'model'].includes(k)
          )
        ).toEqual([]);
        expect(d.model.refId).toBe(d.refId);
        if (d.datasourceUid === '__expr__') {
          continue;
        }
        // Datasource queries: a provisioned, alertable (core, backend) datasource, and an integer range.
        expect(uids.has(d.datasourceUid)).toBe(true);
        expect(datasources.find((ds) => ds.uid === d.datasourceUid).type).toBe('graphite');
        const { from, to } = d.relativeTimeRange;
        expect(Number.isInteger(from) && Number.isInteger(to)).toBe(true);
        expect(from).toBeGreaterThan(to);
        expect(to).toBeGreaterThanOrEqual(0);
        expect(typeof d.model.target).toBe('string');
        expect(d.model.target.length).toBeGreaterThan(0);
      }
    }
  });

  it('expressions are well-formed and refer to earlier refIds', () => {
    for (const r of rules) {
      const seen: string[] = [];
      for (const d of r.data) {
        if (d.datasourceUid === '__expr__') {
          const m = d.model;
          expect(['reduce', 'threshold', 'math']).toContain(m.type);
          if (m.type === 'math') {
            for (const ref of m.expression.match(/\$\{?([A-Za-z0-9_]+)/g) ?? []) {
              expect(seen).toContain(ref.replace(/[${]/g, ''));
            }
          } else {
            expect(seen).toContain(m.expression);
          }
          if (m.type === 'reduce') {
            expect(REDUCERS).toContain(m.reducer);
            expect([undefined, 'dropNN', 'replaceNN']).toContain(m.settings?.mode);
          }
          if (m.type === 'threshold') {
            expect(m.conditions).toHaveLength(1);
            const { type, params } = m.conditions[0].evaluator;
            expect([...THRESHOLDS, ...RANGES]).toContain(type);
            expect(params).toHaveLength(RANGES.includes(type) ? 2 : 1);
            for (const p of params) {
              expect(typeof p).toBe('number');
            }
          }
        }
        seen.push(d.refId);
      }
      expect(r.data[r.data.length - 1].refId).toBe(r.condition);
    }
  });

  it('keeps ${…} out of annotations and query models (Grafana does not expand them there)', () => {
    for (const r of rules) {
      for (const s of [...strings(r.annotations), ...r.data.flatMap((d: any) => strings(d.model))]) {
        expect(s).not.toMatch(/\$\{/);
        // An unexpanded $VAR in a Graphite target would be sent to Graphite as is.
        expect(s).not.toMatch(/\$[A-Z_][A-Z0-9_]*/);
      }
      // Templates in annotations only use what Grafana provides: $labels, $values, $value.
      for (const s of strings(r.annotations)) {
        for (const v of s.match(/\$[A-Za-z_]+/g) ?? []) {
          expect(['$labels', '$values', '$value']).toContain(v);
        }
      }
    }
  });

  it('the anomaly rule: minimum over N scored hours of the demo grid, threshold and hours consistent everywhere', () => {
    const r = rules.find((x) => x.uid === 'gridsentinel-demo-anomaly');
    const { target, hours, threshold } = anomalySettings(r);
    expect(hours).toBeGreaterThanOrEqual(1);
    expect(threshold).toBeGreaterThan(0);
    expect(threshold).toBeLessThan(1);
    // Top features name the instances; the probability of the grid the compose watcher writes.
    expect(target).toContain('highestCurrent(gridsentinel.demo.features.*.surprise, 3)');
    expect(target).toMatch(/^aliasByNode\(.*, 3\)$/);
    const condition = r.data.find((d: any) => d.refId === r.condition).model;
    expect(condition.conditions[0].evaluator.type).toBe('gte');
    const reduce = r.data.find((d: any) => d.refId === condition.expression).model;
    expect(reduce).toEqual(expect.objectContaining({ reducer: 'last', settings: { mode: 'dropNN' } }));
    // Three hour slots: the open one, the last closed one (written after the watcher's settle delay) and
    // the one before, so the latest scored hour is always inside (tests/integration/alertQuery.test.ts).
    expect(r.data.find((d: any) => d.refId === 'A').relativeTimeRange).toEqual({ from: 10800, to: 0 });
    expect(r.for).toBe('0s');
    const said = `>= ${threshold} for ${hours} hours`;
    expect(r.title).toContain(said);
    expect(r.annotations.summary).toContain(said);
    expect(r.annotations.summary).toContain('{{ $labels.name }}');
    expect(r.annotations.description).toContain(`last ${hours} scored hours`);
    expect(r.annotations.description).toContain(`at or above ${threshold}`);
    // The compose watcher writes the grid "demo".
    const compose = parse(read('docker-compose.yml'));
    expect(compose.services.watcher.command.join(' ')).toMatch(/ watch --name demo /);
  });

  it('the watcher-stopped rule alerts on no data', () => {
    const r = rules.find((x) => x.uid === 'gridsentinel-demo-stopped');
    expect(r.data.find((d: any) => d.refId === 'A').model.target).toBe('transformNull(gridsentinel.demo.scored, 0)');
    expect(r.noDataState).toBe('Alerting');
  });

  it('the contact point example has a name and receivers with uid, type and the settings Grafana requires', () => {
    expect(contactPoints.length).toBeGreaterThan(0);
    for (const cp of contactPoints) {
      expect(cp.orgId ?? 1).toBe(1);
      expect(cp.name.length).toBeGreaterThan(0);
      expect(cp.receivers.length).toBeGreaterThan(0);
      for (const rc of cp.receivers) {
        expect(rc.uid).toMatch(UID);
        expect(['webhook', 'email']).toContain(rc.type);
        expect(Object.keys(rc.settings).length).toBeGreaterThan(0);
        if (rc.type === 'webhook') {
          expect(() => new URL(rc.settings.url)).not.toThrow();
          // Clearly an example: nothing is ever delivered to a reserved domain.
          expect(new URL(rc.settings.url).hostname).toMatch(/\.invalid$|example\./);
        }
        if (rc.type === 'email') {
          expect(rc.settings.addresses).toMatch(/@/);
        }
        // An unset variable becomes "" and an empty required setting stops Grafana.
        expect(strings(rc.settings).join(' ')).not.toMatch(/\$/);
      }
    }
    // No policy is provisioned: a `policies` entry would replace the whole notification tree.
    expect(files.flatMap((f) => f.doc.policies ?? [])).toEqual([]);
  });
});
