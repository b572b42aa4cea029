/** The final check of a load: refresh, then `_count` per daily index against the generated totals. */
import type { GeneratedGrid } from '../generator/simulate';
import { expectOk, type EsClient } from './esHttp';
import type { EsDayCount } from './esReport';
import { isRecord } from './json';

/** `_count` per daily index, restricted to the grid's time range so neighbouring data does not count. */
export async function countPerDay(
  client: EsClient,
  g: GeneratedGrid,
  expected: Map<string, number>
): Promise<EsDayCount[]> {
  const indices = [...expected.keys()];
  for (let i = 0; i < indices.length; i += 50) {
    const part = indices.slice(i, i + 50).join(',');
    const r = await client.request('POST', `/${part}/_refresh?ignore_unavailable=true&allow_no_indices=true`);
    expectOk(r, `_refresh ${part}`, true);
  }
  const query = JSON.stringify({
    query: {
      range: {
        '@timestamp': {
          gte: new Date(g.start).toISOString(),
          lt: new Date(g.start + g.hours * g.stepMs).toISOString(),
        },
      },
    },
  });
  const out: EsDayCount[] = [];
  for (const index of indices) {
    const r = await client.request('POST', `/${index}/_count?ignore_unavailable=true&allow_no_indices=true`, query);
    let actual = 0;
    if (r.status !== 404) {
      expectOk(r, `_count ${index}`);
      actual = Number((isRecord(r.json) ? r.json.count : undefined) ?? NaN);
    }
    out.push({ index, expected: expected.get(index) ?? 0, actual });
  }
  return out;
}
