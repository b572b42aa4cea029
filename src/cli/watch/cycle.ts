/**
 * One cycle's reading, scoring and writing: what each store holds in the due window, then the union of
 * what either lacks scored in batches (one feature fetch per batch), each store written its own missing
 * steps. A store whose state could not be read or whose write failed is left alone for the rest of the
 * cycle, so the other keeps being written and the next cycle fills the gap. Stops between batches once
 * `stopping()` says so: the batch being written is finished.
 */
import { modelForMatrix, scoringFetchStart } from '../../core/model/scoreRange';
import { scoreSeries } from '../../core/model/score';
import { planCycle, STORES, toFault, type Fault, type PerStore, type Store } from '../../core/scores/cycle';
import { stepScores, type StepScore } from '../../core/scores/records';
import { attachWhere } from '../../core/scores/where';
import { batchSteps, type DueWindow } from '../../core/scores/schedule';
import { fetchFeatureMatrix } from '../../core/sources/featureFetch';
import type { SourceHttp } from '../../core/sources/sourceHttp';
import type { WatchConfig } from './config';
import type { ModelInUse } from './model';
import type { ScoreStores } from './stores';

export interface CycleWork {
  pending: PerStore<number[] | null>;
  written: PerStore<Set<number>>;
  held: PerStore<ReadonlySet<number>>;
  faults: Fault[];
}

export interface CycleContext {
  config: Pick<WatchConfig, 'settings' | 'configured' | 'batchSteps' | 'schedule'>;
  stores: ScoreStores;
  /** Tagged (core/scores/cycle taggedHttp), so faults name the request that failed. */
  http: SourceHttp;
  stopping: () => boolean;
}

export async function scoreDue(x: CycleContext, inUse: ModelInUse, window: DueWindow): Promise<CycleWork> {
  const { http, stores } = x;
  const stepMs = x.config.schedule.stepMs;
  const faults: Fault[] = [];
  const read = await Promise.allSettled(STORES.map((s) => stores.held(s, http, window)));
  const held: PerStore<ReadonlySet<number>> = { elasticsearch: new Set(), graphite: new Set() };
  const known: PerStore<ReadonlySet<number> | null> = { elasticsearch: null, graphite: null };
  STORES.forEach((store, i) => {
    const r = read[i];
    if (r.status === 'fulfilled') {
      held[store] = known[store] = r.value;
    } else {
      faults.push(toFault(r.reason, store, 'read state'));
    }
  });
  const { pending, steps } = planCycle(window, stepMs, known);
  const active: PerStore<boolean> = {
    elasticsearch: pending.elasticsearch !== null,
    graphite: pending.graphite !== null,
  };
  const want: PerStore<Set<number>> = {
    elasticsearch: new Set(pending.elasticsearch ?? []),
    graphite: new Set(pending.graphite ?? []),
  };
  const written: PerStore<Set<number>> = { elasticsearch: new Set(), graphite: new Set() };

  const write = async (store: Store, records: StepScore[]) => {
    const steps = records.filter((r) => want[store].has(r.timeMs));
    if (!active[store] || steps.length === 0) {
      return;
    }
    try {
      const done = await stores.write(store, http, steps, inUse.identity);
      done.forEach((t) => written[store].add(t));
      if (done.length < steps.length) {
        throw new Error(`${steps.length - done.length} of ${steps.length} steps not confirmed written`);
      }
    } catch (err) {
      active[store] = false;
      faults.push(toFault(err, store === 'graphite' ? 'carbon' : 'elasticsearch', 'write scores'));
    }
  };

  for (const batch of batchSteps(steps, stepMs, x.config.batchSteps)) {
    if (x.stopping() || (!active.elasticsearch && !active.graphite)) {
      break;
    }
    let records: StepScore[];
    try {
      records = await scoreBatch(x, inUse, batch);
    } catch (err) {
      faults.push(toFault(err, 'elasticsearch', 'fetch features'));
      break;
    }
    await Promise.all(STORES.map((store) => write(store, records)));
  }
  return { pending, written, held, faults };
}

/**
 * One feature fetch covering the batch (with the model's warm-up), scored; the batch's steps as records,
 * those at or above the threshold with their where (one search per run of them).
 */
async function scoreBatch(x: CycleContext, { model, bundled }: ModelInUse, batch: number[]): Promise<StepScore[]> {
  const { settings, configured, schedule } = x.config;
  const sources = { http: x.http, settings, configured };
  const matrix = await fetchFeatureMatrix(
    sources,
    scoringFetchStart(model.doc, batch[0], bundled),
    batch[batch.length - 1] + schedule.stepMs
  );
  const records = stepScores(matrix, scoreSeries(modelForMatrix(model, matrix, bundled), matrix), batch);
  await attachWhere(sources, records, schedule.stepMs);
  return records;
}
