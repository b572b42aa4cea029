/**
 * Publishing a model into a datasource's jsonData: the model in use, the one it replaces (for rollback)
 * and the history of who put which in use. Pure, so the datasource writes it and the app page and the
 * watcher read the same fields.
 */
import type { ModelDocument } from './modelDocument';
import { appendHistory, historyEntry, nextHistoryVersion, readModelHistory } from './modelHistory';

// data_source.json_data is a MySQL TEXT column in some Grafana installs (64 KiB).
export const JSON_DATA_LIMIT = 65535;

export type ModelChange = { kind: 'publish'; doc: ModelDocument } | { kind: 'rollback' };

/** jsonData with the change applied; throws when there is nothing to roll back to or it would not fit. */
export function publishedJsonData(
  stored: Record<string, unknown>,
  change: ModelChange,
  by: { publishedBy: string; publishedAt: Date }
): Record<string, unknown> {
  let model: ModelDocument;
  if (change.kind === 'publish') {
    model = change.doc;
  } else {
    const previous = stored.modelPrevious;
    if (!previous || typeof previous !== 'object') {
      throw new Error('there is no previous model to roll back to (jsonData.modelPrevious is empty)');
    }
    model = previous as ModelDocument;
  }
  const history = readModelHistory(stored.modelHistory);
  const entry = historyEntry(model, {
    version: nextHistoryVersion(history),
    publishedAt: by.publishedAt,
    publishedBy: by.publishedBy,
    rollback: change.kind === 'rollback',
  });
  const jsonData = {
    ...stored,
    model,
    modelPrevious: stored.model ?? null,
    modelHistory: appendHistory(history, entry),
  };
  if (JSON.stringify(jsonData).length > JSON_DATA_LIMIT) {
    throw new Error('the settings with two models exceed 64 KiB, which some Grafana databases cannot store');
  }
  return jsonData;
}

/**
 * The published model document in a datasource's jsonData and the version its history gives it, or null
 * when none is published (the datasource then uses its bundled model).
 */
export function publishedModel(jsonData: unknown): { model: unknown; version: number | null } | null {
  const j = jsonData && typeof jsonData === 'object' ? (jsonData as Record<string, unknown>) : {};
  if (!j.model || typeof j.model !== 'object') {
    return null;
  }
  const history = readModelHistory(j.modelHistory);
  return { model: j.model, version: history.length > 0 ? history[0].version : null };
}
