/**
 * Who may do what in the panel, from what Grafana says about the signed-in user (config.bootData.user,
 * passed in so this stays pure). Viewers get neither; Editors label; Admins also publish.
 */
export interface UserPermissions {
  permissions?: Record<string, boolean>;
}

/** Labelling writes annotations: the dashboard's panel context decides when it says yes, else annotations:create. */
export function canLabel(ctxCanAdd: (() => boolean) | undefined, user: UserPermissions | undefined): boolean {
  if (ctxCanAdd?.()) {
    return true;
  }
  return Boolean(user?.permissions?.['annotations:create']);
}

/** Publishing a model edits the datasource: Grafana allows that with datasources:write (Admin). */
export function canPublishModel(user: UserPermissions | undefined): boolean {
  return Boolean(user?.permissions?.['datasources:write']);
}
