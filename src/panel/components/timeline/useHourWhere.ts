import { useEffect, useState } from 'react';

import { errorMessage } from '../../../shared/errorMessage';
import type { HourWhereRequest, WhereDataSource } from '../../../shared/where';
import type { TimelineCell } from '../../cells';

/** How long the pointer rests on an hour before its where is asked for: passing over hours asks nothing. */
export const HOUR_WHERE_DELAY_MS = 400;
export const LOOKING = 'looking…';

interface Options {
  /** The hovered hour, if any. */
  cell: TimelineCell | undefined;
  /** The GridSentinel datasource of the panel query (rejects when there is none). */
  load: () => Promise<WhereDataSource>;
  /** The panel query's filters and variables, so the hour is broken down as it was scored. */
  query: Omit<HourWhereRequest, 'timeMs' | 'topFeatures'>;
  /** Answers are dropped when this changes (new data: new filters or a new model). */
  refreshKey: unknown;
}

/**
 * Where of one hovered hour on demand: an hour with data whose where the query result does not carry (it
 * is outside every anomalous region) is asked of the datasource once, one search for that hour, after the
 * pointer rests on it. Answers (and failures) are kept per hour until the data changes.
 */
export function useHourWhere({ cell, load, query, refreshKey }: Options): string | undefined {
  const [answers, setAnswers] = useState<{ key: unknown; byTime: Map<number, string> }>({
    key: refreshKey,
    byTime: new Map(),
  });
  const byTime = answers.key === refreshKey ? answers.byTime : new Map<number, string>();
  const time = cell?.time;
  const wanted = cell !== undefined && cell.value !== null && !cell.where && !byTime.has(cell.time);
  const topFeatures = cell?.topFeatures;
  const { experiment, schedd, scopedVars } = query;

  useEffect(() => {
    if (!wanted || time === undefined) {
      return;
    }
    const put = (text: string) =>
      setAnswers((a) => {
        const m = new Map(a.key === refreshKey ? a.byTime : []);
        return { key: refreshKey, byTime: m.set(time, text) };
      });
    const timer = setTimeout(() => {
      put(LOOKING);
      load()
        .then((ds) =>
          ds.hourWhere({
            timeMs: time,
            topFeatures: topFeatures ? topFeatures.split(', ') : [],
            experiment,
            schedd,
            scopedVars,
          })
        )
        .then(put, (err: unknown) => put(`unavailable (${errorMessage(err)})`));
    }, HOUR_WHERE_DELAY_MS);
    return () => clearTimeout(timer);
  }, [wanted, time, topFeatures, load, experiment, schedd, scopedVars, refreshKey]);

  return cell?.where ?? (time === undefined ? undefined : byTime.get(time));
}
