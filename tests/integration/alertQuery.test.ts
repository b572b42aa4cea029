// The provisioned alert rules' Graphite targets (provisioning/alerting/gridsentinel-rules.yaml), rendered by
// the real Graphite of tests/services exactly as Grafana's Graphite backend sends them (POST /render with
// absolute from/until in seconds derived from relativeTimeRange, format=json, maxDataPoints), over points
// written the way `gridsentinel watch` writes them (one per scored hour, through carbon). Grafana's part,
// the reduce (`last`/`sum`, dropNN) and the threshold, is replayed here on the rendered series.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { parse } from 'yaml';

jest.setTimeout(120_000);

const HOUR = 3600;
const GRAPHITE = process.env.GS_GRAPHITE_URL;
const ROOT = path.resolve(__dirname, '..', '..');
const rules: any[] = parse(
  fs.readFileSync(path.join(ROOT, 'provisioning/alerting/gridsentinel-rules.yaml'), 'utf8')
).groups.flatMap((g: any) => g.rules);

type Series = { target: string; tags: Record<string, unknown>; datapoints: Array<[number | null, number]> };

async function sendCarbon(lines: string[]) {
  await new Promise<void>((resolve, reject) => {
    const sock = net.connect(Number(process.env.GS_CARBON_PORT), process.env.GS_CARBON_HOST, () => {
      sock.end(lines.join('\n') + '\n', () => resolve());
    });
    sock.on('error', reject);
  });
}

/** The rule's query A for grid `name` (the file is written for the demo grid). */
function ruleQuery(uid: string, name: string) {
  const rule = rules.find((r) => r.uid === uid);
  const a = rule.data.find((d: any) => d.refId === 'A');
  expect(a.model.target).toContain('gridsentinel.demo.');
  return {
    rule,
    target: a.model.target.replaceAll('gridsentinel.demo.', `gridsentinel.${name}.`),
    range: a.relativeTimeRange,
  };
}

/** What Grafana's Graphite backend sends for an evaluation at `nowSec`. */
async function render(target: string, range: { from: number; to: number }, nowSec: number): Promise<Series[]> {
  const body = new URLSearchParams({
    from: String(nowSec - range.from),
    until: String(nowSec - range.to),
    format: 'json',
    maxDataPoints: '43200',
    target,
  });
  const res = await fetch(`${GRAPHITE}/render`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const text = await res.text();
  if (!res.ok) {
    throw new Error(`render ${target}: HTTP ${res.status} ${text.slice(-500)}`);
  }
  return JSON.parse(text);
}

/** Grafana's expressions on the rendered series: reduce B (with its mode), threshold C. Label `name` = target. */
function evaluate(rule: any, series: Series[]) {
  const b = rule.data.find((d: any) => d.refId === 'B').model;
  const c = rule.data.find((d: any) => d.refId === 'C').model;
  const { type, params } = c.conditions[0].evaluator;
  return series.map((s) => {
    const values = s.datapoints.map((p) => p[0]).filter((v): v is number => v !== null);
    const all = s.datapoints.map((p) => p[0] ?? NaN);
    const xs = b.settings?.mode === 'dropNN' ? values : all;
    const value =
      xs.length === 0
        ? NaN
        : b.reducer === 'last'
          ? xs[xs.length - 1]
          : b.reducer === 'sum'
            ? xs.reduce((x, y) => x + y, 0)
            : NaN;
    const firing =
      type === 'gte'
        ? value >= params[0]
        : type === 'lt'
          ? value < params[0]
          : type === 'gt'
            ? value > params[0]
            : false;
    return { name: s.target, value, firing };
  });
}

const describeGraphite = GRAPHITE ? describe : describe.skip;
describeGraphite('provisioned alert rules rendered by the real Graphite', () => {
  const run = `at${Date.now().toString(36)}`;
  // An evaluation half an hour into hour H, a few hours back so that no point lies in the future.
  const H = (Math.floor(Date.now() / 1000 / HOUR) - 3) * HOUR;
  const EVAL = H + HOUR / 2;
  const FEATURES = ['JobHeldEvent', 'JobEvictedEvent', 'ShadowExceptionEvent', 'SubmitEvent', 'ExecuteEvent'];
  // Feature surprises: ranking at H-1 differs from H-2, so highestCurrent must use the latest scored hour.
  const surpriseAt: Record<number, number[]> = { 2: [1, 2, 3, 4, 9], 1: [5, 8, 0.5, 7, 0.1] };
  // Probability per grid for hours H-6 .. H-1 (null = that hour not written).
  const grids: Record<string, Array<number | null>> = {
    // The last three scored hours are 0.5 (exactly the threshold), 0.9, 0.7: fires with minimum 0.5.
    hot: [0.1, 0.2, 0.3, 0.5, 0.9, 0.7],
    // H-1 not written yet (within the watcher's settle delay): the last three scored are H-4..H-2.
    lag: [0.1, 0.2, 0.6, 0.8, 0.6, null],
    // One of the last three below the threshold.
    cool: [0.9, 0.9, 0.9, 0.4, 0.9, 0.9],
    // An hour written without data (scored marker, no probability) never counts as "at or above", and the
    // older window before it (all 0.9) must not be used instead.
    gap: [0.9, 0.9, 0.9, 0.9, null, 0.9],
  };
  const name = (g: string) => `${run}${g}`;

  beforeAll(async () => {
    const lines: string[] = [];
    for (const [g, probs] of Object.entries(grids)) {
      probs.forEach((p, i) => {
        const ts = H - (6 - i) * HOUR;
        const back = 6 - i;
        // Every hour the watcher wrote gets the scored marker; `gap`'s empty hour was written as no data.
        if (p !== null || g === 'gap') {
          lines.push(`gridsentinel.${name(g)}.scored 1 ${ts}`);
        }
        if (p === null) {
          return;
        }
        lines.push(`gridsentinel.${name(g)}.probability ${p} ${ts}`);
        lines.push(`gridsentinel.${name(g)}.surprise ${p * 10} ${ts}`);
        for (const [k, f] of FEATURES.entries()) {
          const s = surpriseAt[back]?.[k] ?? 0.01 * (k + 1);
          lines.push(`gridsentinel.${name(g)}.features.${f}.surprise ${s} ${ts}`);
        }
      });
    }
    // A grid whose watcher stopped after H-4.
    for (let back = 6; back >= 4; back--) {
      lines.push(`gridsentinel.${name('dead')}.scored 1 ${H - back * HOUR}`);
    }
    await sendCarbon(lines);
    // carbon writes whisper files asynchronously: wait until the last point of every grid is visible.
    const lastPoints = async () => {
      const series = await render(`gridsentinel.${run}*.scored`, { from: 8 * HOUR, to: 0 }, EVAL);
      return series.map((s) => s.datapoints.filter((p) => p[0] !== null).length).reduce((a, b) => a + b, 0);
    };
    const expected = lines.filter((l) => l.includes('.scored ')).length;
    for (let attempt = 0; attempt < 120 && (await lastPoints()) < expected; attempt++) {
      await new Promise((r) => setTimeout(r, 500));
    }
    const probs = lines.filter((l) => l.includes('.features.ExecuteEvent.surprise ')).length;
    for (let attempt = 0; attempt < 120; attempt++) {
      const s = await render(`gridsentinel.${run}*.features.ExecuteEvent.surprise`, { from: 8 * HOUR, to: 0 }, EVAL);
      if (s.map((x) => x.datapoints.filter((p) => p[0] !== null).length).reduce((a, b) => a + b, 0) >= probs) {
        break;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  });

  it('fires on the minimum of the last 3 scored hours, one instance per top feature of the latest hour', async () => {
    const { rule, target, range } = ruleQuery('gridsentinel-demo-anomaly', name('hot'));
    const series = await render(target, range, EVAL);
    const result = evaluate(rule, series);
    // Top 3 by surprise at H-1: JobEvictedEvent 8, SubmitEvent 7, JobHeldEvent 5 (at H-2 ExecuteEvent led).
    expect(result.map((r) => r.name).sort()).toEqual(['JobEvictedEvent', 'JobHeldEvent', 'SubmitEvent']);
    for (const r of result) {
      expect(r.value).toBeCloseTo(0.5, 9);
      expect(r.firing).toBe(true);
    }
    // Three slots rendered (H-2, H-1, H); slot t holds the minimum of the 3 hours before t.
    expect(series[0].datapoints.map((p) => p[1])).toEqual([H - 2 * HOUR, H - HOUR, H]);
    expect(series[0].datapoints[0][0]).toBeCloseTo(0.2, 9);
    expect(series[0].datapoints[1][0]).toBeCloseTo(0.3, 9);
  });

  it('does not fire one hour earlier, when the window still held a 0.3', async () => {
    const { rule, target, range } = ruleQuery('gridsentinel-demo-anomaly', name('hot'));
    const result = evaluate(rule, await render(target, range, EVAL - HOUR));
    expect(result).toHaveLength(3);
    for (const r of result) {
      expect(r.value).toBeCloseTo(0.3, 9);
      expect(r.firing).toBe(false);
    }
  });

  it('uses the latest scored hours while the current one is not written yet', async () => {
    const { rule, target, range } = ruleQuery('gridsentinel-demo-anomaly', name('lag'));
    const result = evaluate(rule, await render(target, range, EVAL));
    expect(result.map((r) => r.name).sort()).toEqual(['ExecuteEvent', 'ShadowExceptionEvent', 'SubmitEvent']);
    for (const r of result) {
      expect(r.value).toBeCloseTo(0.6, 9);
      expect(r.firing).toBe(true);
    }
  });

  it('does not fire when one of the hours is below the threshold or has no data', async () => {
    for (const g of ['cool', 'gap']) {
      const { rule, target, range } = ruleQuery('gridsentinel-demo-anomaly', name(g));
      const result = evaluate(rule, await render(target, range, EVAL));
      expect(result).toHaveLength(3);
      for (const r of result) {
        expect(`${g} ${r.name} firing=${r.firing}`).toBe(`${g} ${r.name} firing=false`);
      }
      expect(result[0].value).toBeCloseTo(g === 'cool' ? 0.4 : 0, 9);
    }
  });

  it('reports a watcher that stopped writing, and not one that writes', async () => {
    const q = (g: string) => ruleQuery('gridsentinel-demo-stopped', name(g));
    for (const g of ['hot', 'lag', 'gap']) {
      const result = evaluate(q(g).rule, await render(q(g).target, q(g).range, EVAL));
      expect(result).toHaveLength(1);
      expect(result[0].firing).toBe(false);
    }
    const dead = evaluate(q('dead').rule, await render(q('dead').target, q('dead').range, EVAL));
    expect(dead).toEqual([expect.objectContaining({ value: 0, firing: true })]);
    // A grid that was never written: no series at all, which the rule's noDataState turns into an alert.
    expect(await render(q('never').target, q('never').range, EVAL)).toEqual([]);
    expect(q('never').rule.noDataState).toBe('Alerting');
  });
});
