/**
 * What an API caller may choose among the provider settings of an execution's options. Provider
 * endpoints and models are the deployment's business: a caller may name only the URLs and models the
 * deployment configured (DELPHI_EMBEDDING_URL / _MODEL, DELPHI_NAMER_URL / _MODEL, each provider's
 * built-in ones) or listed (DELPHI_ALLOWED_*), and stays under the deployment's cost caps. Loopback,
 * private and link-local addresses are therefore reachable only when the deployment named them.
 * The local CLI (`delphi run`) is the deployment itself and is not held to this policy.
 */
import { BlockList, isIP } from 'node:net';
import { DEFAULTS, environment, type Environment } from '../config';
import { EMBEDDER_SETTINGS, NAMER_SETTINGS } from './settings';

export interface CallerPolicy {
  /** Base URLs a caller may name as embedding_url / namer_url (normalised, see normaliseUrl). */
  embeddingUrls: ReadonlySet<string>;
  namerUrls: ReadonlySet<string>;
  embeddingModels: ReadonlySet<string>;
  namerModels: ReadonlySet<string>;
  maxEmbeddingDimensions: number;
  maxNeighbors: number;
  /** Bounds embedding_concurrency and namer_concurrency. */
  maxConcurrency: number;
}

/** Caps that keep one request from costing many times a normal job (each can be raised per deployment). */
export const DEFAULT_CAPS = {
  maxEmbeddingDimensions: DEFAULTS.DELPHI_MAX_EMBEDDING_DIMENSIONS,
  maxNeighbors: DEFAULTS.DELPHI_MAX_N_NEIGHBORS,
  maxConcurrency: DEFAULTS.DELPHI_MAX_CONCURRENCY,
} as const;

/** The variables the policy is read from (their ranges and defaults: shared/config.ts). */
export const POLICY_VARIABLES = {
  embeddingUrls: 'DELPHI_ALLOWED_EMBEDDING_URLS',
  namerUrls: 'DELPHI_ALLOWED_NAMER_URLS',
  embeddingModels: 'DELPHI_ALLOWED_EMBEDDING_MODELS',
  namerModels: 'DELPHI_ALLOWED_NAMER_MODELS',
  maxEmbeddingDimensions: 'DELPHI_MAX_EMBEDDING_DIMENSIONS',
  maxNeighbors: 'DELPHI_MAX_N_NEIGHBORS',
  maxConcurrency: 'DELPHI_MAX_CONCURRENCY',
} as const;

/** `https://Host:443/v1/` and `https://host/v1` are one endpoint; anything else (path, query) must match exactly. */
export function normaliseUrl(value: string): string | undefined {
  try {
    const url = new URL(value.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.href.replace(/\/+$/, '');
  } catch {
    return undefined;
  }
}

function builtIn(settings: typeof EMBEDDER_SETTINGS | typeof NAMER_SETTINGS, key: string): string[] {
  return Object.values(settings).flatMap((provider) => {
    const value = (provider.defaults as Record<string, unknown>)[key];
    return typeof value === 'string' ? [value] : [];
  });
}

/** The models a deployment allows, per kind: built-in defaults, the configured default and the allow-list. */
type ModelEnvironment = Pick<Environment, 'DELPHI_EMBEDDING_MODEL' | 'DELPHI_NAMER_MODEL' | 'DELPHI_ALLOWED_EMBEDDING_MODELS' | 'DELPHI_ALLOWED_NAMER_MODELS'>;

/** The models a deployment allows, per kind: built-in defaults, the configured default and the allow-list. */
export function allowedModels(env: ModelEnvironment = environment()): { embedding: string[]; naming: string[] } {
  const unique = (values: Array<string | undefined>) => [...new Set(values.filter((v): v is string => Boolean(v)))];
  return {
    embedding: unique([...builtIn(EMBEDDER_SETTINGS, 'embedding_model'), env.DELPHI_EMBEDDING_MODEL, ...env[POLICY_VARIABLES.embeddingModels]]),
    naming: unique([...builtIn(NAMER_SETTINGS, 'namer_model'), env.DELPHI_NAMER_MODEL, ...env[POLICY_VARIABLES.namerModels]]),
  };
}

/** The policy of an environment (its values were checked when it was parsed: shared/config.ts). */
export function readCallerPolicy(env: Environment = environment()): CallerPolicy {
  const urls = (listed: readonly string[], configured: string | undefined, builtIns: string[]) =>
    new Set([...builtIns, ...(configured ? [configured] : []), ...listed].map((value) => normaliseUrl(value) ?? value));
  const models = allowedModels(env);
  return {
    embeddingUrls: urls(env.DELPHI_ALLOWED_EMBEDDING_URLS, env.DELPHI_EMBEDDING_URL, builtIn(EMBEDDER_SETTINGS, 'embedding_url')),
    namerUrls: urls(env.DELPHI_ALLOWED_NAMER_URLS, env.DELPHI_NAMER_URL, builtIn(NAMER_SETTINGS, 'namer_url')),
    embeddingModels: new Set(models.embedding),
    namerModels: new Set(models.naming),
    maxEmbeddingDimensions: env.DELPHI_MAX_EMBEDDING_DIMENSIONS,
    maxNeighbors: env.DELPHI_MAX_N_NEIGHBORS,
    maxConcurrency: env.DELPHI_MAX_CONCURRENCY,
  };
}

const policies = new WeakMap<Environment, CallerPolicy>();

/** This container's policy, made once per parsed environment (a bad value fails there, naming the variable). */
export function callerPolicy(env: Environment = environment()): CallerPolicy {
  let policy = policies.get(env);
  if (!policy) policies.set(env, (policy = readCallerPolicy(env)));
  return policy;
}

const NON_PUBLIC = (() => {
  const blocks = new BlockList();
  const v4: Array<[string, number]> = [
    ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
    ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['224.0.0.0', 4], ['240.0.0.0', 4],
  ];
  for (const [network, prefix] of v4) blocks.addSubnet(network, prefix, 'ipv4');
  const v6: Array<[string, number]> = [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8]];
  for (const [network, prefix] of v6) blocks.addSubnet(network, prefix, 'ipv6');
  return blocks;
})();

/**
 * Why a host is not a public internet address (loopback, private, link-local, …), or undefined when
 * it is a public address or a name. IPv4-mapped IPv6 addresses (::ffff:127.0.0.1) count as IPv4.
 */
export function nonPublicAddress(hostname: string): string | undefined {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'a loopback name';
  const hex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (hex) {
    const [high, low] = [parseInt(hex[1], 16), parseInt(hex[2], 16)];
    return nonPublicAddress([high >> 8, high & 255, low >> 8, low & 255].join('.'));
  }
  const address = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(host)?.[1] ?? host;
  const family = isIP(address);
  if (family === 0) return undefined;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  if (!NON_PUBLIC.check(address, type)) return undefined;
  if (/^127\.|^::1$/.test(address)) return 'a loopback address';
  if (/^169\.254\.|^fe[89ab]/.test(address)) return 'a link-local address';
  return 'a private or reserved address';
}

export interface PolicyViolation {
  field: string;
  message: string;
}

/**
 * The first setting in a caller's options (as sent, before defaults are filled in) that this
 * deployment does not allow. Messages name the setting to change, never the allowed endpoints.
 */
export function callerOptionViolation(options: Record<string, unknown>, policy: CallerPolicy): PolicyViolation | undefined {
  for (const [field, allowed, variable] of [
    ['embedding_url', policy.embeddingUrls, POLICY_VARIABLES.embeddingUrls],
    ['namer_url', policy.namerUrls, POLICY_VARIABLES.namerUrls],
  ] as const) {
    const value = options[field];
    if (typeof value !== 'string') continue;
    const url = normaliseUrl(value);
    if (url && allowed.has(url)) continue;
    let where = 'that host';
    let why = '';
    try {
      const parsed = new URL(value);
      where = parsed.host;
      const kind = nonPublicAddress(parsed.hostname);
      if (kind) why = ` (${kind})`;
    } catch {
      // the option schema reports a malformed URL first
    }
    return {
      field: `options.${field}`,
      message: `options.${field}: ${where}${why} is not an endpoint this deployment allows; leave ${field} out to use the deployment's, or ask its operator to add the URL to ${variable}`,
    };
  }
  for (const [field, allowed, variable] of [
    ['embedding_model', policy.embeddingModels, POLICY_VARIABLES.embeddingModels],
    ['namer_model', policy.namerModels, POLICY_VARIABLES.namerModels],
  ] as const) {
    const value = options[field];
    if (typeof value === 'string' && !allowed.has(value.trim())) {
      return {
        field: `options.${field}`,
        message: `options.${field}: model "${value.slice(0, 200)}" is not one this deployment allows; leave ${field} out or ask its operator to add it to ${variable}`,
      };
    }
  }
  for (const [field, max, variable] of [
    ['embedding_dimensions', policy.maxEmbeddingDimensions, POLICY_VARIABLES.maxEmbeddingDimensions],
    ['n_neighbors', policy.maxNeighbors, POLICY_VARIABLES.maxNeighbors],
    ['embedding_concurrency', policy.maxConcurrency, POLICY_VARIABLES.maxConcurrency],
    ['namer_concurrency', policy.maxConcurrency, POLICY_VARIABLES.maxConcurrency],
  ] as const) {
    const value = options[field];
    if (typeof value === 'number' && value > max) {
      return { field: `options.${field}`, message: `options.${field}: this deployment allows at most ${max} (${variable}), got ${value}` };
    }
  }
  return undefined;
}
