/** Dashboard variable queries: values of a keyword field from an Elasticsearch terms aggregation. */
import { buildTermsValuesSearch, parseTermsValues } from '../core/elasticsearch/termsValues';
import type { SourceSettings } from '../core/sources/settings';
import type { SourceHttp } from '../core/sources/sourceHttp';
import { DAY_MS } from '../core/time';

/** Variable queries: `event_types`, `experiments`, `schedds`, or `terms(<keyword field>)`. */
export function variableField(query: string, s: SourceSettings): string {
  const q = query.trim();
  const named: Record<string, string> = {
    event_types: s.eventTypeField,
    experiments: s.experimentField,
    schedds: s.scheddField,
  };
  if (named[q]) {
    return named[q];
  }
  const m = /^terms\(\s*([^()\s]+)\s*\)$/.exec(q);
  if (m) {
    return m[1];
  }
  throw new Error(`unknown variable query "${query}": use event_types, experiments, schedds or terms(<field>)`);
}

/** The field's values over [fromMs, toMs) (default: the last 30 days). */
export async function variableValues(
  http: SourceHttp,
  s: SourceSettings,
  query: string,
  range?: { fromMs: number; toMs: number }
): Promise<string[]> {
  const field = variableField(query, s);
  const toMs = range?.toMs ?? Date.now();
  const fromMs = range?.fromMs ?? toMs - 30 * DAY_MS;
  const req = { field, timeField: s.timeField, fromMs, toMs };
  const response = await http({
    source: 'elasticsearch',
    path: `/${encodeURIComponent(s.indexPattern)}/_search`,
    method: 'POST',
    body: JSON.stringify(buildTermsValuesSearch(req)),
    contentType: 'application/json',
  });
  return parseTermsValues(req, response).map((v) => v.value);
}
