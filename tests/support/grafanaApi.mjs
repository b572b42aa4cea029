// Stand-in for Grafana's annotations HTTP API (/api/annotations, legacy routes, Grafana 12/13), which
// cannot run here. It follows the contract in /work/shared/research/grafana-loading-and-api.md §3.1:
//   GET    /api/annotations?from&to&tags(repeatable, AND-ed unless matchAny=true)&limit(default 100)
//          &type&dashboardUID&panelId      -> 200 [ItemDTO], newest first; omitempty fields
//          overlap filter as Grafana's SQL store: time <= to AND timeEnd >= from (when both are > 0)
//   GET    /api/annotations/:id            -> 200 ItemDTO | 400 "annotationId is invalid" | 404
//   POST   /api/annotations {time, timeEnd?, tags?, text (required), dashboardUID?, panelId?, data?}
//                                          -> 200 {message: "Annotation added", id}
//   PUT    /api/annotations/:id            -> 200 {message: "Annotation updated"} (time/timeEnd/text/tags replaced)
//   PATCH  /api/annotations/:id            -> 200 {message: "Annotation patched"} (only non-empty fields)
//   DELETE /api/annotations/:id            -> 200 {message: "Annotation deleted"}
//   GET    /api/annotations/tags           -> 200 {result: {tags: [{tag, count}]}}
// and for data sources (§3.2), as far as publishing a model needs:
//   GET    /api/datasources/uid/:uid       -> 200 DTO | 404 "Data source not found" (datasources:read)
//   PUT    /api/datasources/uid/:uid       -> 200 {message: "Datasource updated", id, name, datasource}
//          full replacement; name/type/access required (400); read-only 403; optimistic locking: a sent
//          non-zero version below the stored one is 409, the new version is sent version + 1 (0 -> 1);
//          jsonData null -> {}; secureJsonData merged, never returned (secureJsonFields only); uid fixed.
// Permissions as Grafana's RBAC for organization annotations: annotations:read/create/write/delete of
// the current user (setUser), 403 otherwise. Bad JSON or a non-JSON body is 400 "bad request data",
// empty text 400 "Failed to save annotation".
// Not covered: dashboard permissions (dashboardUID is stored, not checked), alert annotations,
// mass-delete, /apis/annotation.grafana.app, Grafana's 404-vs-403 ordering for foreign annotations.
// Node built-ins only; plug into tests/browser/server.mjs with createServer({ routes: api.routes }).

const ID_PATH = /^\/api\/annotations\/(?<id>[^/]+)$/;

/** Org-role permission sets as Grafana grants them for organization annotations. */
export const ROLE_PERMISSIONS = {
  Viewer: { 'annotations:read': true },
  Editor: {
    'annotations:read': true,
    'annotations:create': true,
    'annotations:write': true,
    'annotations:delete': true,
  },
  Admin: {
    'annotations:read': true,
    'annotations:create': true,
    'annotations:write': true,
    'annotations:delete': true,
    'datasources:read': true,
    'datasources:write': true,
  },
};

/** A boot-data user (window.grafanaBootData.user) for a role; pass it to server.setBootOverrides. */
export function bootUser(role, login = role.toLowerCase(), id = role === 'Viewer' ? 3 : role === 'Editor' ? 2 : 1) {
  return {
    id,
    uid: `${login}-uid`,
    login,
    email: `${login}@localhost`,
    name: login,
    orgRole: role,
    isGrafanaAdmin: role === 'Admin',
    permissions: { ...ROLE_PERMISSIONS[role] },
  };
}

function omitEmpty(item) {
  return Object.fromEntries(
    Object.entries(item).filter(
      ([, v]) => v !== undefined && v !== null && v !== '' && v !== 0 && !(Array.isArray(v) && v.length === 0)
    )
  );
}

const DS_PATH = /^\/api\/datasources\/uid\/(?<uid>[^/]+)$/;

export function createGrafanaApi({ user = bootUser('Admin', 'admin'), datasources = [] } = {}) {
  const state = { user, items: [], nextId: 1 };
  // uid -> stored row (secrets kept apart, like the secure_json_data column).
  const dsRows = new Map(
    datasources.map((d, i) => [
      d.uid,
      { id: i + 1, orgId: 1, version: 1, readOnly: false, jsonData: {}, ...d, secure: {} },
    ])
  );
  const dsDto = (d) => {
    const { secure, ...rest } = d;
    return {
      typeLogoUrl: '',
      url: '',
      user: '',
      database: '',
      basicAuth: false,
      basicAuthUser: '',
      withCredentials: false,
      isDefault: false,
      ...rest,
      secureJsonFields: Object.fromEntries(Object.keys(secure).map((k) => [k, true])),
    };
  };
  const calls = [];

  const can = (action) => Boolean(state.user?.permissions?.[action]);
  const dto = (a) =>
    omitEmpty({
      id: a.id,
      dashboardUID: a.dashboardUID,
      panelId: a.panelId,
      userId: a.userId,
      created: a.created,
      updated: a.updated,
      time: a.time,
      timeEnd: a.timeEnd,
      text: a.text,
      tags: a.tags,
      login: a.login,
      email: a.email,
      avatarUrl: a.avatarUrl,
      data: a.data,
    });

  async function readJson(ctx) {
    if (!/^application\/json/i.test(ctx.req.headers['content-type'] ?? '')) {
      return undefined;
    }
    try {
      const v = JSON.parse(await ctx.body());
      return v && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
    } catch {
      return undefined;
    }
  }

  /** Inserts as `by` (a user), as if another session had posted it; returns the stored item. */
  function insert(body, by = state.user) {
    const now = Date.now();
    const time = Number(body.time) > 0 ? Number(body.time) : now;
    const item = {
      id: state.nextId++,
      dashboardUID: body.dashboardUID,
      panelId: body.panelId,
      userId: by?.id,
      login: by?.login,
      email: by?.email,
      created: now,
      updated: now,
      time,
      timeEnd: Number(body.timeEnd) > 0 ? Number(body.timeEnd) : time,
      text: body.text,
      tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
      data: body.data,
    };
    state.items.push(item);
    return item;
  }

  function find(ctx) {
    const id = ctx.params.id;
    if (!/^\d+$/.test(id)) {
      ctx.json(400, { message: 'annotationId is invalid' });
      return null;
    }
    const item = state.items.find((a) => a.id === Number(id));
    if (!item) {
      ctx.json(404, { message: 'Annotation not found' });
      return null;
    }
    return item;
  }

  const denied = (ctx) => ctx.json(403, { message: 'Access denied to save the annotation' });
  const log = (ctx, extra = {}) => calls.push({ method: ctx.req.method, path: ctx.url.pathname, ...extra });

  /** The JSON body of an annotation write, or null once 400 (bad body) or 403 (no `action`) was answered. */
  async function writeBody(ctx, action) {
    const body = await readJson(ctx);
    log(ctx, { body });
    if (!body) {
      ctx.json(400, { message: 'bad request data' });
      return null;
    }
    if (!can(action)) {
      denied(ctx);
      return null;
    }
    return body;
  }

  const routes = [
    {
      method: 'GET',
      path: '/api/annotations/tags',
      handler: (ctx) => {
        const counts = new Map();
        state.items.forEach((a) => a.tags.forEach((t) => counts.set(t, (counts.get(t) ?? 0) + 1)));
        ctx.json(200, { result: { tags: [...counts].map(([tag, count]) => ({ tag, count })) } });
      },
    },
    {
      method: 'GET',
      path: '/api/annotations',
      handler: (ctx) => {
        log(ctx, { search: ctx.url.search });
        if (!can('annotations:read')) {
          return ctx.json(403, { message: 'You do not have permission' });
        }
        const q = ctx.url.searchParams;
        const from = Number(q.get('from') ?? 0);
        const to = Number(q.get('to') ?? 0);
        const tags = q.getAll('tags').filter(Boolean);
        const matchAny = q.get('matchAny') === 'true';
        const limit = Number(q.get('limit')) > 0 ? Number(q.get('limit')) : 100;
        const dash = q.get('dashboardUID');
        const panelId = Number(q.get('panelId') ?? 0);
        const out = state.items
          .filter((a) => !(from > 0 && to > 0) || (a.time <= to && a.timeEnd >= from))
          .filter(
            (a) =>
              tags.length === 0 ||
              (matchAny ? tags.some((t) => a.tags.includes(t)) : tags.every((t) => a.tags.includes(t)))
          )
          .filter((a) => !dash || a.dashboardUID === dash)
          .filter((a) => !panelId || a.panelId === panelId)
          .sort((a, b) => b.time * 1000 + b.timeEnd - (a.time * 1000 + a.timeEnd))
          .slice(0, limit)
          .map(dto);
        ctx.json(200, out);
      },
    },
    {
      method: 'POST',
      path: '/api/annotations',
      handler: async (ctx) => {
        const body = await writeBody(ctx, 'annotations:create');
        if (!body) {
          return;
        }
        if (typeof body.text !== 'string' || body.text === '') {
          return ctx.json(400, { message: 'Failed to save annotation' });
        }
        ctx.json(200, { message: 'Annotation added', id: insert(body).id });
      },
    },
    {
      method: 'GET',
      path: ID_PATH,
      handler: (ctx) => {
        const item = can('annotations:read')
          ? find(ctx)
          : (ctx.json(403, { message: 'You do not have permission' }), null);
        if (item) {
          ctx.json(200, dto(item));
        }
      },
    },
    {
      method: 'PUT',
      path: ID_PATH,
      handler: async (ctx) => {
        const body = await writeBody(ctx, 'annotations:write');
        if (!body) {
          return;
        }
        const item = find(ctx);
        if (item) {
          // PUT replaces: omitted fields become zero values, as Grafana's update command does.
          Object.assign(item, {
            time: Number(body.time) || 0,
            timeEnd: Number(body.timeEnd) || 0,
            text: body.text ?? '',
            tags: Array.isArray(body.tags) ? body.tags.map(String) : [],
            updated: Date.now(),
          });
          if (body.data !== undefined) {
            item.data = body.data;
          }
          ctx.json(200, { message: 'Annotation updated' });
        }
      },
    },
    {
      method: 'PATCH',
      path: ID_PATH,
      handler: async (ctx) => {
        const body = await writeBody(ctx, 'annotations:write');
        if (!body) {
          return;
        }
        const item = find(ctx);
        if (item) {
          if (Array.isArray(body.tags)) {
            item.tags = body.tags.map(String);
          }
          if (typeof body.text === 'string' && body.text !== '') {
            item.text = body.text;
          }
          if (Number(body.time) > 0) {
            item.time = Number(body.time);
          }
          if (Number(body.timeEnd) > 0) {
            item.timeEnd = Number(body.timeEnd);
          }
          if (body.data !== undefined && body.data !== null) {
            item.data = body.data;
          }
          item.updated = Date.now();
          ctx.json(200, { message: 'Annotation patched' });
        }
      },
    },
    {
      method: 'DELETE',
      path: ID_PATH,
      handler: (ctx) => {
        log(ctx);
        if (!can('annotations:delete')) {
          return denied(ctx);
        }
        const item = find(ctx);
        if (item) {
          state.items.splice(state.items.indexOf(item), 1);
          ctx.json(200, { message: 'Annotation deleted' });
        }
      },
    },
  ];

  routes.push(
    {
      method: 'GET',
      path: DS_PATH,
      handler: (ctx) => {
        log(ctx);
        if (!can('datasources:read')) {
          return ctx.json(403, { message: 'You do not have permission' });
        }
        const d = dsRows.get(decodeURIComponent(ctx.params.uid));
        return d ? ctx.json(200, dsDto(d)) : ctx.json(404, { message: 'Data source not found' });
      },
    },
    {
      method: 'PUT',
      path: DS_PATH,
      handler: async (ctx) => {
        const body = await readJson(ctx);
        log(ctx, { body });
        if (!can('datasources:write')) {
          return ctx.json(403, { message: 'You do not have permission' });
        }
        if (!body || !body.name || !body.type || !body.access) {
          return ctx.json(400, { message: 'bad request data' });
        }
        const d = dsRows.get(decodeURIComponent(ctx.params.uid));
        if (!d) {
          return ctx.json(404, { message: 'Data source not found' });
        }
        if (d.readOnly) {
          return ctx.json(403, { message: 'Cannot update read-only data source' });
        }
        const sent = Number(body.version) || 0;
        if (sent !== 0 && d.version > sent) {
          return ctx.json(409, {
            message: 'Datasource has already been updated by someone else. Please reload and try again',
          });
        }
        const { secureJsonData, secureJsonFields: _ignored, uid: _uid, id: _id, ...fields } = body;
        Object.assign(d, {
          ...fields,
          jsonData: body.jsonData ?? {},
          version: sent + 1,
          secure: { ...d.secure, ...(secureJsonData ?? {}) },
        });
        ctx.json(200, { message: 'Datasource updated', id: d.id, name: d.name, datasource: dsDto(d) });
      },
    }
  );

  return {
    routes,
    /** Stored data source rows by uid (what PUT wrote). */
    datasources: dsRows,
    /** Every write and list call: { method, path, search?, body? }. */
    calls,
    get items() {
      return state.items;
    },
    insert,
    setUser(u) {
      state.user = u;
    },
    reset() {
      state.items.length = 0;
      calls.length = 0;
    },
  };
}
