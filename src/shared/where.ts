/**
 * The contract for "where" of one hour on demand (the timeline tooltip asks for an hour outside any
 * anomalous region, whose where the explanation frame does not carry): one breakdown search for that hour.
 */
import type { ScopedVars } from '@grafana/data';

export interface HourWhereRequest {
  timeMs: number;
  /** The hour's top features, strongest first (the text leads with the first that changed). */
  topFeatures: string[];
  /** The panel query's filters (template variables allowed), so the hour is broken down as it was scored. */
  experiment?: string;
  schedd?: string;
  scopedVars?: ScopedVars;
}

export interface WhereDataSource {
  /** One line, e.g. "JobHeldEvent +12 over typical, on jobsub02.fnal.gov +9; VO mu2e +12", or why there is none. */
  hourWhere(req: HourWhereRequest): Promise<string>;
}

export function isWhereDataSource(ds: unknown): ds is WhereDataSource {
  return typeof (ds as Partial<WhereDataSource> | null)?.hourWhere === 'function';
}
