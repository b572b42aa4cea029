/**
 * A GridSentinel datasource's stored settings through Grafana's HTTP API (`/api/datasources/uid/<uid>`):
 * the app page reads the published models from them, the datasource publishes into them.
 */
import { config, getBackendSrv } from '@grafana/runtime';
import { lastValueFrom } from 'rxjs';

import { publishedJsonData, type ModelChange } from '../core/model/publishing';

type StoredDataSource = Record<string, unknown> & { jsonData?: Record<string, unknown> };

const urlFor = (uid: string) => `/api/datasources/uid/${encodeURIComponent(uid)}`;

export async function readDataSource(uid: string): Promise<StoredDataSource> {
  const res = await lastValueFrom(
    getBackendSrv().fetch<StoredDataSource>({ url: urlFor(uid), method: 'GET', showErrorAlert: false })
  );
  return res.data ?? {};
}

/**
 * Applies a model change to the datasource's jsonData. Grafana's PUT replaces the whole datasource, so
 * this reads it first and sends its version back (a concurrent edit then fails with 409 instead of being
 * lost). Needs datasources:write (Admin).
 */
export async function changeModel(uid: string, change: ModelChange): Promise<void> {
  const ds = await readDataSource(uid);
  const jsonData = publishedJsonData(ds.jsonData ?? {}, change, {
    publishedBy: config.bootData?.user?.login ?? '',
    publishedAt: new Date(),
  });
  await lastValueFrom(
    getBackendSrv().fetch({ url: urlFor(uid), method: 'PUT', data: { ...ds, jsonData }, showErrorAlert: false })
  );
}
