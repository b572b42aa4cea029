/**
 * The model the watcher scores with: from a file, or the one published in a GridSentinel datasource
 * (read through Grafana's HTTP API with a service-account token or a user's basic auth). Looked up every
 * cycle; a new one is switched to without a restart, one that does not load or does not fit the configured
 * features is refused with the reason and the previous one keeps serving.
 */
import { readFile } from 'node:fs/promises';

import { loadModel, type LoadedModel } from '../../core/model/modelDocument';
import { publishedModel } from '../../core/model/publishing';
import { modelMismatch } from '../../core/model/scoreRange';
import type { ModelEvent } from '../../core/scores/cycle';
import { modelFingerprint, type ModelIdentity } from '../../core/scores/records';
import type { SourceSettings } from '../../core/sources/settings';
import defaultModel from '../../datasource/model/default-model.json';
import { requestJson, type HttpOptions } from './http';

export interface ModelCandidate {
  raw: unknown;
  version: number | null;
  origin: string;
  /** The bundled default: re-centred on the data it scores, as the datasource does. */
  bundled: boolean;
}

export type ModelSource = () => Promise<ModelCandidate>;

export function fileModelSource(path: string): ModelSource {
  return async () => {
    const text = await readFile(path, 'utf8');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (err) {
      throw new Error(`${path} is not JSON: ${(err as Error).message}`);
    }
    return { raw, version: null, origin: `file:${path}`, bundled: false };
  };
}

/**
 * GET /api/datasources/uid/<uid>; nothing published means the datasource's bundled model. `authorization`:
 * the header value, `Bearer <service-account token>` or `Basic ...`.
 */
export function grafanaModelSource(
  grafanaUrl: string,
  uid: string,
  authorization: string,
  o: HttpOptions = {}
): ModelSource {
  const url = `${grafanaUrl.replace(/\/+$/, '')}/api/datasources/uid/${encodeURIComponent(uid)}`;
  return async () => {
    const ds = await requestJson<{ jsonData?: unknown; type?: unknown }>(url, {
      ...o,
      authorization,
    });
    const published = publishedModel(ds?.jsonData);
    if (!published) {
      return { raw: defaultModel, version: null, origin: `grafana:${uid} (bundled)`, bundled: true };
    }
    return { raw: published.model, version: published.version, origin: `grafana:${uid}`, bundled: false };
  };
}

export interface ModelInUse {
  model: LoadedModel;
  identity: ModelIdentity;
  bundled: boolean;
}

/** Holds the model in use and decides about each candidate. */
export class ModelKeeper {
  current: ModelInUse | null = null;

  constructor(
    private readonly source: ModelSource,
    private readonly settings: Pick<SourceSettings, 'features' | 'stepSeconds'>
  ) {}

  async refresh(): Promise<ModelEvent> {
    let c: ModelCandidate;
    try {
      c = await this.source();
    } catch (err) {
      return { kind: 'unavailable', reason: (err as Error).message };
    }
    const identity: ModelIdentity = { id: modelFingerprint(c.raw), version: c.version, origin: c.origin };
    const cur = this.current?.identity;
    if (cur && cur.id === identity.id && cur.version === identity.version) {
      return { kind: 'kept' };
    }
    let model: LoadedModel;
    try {
      model = loadModel(c.raw);
    } catch (err) {
      return { kind: 'refused', reason: (err as Error).message, candidate: identity };
    }
    const mismatch = modelMismatch(model.doc, this.settings);
    if (mismatch) {
      return { kind: 'refused', reason: mismatch, candidate: identity };
    }
    this.current = { model, identity, bundled: c.bundled };
    return { kind: 'switched', from: cur ?? null, to: identity };
  }
}
