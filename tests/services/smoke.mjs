// Smoke test for the test services: node tests/services/smoke.mjs
// Starts OpenSearch and Graphite, checks exact aggregation counts and exact hourly Graphite points
// written with past timestamps, stops both and checks the processes and temp dirs are gone.
// Exits non-zero on any mismatch.
import { existsSync } from 'node:fs';
import net from 'node:net';

import { startGraphite } from './graphite.mjs';
import { buildLauncher, startOpenSearch } from './opensearch.mjs';
import { httpJson, isGone, sleep } from './process-utils.mjs';

const failures = [];
function check(cond, msg) {
  if (!cond) {
    failures.push(msg);
    console.error(`  FAIL ${msg}`);
  }
  return cond;
}
function checkEqual(actual, expected, msg) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  return check(a === e, `${msg}\n    expected ${e}\n    actual   ${a}`);
}

const HOUR = 3600_000;
const keepDirs = process.env.GS_KEEP_SERVICE_DIRS === '1'; // debugging: logs stay in the temp dirs
const TYPES = ['JobSubmit', 'JobStart', 'JobEnd', 'Error'];
const DAY1 = Date.UTC(2026, 5, 1); // 2026-06-01T00:00Z

// ---------------------------------------------------------------- OpenSearch
function makeDocs() {
  // 320 docs over two days, uneven per hour and type; hours 5 and 30 stay empty on purpose.
  const docs = [];
  for (let i = 0; i < 320; i++) {
    let hour = (i * 7) % 48;
    if (hour === 5 || hour === 30) {
      hour += 1;
    }
    const ts = DAY1 + hour * HOUR + ((i * 13) % 60) * 60_000;
    docs.push({ '@timestamp': new Date(ts).toISOString(), MyType: TYPES[(i * 3 + (i >> 4)) % 4], seq: i });
  }
  return docs;
}

function indexFor(doc) {
  return `fifebatch-logs-${doc['@timestamp'].slice(0, 10).replaceAll('-', '.')}`;
}

async function smokeOpenSearch(url) {
  const t0 = Date.now();
  const tpl = await httpJson(`${url}/_index_template/fifebatch-logs`, {
    method: 'PUT',
    body: JSON.stringify({
      index_patterns: ['fifebatch-logs-*'],
      template: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: {
          properties: { '@timestamp': { type: 'date' }, MyType: { type: 'keyword' }, seq: { type: 'integer' } },
        },
      },
    }),
  });
  check(tpl.status === 200 && tpl.json?.acknowledged === true, `PUT _index_template: ${tpl.status} ${tpl.text}`);

  const docs = makeDocs();
  const ndjson = docs
    .map((d) => `${JSON.stringify({ index: { _index: indexFor(d) } })}\n${JSON.stringify(d)}\n`)
    .join('');
  const bulk = await httpJson(`${url}/_bulk?refresh=true`, {
    method: 'POST',
    body: ndjson,
    headers: { 'content-type': 'application/x-ndjson' },
  });
  check(
    bulk.status === 200 && bulk.json?.errors === false && bulk.json.items.length === docs.length,
    `_bulk: ${bulk.status} errors=${bulk.json?.errors}`
  );

  const count = await httpJson(`${url}/fifebatch-logs-*/_count`);
  checkEqual(count.json?.count, docs.length, '_count over fifebatch-logs-*');
  const count2 = await httpJson(`${url}/fifebatch-logs-2026.06.02/_count`, {
    method: 'POST',
    body: JSON.stringify({ query: { term: { MyType: 'Error' } } }),
  });
  checkEqual(
    count2.json?.count,
    docs.filter((d) => indexFor(d) === 'fifebatch-logs-2026.06.02' && d.MyType === 'Error').length,
    '_count Error on 2026.06.02'
  );

  const mapping = await httpJson(`${url}/fifebatch-logs-2026.06.01/_mapping`);
  checkEqual(
    mapping.json?.['fifebatch-logs-2026.06.01']?.mappings?.properties?.MyType,
    { type: 'keyword' },
    '_mapping MyType'
  );

  const cat = await httpJson(`${url}/_cat/indices/fifebatch-logs-*?format=json&h=index,health,docs.count&s=index`);
  checkEqual(
    cat.json,
    ['fifebatch-logs-2026.06.01', 'fifebatch-logs-2026.06.02'].map((index) => ({
      index,
      health: 'green',
      'docs.count': String(docs.filter((d) => indexFor(d) === index).length),
    })),
    '_cat/indices'
  );
  const health = await httpJson(`${url}/_cluster/health`);
  checkEqual(health.json?.status, 'green', '_cluster/health after creating indices with 0 replicas');

  // Expected buckets: 2026-05-31T22:00 .. 2026-06-03T01:00 (extended_bounds beyond the data on both sides).
  const min = DAY1 - 2 * HOUR;
  const max = DAY1 + 49 * HOUR;
  const expected = [];
  for (let t = min; t <= max; t += HOUR) {
    const inHour = docs.filter((d) => {
      const ts = Date.parse(d['@timestamp']);
      return ts >= t && ts < t + HOUR;
    });
    const byType = {};
    for (const ty of [...TYPES].sort()) {
      const n = inHour.filter((d) => d.MyType === ty).length;
      if (n) {
        byType[ty] = n;
      }
    }
    expected.push({ key: t, count: inHour.length, errors: byType.Error ?? 0, byType });
  }
  const aggs = {
    per_hour: {
      date_histogram: {
        field: '@timestamp',
        fixed_interval: '1h',
        min_doc_count: 0,
        extended_bounds: { min, max },
        time_zone: 'UTC',
      },
      aggs: {
        kinds: { filters: { filters: { errors: { term: { MyType: 'Error' } }, all: { match_all: {} } } } },
        types: { terms: { field: 'MyType', size: 10, order: { _key: 'asc' } } },
      },
    },
  };
  const query = { range: { '@timestamp': { gte: min, lte: max, format: 'epoch_millis' } } };
  const msearchBody =
    [
      { index: 'fifebatch-logs-*', ignore_unavailable: true },
      { size: 0, query, aggs },
      { index: 'fifebatch-logs-2026.06.01' },
      { size: 0, track_total_hits: true, aggs: { types: { terms: { field: 'MyType', size: 10 } } } },
    ]
      .map((l) => JSON.stringify(l))
      .join('\n') + '\n';
  const ms = await httpJson(`${url}/_msearch`, {
    method: 'POST',
    body: msearchBody,
    headers: { 'content-type': 'application/x-ndjson' },
  });
  check(ms.status === 200 && ms.json?.responses?.length === 2, `_msearch: ${ms.status} ${ms.text.slice(0, 300)}`);
  const [r1, r2] = ms.json?.responses ?? [];
  check(!r1?.error && !r2?.error, `_msearch response errors: ${JSON.stringify(r1?.error ?? r2?.error)}`);
  const got = (r1?.aggregations?.per_hour?.buckets ?? []).map((b) => {
    const byType = {};
    for (const tb of b.types.buckets) {
      byType[tb.key] = tb.doc_count;
    }
    check(b.kinds.buckets.all.doc_count === b.doc_count, `filters.all == doc_count at ${b.key_as_string}`);
    return { key: b.key, count: b.doc_count, errors: b.kinds.buckets.errors.doc_count, byType };
  });
  checkEqual(got.length, expected.length, 'date_histogram bucket count (extended_bounds, min_doc_count 0)');
  checkEqual(got, expected, 'date_histogram per-hour counts with filters/terms sub-aggregations');
  checkEqual(r1?.hits?.total?.value, docs.length, '_msearch[0] hits.total');

  const day1 = docs.filter((d) => indexFor(d) === 'fifebatch-logs-2026.06.01');
  checkEqual(r2?.hits?.total?.value, day1.length, '_msearch[1] hits.total');
  const day1Types = Object.fromEntries(TYPES.map((t) => [t, day1.filter((d) => d.MyType === t).length]));
  const gotTypes = Object.fromEntries((r2?.aggregations?.types?.buckets ?? []).map((b) => [b.key, b.doc_count]));
  checkEqual(
    Object.fromEntries(Object.entries(gotTypes).sort()),
    Object.fromEntries(
      Object.entries(day1Types)
        .filter(([, n]) => n)
        .sort()
    ),
    '_msearch[1] terms MyType'
  );

  // Same aggregation through _search must agree with _msearch.
  const s = await httpJson(`${url}/fifebatch-logs-*/_search`, {
    method: 'POST',
    body: JSON.stringify({ size: 0, query, aggs }),
  });
  checkEqual(
    s.json?.aggregations?.per_hour?.buckets?.map((b) => [b.key, b.doc_count]),
    expected.map((e) => [e.key, e.count]),
    '_search date_histogram'
  );
  console.log(
    `  opensearch checks done in ${Date.now() - t0} ms (${docs.length} docs, ${expected.length} hourly buckets)`
  );
}

// ---------------------------------------------------------------- Graphite
function sendCarbonLines(host, port, lines) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port }, () => {
      sock.end(lines.join('\n') + '\n');
    });
    sock.on('error', reject);
    sock.on('close', resolve);
  });
}

async function smokeGraphite(g) {
  const t0 = Date.now();
  const nowHour = Math.floor(Date.now() / HOUR) * 3600; // seconds, hour-aligned
  const series = {
    // 48 hourly points 200 days back, including zeros.
    'gs.smoke.fifebatch.jobs.count': {
      start: nowHour - 200 * 86400,
      values: Array.from({ length: 48 }, (_, i) => (i % 5 === 0 ? 0 : i * 3 + 1)),
    },
    // ~1 year back: still inside the 1h:3y retention.
    'gs.smoke.fifebatch.errors.count': { start: nowHour - 360 * 86400, values: [7, 0, 2, 11, 4] },
    // 5 months back under the opt-in minutely schema: older than the 1m:7d archive, so stored in the 1h archive.
    'minutely.gs.smoke.jobs.count': { start: nowHour - 150 * 86400, values: [3, 1, 4, 1, 5, 9] },
  };
  const lines = [];
  for (const [name, { start, values }] of Object.entries(series)) {
    values.forEach((v, i) => lines.push(`${name} ${v} ${start + i * 3600}`));
  }
  await sendCarbonLines(g.carbonHost, g.carbonPort, lines);

  for (const [name, { start, values }] of Object.entries(series)) {
    const until = start + (values.length - 1) * 3600;
    // whisper returns points from the first slot *after* `from`: from = start - 1 includes `start`.
    const url = `${g.url}/render?target=${name}&format=json&from=${start - 1}&until=${until}`;
    const expected = values.map((v, i) => [v, start + i * 3600]);
    let got;
    const deadline = Date.now() + 30000;
    while (Date.now() < deadline) {
      const r = await httpJson(url);
      got = r.json?.[0]?.datapoints;
      if (JSON.stringify(got) === JSON.stringify(expected)) {
        break;
      }
      await sleep(250); // carbon creates the .wsp file asynchronously
    }
    checkEqual(got, expected, `graphite render ${name} (${Math.round((Date.now() / 1000 - start) / 86400)} days back)`);
  }
  const find = await httpJson(`${g.url}/metrics/find?query=gs.smoke.fifebatch.*`);
  checkEqual(
    (find.json ?? []).map((m) => m.id).sort(),
    ['gs.smoke.fifebatch.errors', 'gs.smoke.fifebatch.jobs'],
    '/metrics/find gs.smoke.fifebatch.*'
  );
  // A sum across series through the render API (what the plugin's queries will do).
  const jobs = series['gs.smoke.fifebatch.jobs.count'];
  const sumUrl = `${g.url}/render?target=sumSeries(gs.smoke.fifebatch.*.count)&format=json&from=${jobs.start - 1}&until=${jobs.start + 3 * 3600}`;
  const sum = await httpJson(sumUrl);
  checkEqual(
    sum.json?.[0]?.datapoints,
    jobs.values.slice(0, 4).map((v, i) => [v, jobs.start + i * 3600]),
    'graphite sumSeries (other series has no points there)'
  );
  console.log(`  graphite checks done in ${Date.now() - t0} ms`);
}

// ---------------------------------------------------------------- main
async function main() {
  const tBuild = Date.now();
  const buildMs = buildLauncher();
  console.log(buildMs ? `maven build: ${buildMs} ms` : `maven build: up to date (${Date.now() - tBuild} ms check)`);

  const t0 = Date.now();
  const [osRes, grRes] = await Promise.allSettled([
    startOpenSearch().then((h) => (console.log(`opensearch started in ${h.timings.startMs} ms at ${h.url}`), h)),
    startGraphite().then(
      (h) => (
        console.log(`graphite started in ${h.timings.startMs} ms at ${h.url}, carbon ${h.carbonHost}:${h.carbonPort}`),
        h
      )
    ),
  ]);
  console.log(`both services ready after ${Date.now() - t0} ms (parallel start)`);
  const os = osRes.status === 'fulfilled' ? osRes.value : null;
  const gr = grRes.status === 'fulfilled' ? grRes.value : null;
  try {
    if (!os) {
      check(false, `opensearch failed to start: ${osRes.reason?.message}`);
    }
    if (!gr) {
      check(false, `graphite failed to start: ${grRes.reason?.message}`);
    }
    await Promise.all([os && smokeOpenSearch(os.url), gr && smokeGraphite(gr)]);
  } catch (err) {
    check(false, `unexpected error: ${err.stack}`);
  } finally {
    const tStop = Date.now();
    await Promise.allSettled([os?.stop(), gr?.stop()]);
    console.log(`stopped in ${Date.now() - tStop} ms`);
    if (os) {
      check(isGone(os.pid), `opensearch process ${os.pid} still alive after stop()`);
      check(keepDirs || !existsSync(os.home), `opensearch temp dir ${os.home} not removed`);
    }
    if (gr) {
      check(isGone(gr.pids.carbon), `carbon-cache process ${gr.pids.carbon} still alive after stop()`);
      check(isGone(gr.pids.web), `graphite-web process ${gr.pids.web} still alive after stop()`);
      check(keepDirs || !existsSync(gr.dir), `graphite temp dir ${gr.dir} not removed`);
    }
  }
  if (failures.length) {
    console.error(`\nSMOKE FAILED: ${failures.length} check(s) failed`);
    process.exit(1);
  }
  console.log('\nSMOKE OK');
}

await main();
