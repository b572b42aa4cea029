/**
 * The two score stores as the watcher sees them: which steps of a window each holds, and writing a
 * batch of steps to each, counting only what the store confirms (Elasticsearch's _bulk answer; for
 * Graphite, the `scored` markers read back after the carbon write).
 */
import {
  bulkBody,
  parseBulkResponse,
  parseWrittenSteps,
  SCORE_TEMPLATE_NAME,
  scoreDocument,
  scoreIndexTemplate,
  writtenStepsPath,
  writtenStepsQuery,
} from '../../core/scores/elasticsearch';
import type { Store } from '../../core/scores/cycle';
import { carbonLines, parseWrittenMarkers, writtenStepsRender } from '../../core/scores/graphite';
import type { ModelIdentity, StepScore } from '../../core/scores/records';
import type { DueWindow } from '../../core/scores/schedule';
import { graphiteRender, type SourceHttp } from '../../core/sources/sourceHttp';
import { sendPlaintext } from '../carbon';
import type { WatchConfig } from './config';

const READ_BACK_POLL_MS = 200;

export class ScoreStores {
  private templateReady = false;
  private readonly stepMs: number;

  constructor(
    private readonly c: Pick<WatchConfig, 'name' | 'carbon' | 'graphiteVerifyMs' | 'schedule'>,
    private readonly now: () => number
  ) {
    this.stepMs = c.schedule.stepMs;
  }

  /** The steps of the window the store holds. */
  held(store: Store, http: SourceHttp, w: DueWindow): Promise<Set<number>> {
    return store === 'elasticsearch' ? this.heldElasticsearch(http, w) : this.heldGraphite(http, w);
  }

  /** Writes the steps to the store; resolves to the steps it confirmed. */
  write(store: Store, http: SourceHttp, steps: StepScore[], identity: ModelIdentity): Promise<number[]> {
    return store === 'elasticsearch' ? this.writeElasticsearch(http, steps, identity) : this.writeGraphite(http, steps);
  }

  private async heldElasticsearch(http: SourceHttp, w: DueWindow): Promise<Set<number>> {
    const r = await http({
      source: 'elasticsearch',
      path: writtenStepsPath(this.c.name),
      method: 'POST',
      body: JSON.stringify(writtenStepsQuery(this.c.name, w.fromMs, w.toMs, this.stepMs)),
      contentType: 'application/json',
    });
    return parseWrittenSteps(r);
  }

  private async heldGraphite(http: SourceHttp, w: DueWindow): Promise<Set<number>> {
    if (w.toMs <= w.fromMs) {
      return new Set();
    }
    const r = await graphiteRender(http, writtenStepsRender(this.c.name, w.fromMs, w.toMs, this.stepMs));
    return parseWrittenMarkers(r, this.stepMs);
  }

  /** One _bulk (each document a whole step); returns the steps Elasticsearch acknowledged. */
  private async writeElasticsearch(http: SourceHttp, steps: StepScore[], identity: ModelIdentity): Promise<number[]> {
    if (!this.templateReady) {
      await http({
        source: 'elasticsearch',
        path: `/_index_template/${SCORE_TEMPLATE_NAME}`,
        method: 'PUT',
        body: JSON.stringify(scoreIndexTemplate()),
        contentType: 'application/json',
      });
      this.templateReady = true;
    }
    const at = this.now();
    const docs = steps.map((s) => scoreDocument(this.c.name, this.stepMs, s, identity, at));
    // refresh=wait_for: the next state read sees these documents.
    const r = await http({
      source: 'elasticsearch',
      path: '/_bulk?refresh=wait_for',
      method: 'POST',
      body: bulkBody(docs, identity),
      contentType: 'application/x-ndjson',
    });
    return parseBulkResponse(docs, r).written;
  }

  /** One carbon batch, then the markers read back: only steps Graphite returns count as written. */
  private async writeGraphite(http: SourceHttp, steps: StepScore[]): Promise<number[]> {
    await sendPlaintext([carbonLines(this.c.name, steps)], this.c.carbon);
    const wanted = steps.map((s) => s.timeMs);
    const w = { fromMs: wanted[0], toMs: wanted[wanted.length - 1] + this.stepMs };
    const deadline = Date.now() + this.c.graphiteVerifyMs;
    for (;;) {
      const seen = await this.heldGraphite(http, w);
      const done = wanted.filter((t) => seen.has(t));
      if (done.length === wanted.length || Date.now() >= deadline) {
        return done;
      }
      await new Promise((r) => setTimeout(r, READ_BACK_POLL_MS));
    }
  }
}
