/**
 * The publish history kept in the datasource's jsonData.modelHistory: metadata only (never weights),
 * capped so jsonData stays well under the 64 KiB some Grafana databases allow.
 */
import type { ModelDocument } from './modelDocument';

export const MODEL_HISTORY_CAP = 20;

export interface ModelHistoryEntry {
  /** 1 for the first publish, then one more than the newest entry. */
  version: number;
  /** ISO 8601. */
  publishedAt: string;
  publishedBy: string;
  features: string[];
  validationAp?: number;
  anomalyEvents?: number;
  source: ProbabilitySource;
  /** Set when the entry records a rollback to the previous model rather than a new one. */
  rollback?: boolean;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Entries from stored jsonData; anything malformed (hand-edited settings) is dropped, not thrown. */
export function readModelHistory(raw: unknown): ModelHistoryEntry[] {
  if (!Array.isArray(raw)) {
    return [];
  }
  const out: ModelHistoryEntry[] = [];
  for (const e of raw) {
    if (!isObject(e) || finite(e.version) === undefined || typeof e.publishedAt !== 'string') {
      continue;
    }
    out.push({
      version: e.version as number,
      publishedAt: e.publishedAt,
      publishedBy: typeof e.publishedBy === 'string' ? e.publishedBy : '',
      features: Array.isArray(e.features) ? e.features.filter((f): f is string => typeof f === 'string') : [],
      validationAp: finite(e.validationAp),
      anomalyEvents: finite(e.anomalyEvents),
      source: e.source === 'classifier' || e.source === 'classifier+surprise' ? e.source : 'surprise',
      ...(e.rollback === true ? { rollback: true } : {}),
    });
  }
  return out;
}

export type ProbabilitySource = 'classifier' | 'classifier+surprise' | 'surprise';

export const SOURCE_NAMES: Record<ProbabilitySource, string> = {
  classifier: 'the classifier',
  'classifier+surprise': 'the classifier averaged with the calibrated surprise',
  surprise: 'the calibrated surprise',
};

/** Which heads give a document's probability (see ModelDocument.classifier). */
export function probabilitySource(doc: Pick<ModelDocument, 'classifier'>): ProbabilitySource {
  if (!doc.classifier?.enabled) {
    return 'surprise';
  }
  return doc.classifier.withSurprise ? 'classifier+surprise' : 'classifier';
}

/** The history entry for a model being put in use. */
export function historyEntry(
  doc: ModelDocument,
  at: { version: number; publishedAt: Date | string; publishedBy: string; rollback?: boolean }
): ModelHistoryEntry {
  const entry: ModelHistoryEntry = {
    version: at.version,
    publishedAt: typeof at.publishedAt === 'string' ? at.publishedAt : at.publishedAt.toISOString(),
    publishedBy: at.publishedBy,
    features: [...(doc.features ?? [])],
    source: probabilitySource(doc),
  };
  const ap = finite(doc.training?.metrics?.validationAp);
  const events = finite(doc.training?.anomalyEvents);
  if (ap !== undefined) {
    entry.validationAp = ap;
  }
  if (events !== undefined) {
    entry.anomalyEvents = events;
  }
  if (at.rollback) {
    entry.rollback = true;
  }
  return entry;
}

/** Next version number for a stored history. */
export function nextHistoryVersion(history: readonly ModelHistoryEntry[]): number {
  return history.reduce((max, e) => Math.max(max, e.version), 0) + 1;
}

/** Newest first, at most cap entries (the oldest are dropped). */
export function appendHistory(
  history: readonly ModelHistoryEntry[],
  entry: ModelHistoryEntry,
  cap = MODEL_HISTORY_CAP
): ModelHistoryEntry[] {
  return [entry, ...history].slice(0, Math.max(1, cap));
}

export interface ModelInUse {
  /** 'default' when jsonData.model is empty: the datasource scores with the model bundled in the plugin. */
  kind: 'default' | 'published';
  features: string[];
  validationAp?: number;
  source?: ProbabilitySource;
  trainFrom?: string;
  trainUntil?: string;
  /** Whether jsonData.modelPrevious holds a model to roll back to. */
  hasPrevious: boolean;
}

/** A summary of the model a datasource's jsonData puts in use, tolerant of partial documents. */
export function modelInUse(jsonData: unknown): ModelInUse {
  const j = isObject(jsonData) ? jsonData : {};
  const hasPrevious = isObject(j.modelPrevious);
  if (!isObject(j.model)) {
    return { kind: 'default', features: [], hasPrevious };
  }
  const m = j.model as Partial<ModelDocument>;
  return {
    kind: 'published',
    features: Array.isArray(m.features) ? m.features.filter((f): f is string => typeof f === 'string') : [],
    validationAp: finite(m.training?.metrics?.validationAp),
    source: isObject(m.classifier) ? probabilitySource(m as ModelDocument) : undefined,
    trainFrom: typeof m.training?.trainFrom === 'string' ? m.training.trainFrom : undefined,
    trainUntil: typeof m.training?.trainUntil === 'string' ? m.training.trainUntil : undefined,
    hasPrevious,
  };
}
