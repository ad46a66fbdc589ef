/**
 * The API's routes: one entry per route, naming the serverless function that serves it. `delphi serve`
 * routes local requests with this table; serverless.yml declares the same routes as `http` events, and
 * test/integration/deploy.test.ts checks the packaged API Gateway methods against this table. A new
 * route is one entry here, one function in serverless.yml, its access in shared/deploy/access.ts and
 * its event in events/<function>.json (the tests fail until all four agree).
 */

export interface RouteSpec {
  /** The function's key in serverless.yml (`sls invoke local -f <function>`). */
  function: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway resource path; `{name}` is a path parameter. */
  path: string;
}

// The handlers themselves are the edges' business: functions/api/ deployed, shared/local/apiHandlers.ts for `delphi serve`.
export const ROUTES = [
  { function: 'startJob', method: 'POST', path: '/conversations/{conversation_id}/jobs' },
  { function: 'listConversationJobs', method: 'GET', path: '/conversations/{conversation_id}/jobs' },
  { function: 'getConversationTopics', method: 'GET', path: '/conversations/{conversation_id}/topics' },
  { function: 'getJob', method: 'GET', path: '/jobs/{job_id}' },
  { function: 'getJobTopics', method: 'GET', path: '/jobs/{job_id}/topics' },
  { function: 'getJobChanges', method: 'GET', path: '/jobs/{job_id}/changes' },
] as const satisfies readonly RouteSpec[];

/** The functions that serve the API, one per route. */
export type ApiFunction = (typeof ROUTES)[number]['function'];

export interface RouteMatch {
  route: RouteSpec;
  pathParameters: Record<string, string>;
}

const compiled = new WeakMap<RouteSpec, { pattern: RegExp; names: string[] }>();

function compile(route: RouteSpec) {
  let entry = compiled.get(route);
  if (!entry) {
    const names: string[] = [];
    const source = route.path
      .split('/')
      .map((part) => {
        const parameter = /^\{(\w+)\}$/.exec(part);
        if (!parameter) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
        names.push(parameter[1]);
        return '([^/]+)';
      })
      .join('/');
    entry = { pattern: new RegExp(`^${source}/?$`), names };
    compiled.set(route, entry);
  }
  return entry;
}

/** The route for a method and path; `allowed` lists the methods of a path that exists with other methods. */
export function matchRoute(method: string, path: string, routes: readonly RouteSpec[] = ROUTES): RouteMatch | { allowed: string[] } | undefined {
  const allowed: string[] = [];
  for (const route of routes) {
    const { pattern, names } = compile(route);
    const match = pattern.exec(path);
    if (!match) continue;
    if (route.method !== method.toUpperCase()) {
      allowed.push(route.method);
      continue;
    }
    let pathParameters: Record<string, string>;
    try {
      pathParameters = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1])]));
    } catch {
      pathParameters = Object.fromEntries(names.map((name, i) => [name, match[i + 1]]));
    }
    return { route, pathParameters };
  }
  return allowed.length ? { allowed } : undefined;
}
