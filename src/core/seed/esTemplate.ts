/** The composable index template that maps the event documents (keyword / date / long). */
import { DEFAULT_INDEX_PREFIX } from './esDocuments';
import { expectOk, type EsClient } from './esHttp';

export interface EventTemplateOptions {
  /** Default 100. */
  priority?: number;
  /** Index settings; default 1 shard, 0 replicas (single-node demo clusters). */
  settings?: Record<string, unknown>;
}

export function eventIndexTemplate(indexPrefix = DEFAULT_INDEX_PREFIX, opts: EventTemplateOptions = {}) {
  return {
    index_patterns: [`${indexPrefix}*`],
    priority: opts.priority ?? 100,
    template: {
      settings: opts.settings ?? { number_of_shards: 1, number_of_replicas: 0 },
      mappings: {
        properties: {
          '@timestamp': { type: 'date' },
          MyType: { type: 'keyword' },
          EventTypeNumber: { type: 'integer' },
          experiment: { type: 'keyword' },
          schedd: { type: 'keyword' },
          Owner: { type: 'keyword' },
          Cluster: { type: 'long' },
          Proc: { type: 'long' },
          jobid: { type: 'keyword' },
        },
      },
    },
    _meta: { description: 'HTCondor job events as FIFE logstash writes them (GridSentinel seeder)' },
  };
}

/** Template name derived from the prefix so test and demo prefixes never clash. */
export function templateNameFor(indexPrefix: string): string {
  const base = indexPrefix.replace(/[^a-zA-Z0-9_-]+/g, '-').replace(/[-_]+$/, '');
  return `gridsentinel-${base.toLowerCase() || 'events'}`;
}

/** Creates or replaces the template; returns its name. */
export async function putTemplate(
  client: EsClient,
  indexPrefix: string,
  name: string,
  opts: EventTemplateOptions
): Promise<string> {
  const body = eventIndexTemplate(indexPrefix, opts);
  const r = await client.request('PUT', `/_index_template/${encodeURIComponent(name)}`, JSON.stringify(body));
  expectOk(r, `PUT _index_template/${name}`);
  return name;
}
