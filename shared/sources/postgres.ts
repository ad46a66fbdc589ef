/**
 * A Polis conversation read straight from Polis's PostgreSQL database:
 *   source = postgres://user:password@host:port/database?zid=N   (also postgresql://)
 * Missing parts come from the DELPHI_PG_SECRET_ARN secret when set (deployed: ./postgresSecret.ts), else
 * from the PG* environment variables as with psql (PGPASSWORD, PGHOST, …); other
 * query parameters (sslmode, …) are passed to node-postgres. Tables and columns as in Polis's
 * server/postgres/migrations/000000_initial.sql:
 *   conversations (zid, topic, description)
 *   comments      (zid, tid, pid, txt, created, mod, active, is_meta)
 *   votes_latest_unique (zid, pid, tid, vote) — else votes (zid, pid, tid, vote, created), latest per (pid, tid)
 * VOTE SIGN: in Polis's tables -1 is agree and 1 is disagree (polis issue #2554); the CSV exports,
 * and this project everywhere else, use +1 = agree. The reader flips the sign in SQL.
 *
 * One read-only REPEATABLE READ transaction (one snapshot for all queries), parameterised queries,
 * a statement timeout. Connection refused / timeouts → TransientError (retried by the state
 * machine); authentication failures, a missing database, zid or conversation → InvalidInputError.
 * No message ever holds the password: sources are echoed through redactSource.
 */
import type { Client, ClientConfig } from 'pg';
import { tallyByGroup, type GroupTallies } from '../algorithms/groups';
import { environment } from '../config';
import { postgresEnvironment, type PostgresEnvironment, type SecretReader } from './postgresSecret';
import { InvalidInputError, TransientError } from '../errors';
import { filterComments, MAX_DESCRIPTION_CHARS, voteSourceWarning, type PolisExport, type RawComment, type ReadOptions, type VoteTally } from './polis';

const SCHEME = /^postgres(?:ql)?:\/\//i;

export function isPostgresSource(source: string): boolean {
  return SCHEME.test(source.trim());
}

/** The source with its password (if any) replaced by `***`: the only form that is logged or stored. */
export function redactSource(source: string): string {
  if (!isPostgresSource(source)) return source;
  const scheme = SCHEME.exec(source.trim())![0];
  const rest = source.trim().slice(scheme.length);
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd === -1 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at === -1) return source.trim();
  const userInfo = authority.slice(0, at);
  const colon = userInfo.indexOf(':');
  if (colon === -1) return source.trim();
  return `${scheme}${userInfo.slice(0, colon)}:***@${rest.slice(at + 1)}`;
}

export interface PostgresSource {
  zid: number;
  /** host:port/database for messages (no user, no password). */
  where: string;
  user?: string;
  hasPassword: boolean;
  config: ClientConfig;
}

/** Parses and checks a postgres:// source; InvalidInputError (without the password) when malformed. */
export function parsePostgresSource(source: string, env: PostgresEnvironment = environment()): PostgresSource {
  const shown = redactSource(source);
  let url: URL;
  try {
    url = new URL(source.trim());
  } catch {
    throw new InvalidInputError(`source "${shown}" is not a valid postgres://user:password@host:port/database?zid=N URL`);
  }
  const zidText = url.searchParams.get('zid');
  if (zidText === null || zidText.trim() === '') {
    throw new InvalidInputError(`source "${shown}" names no conversation: add ?zid=N (the conversation's zid in Polis's conversations table)`);
  }
  if (!/^\d+$/.test(zidText.trim()) || !Number.isSafeInteger(Number(zidText))) {
    throw new InvalidInputError(`source "${shown}": zid "${zidText}" is not a non-negative integer`);
  }
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || env.PGDATABASE || undefined;
  const user = url.username ? decodeURIComponent(url.username) : env.PGUSER || undefined;
  const password = url.password ? decodeURIComponent(url.password) : env.PGPASSWORD || undefined;
  const host = url.hostname ? url.hostname.replace(/^\[|\]$/g, '') : env.PGHOST || 'localhost';
  const port = url.port ? Number(url.port) : (env.PGPORT ?? 5432);
  const sslmode = url.searchParams.get('sslmode') ?? env.PGSSLMODE;
  const ssl = sslmode && !['disable', 'allow', 'prefer'].includes(sslmode) ? { rejectUnauthorized: sslmode === 'verify-full' || sslmode === 'verify-ca' } : undefined;
  return {
    zid: Number(zidText),
    where: `${host}:${port}/${database ?? '(default database)'}`,
    user,
    hasPassword: password !== undefined,
    config: {
      host,
      port,
      database,
      user,
      password,
      ssl,
      application_name: 'delphi',
      connectionTimeoutMillis: env.DELPHI_PG_CONNECT_TIMEOUT_MS,
      statement_timeout: env.DELPHI_PG_STATEMENT_TIMEOUT_MS,
      // The client gives up a little after the server would have cancelled the statement.
      query_timeout: env.DELPHI_PG_STATEMENT_TIMEOUT_MS + 5_000,
    },
  };
}

/** pg / libpq SQLSTATE codes that can pass on retry. */
const TRANSIENT_SQLSTATES = new Set(['53300', '53400', '57014', '57P01', '57P02', '57P03', '40001', '40P01', '55P03', '58000', '58030']);
const TRANSIENT_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);

/** A pg or network error as one of ours, its message free of the password. */
export function classifyPostgresError(error: unknown, target: PostgresSource, password?: string): Error {
  if (error instanceof InvalidInputError || error instanceof TransientError) return error;
  const { code, message: raw } = error as { code?: string; message?: string };
  let message = String(raw ?? error);
  if (password) message = message.split(password).join('***');
  const where = `the Polis database at ${target.where}`;
  if (code === '28P01' || code === '28000') {
    return new InvalidInputError(
      `Authentication to ${where} failed for user "${target.user ?? '(default)'}"${target.hasPassword ? '' : ' (no password given: put it in the URL or PGPASSWORD)'}: check the credentials`,
    );
  }
  if (code === '3D000') return new InvalidInputError(`${where} does not exist (${message})`);
  if (code === '42P01' || code === '42703') return new InvalidInputError(`${where} is not a Polis database as Delphi reads it: ${message}`);
  if (code === '42501') return new InvalidInputError(`User "${target.user ?? '(default)'}" may not read ${where}: ${message}`);
  if (code === 'ENOTFOUND') return new InvalidInputError(`${where}: host not found`);
  if ((code && (TRANSIENT_SQLSTATES.has(code) || code.startsWith('08') || TRANSIENT_NODE_CODES.has(code))) || /timeout|timed out|terminated|Connection terminated/i.test(message)) {
    return new TransientError(`Reading ${where} failed, may pass on retry: ${message}${code ? ` (${code})` : ''}`);
  }
  return new TransientError(`Reading ${where} failed: ${message}${code ? ` (${code})` : ''}`);
}

/**
 * Reads one conversation (by zid) into the shape of a Polis export. Deployed, the credentials the URL
 * leaves out come from the DELPHI_PG_SECRET_ARN secret (./postgresSecret.ts).
 */
export async function readPostgresSource(source: string, options: ReadOptions = {}, readSecret?: SecretReader): Promise<PolisExport> {
  const target = parsePostgresSource(source, await postgresEnvironment(environment(), readSecret));
  const password = typeof target.config.password === 'string' ? target.config.password : undefined;
  const { default: pg } = await import('pg');
  const client: Client = new pg.Client(target.config);
  // An idle client's socket error must not crash the process; the query in flight reports it.
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const result = await readConversation(client, target, options);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    throw classifyPostgresError(error, target, password);
  } finally {
    await client.end().catch(() => undefined);
  }
}

interface CommentRow {
  tid: number;
  pid: number | null;
  txt: string;
  created: string | null;
  mod: number;
  active: boolean;
  is_meta: boolean;
}

async function readConversation(client: Client, target: PostgresSource, options: ReadOptions): Promise<PolisExport> {
  const { zid } = target;
  const warnings: string[] = [];
  const conversation = await client.query<{ topic: string | null; description: string | null }>(
    'SELECT topic, description FROM conversations WHERE zid = $1',
    [zid],
  );
  if (conversation.rowCount === 0) throw new InvalidInputError(`The Polis database at ${target.where} has no conversation with zid ${zid}`);
  const comments = await client.query<CommentRow>(
    'SELECT tid, pid, txt, created, mod, active, is_meta FROM comments WHERE zid = $1 ORDER BY tid',
    [zid],
  );
  if (comments.rowCount === 0) throw new InvalidInputError(`Conversation zid ${zid} in the Polis database at ${target.where} has no comments`);

  // Inactive comments are hidden by Polis like moderated-out ones; meta comments are about the
  // conversation itself and Polis leaves them out of its math, so do we.
  let meta = 0;
  let inactive = 0;
  const raw: RawComment[] = [];
  for (const row of comments.rows) {
    if (row.is_meta) {
      meta++;
      continue;
    }
    const moderated = !row.active ? -1 : row.mod;
    if (!row.active && row.mod !== -1) inactive++;
    raw.push({
      comment_id: row.tid,
      text: row.txt ?? '',
      author_id: row.pid ?? undefined,
      moderated,
      created: row.created === null ? undefined : Number(row.created),
    });
  }
  if (meta > 0) warnings.push(`${meta} meta comment(s) (is_meta) left out: they are about the conversation, not its topic`);
  if (inactive > 0 && !options.keepModerated) warnings.push(`${inactive} inactive comment(s) (active = false) left out as moderated out`);
  const { comments: kept, dropped } = filterComments(raw, options, warnings, `Conversation zid ${zid}`);

  const latest = await client.query<{ exists: boolean }>("SELECT to_regclass('votes_latest_unique') IS NOT NULL AS exists");
  const fromLatest = latest.rows[0]?.exists === true;
  const latestVotes = fromLatest
    ? 'SELECT pid, tid, vote FROM votes_latest_unique WHERE zid = $1'
    : 'SELECT DISTINCT ON (pid, tid) pid, tid, vote FROM votes WHERE zid = $1 ORDER BY pid, tid, created DESC';
  // Polis's sign: -1 agree, 1 disagree, 0 pass. Counted here in our convention (+1 agree).
  const tallySql = `SELECT tid, ${SIGNED_COUNTS}, count(*) FILTER (WHERE vote IS NULL OR vote NOT IN (-1, 0, 1)) AS other
         FROM (${latestVotes}) AS latest GROUP BY tid`;
  const tallies = await client.query<{ tid: number; agree: string; disagree: string; pass: string; other: string }>(tallySql, [zid]);
  const knownIds = new Set(comments.rows.map((row) => row.tid));
  const votes = new Map<number, VoteTally>();
  let unknown = 0;
  let other = 0;
  for (const row of tallies.rows) {
    const tally = { agree: Number(row.agree), disagree: Number(row.disagree), pass: Number(row.pass) };
    other += Number(row.other);
    if (!knownIds.has(row.tid)) {
      unknown += tally.agree + tally.disagree + tally.pass;
      continue;
    }
    if (tally.agree + tally.disagree + tally.pass > 0) votes.set(row.tid, tally);
  }
  if (unknown > 0) warnings.push(`${unknown} vote(s) refer to comments not in the conversation and were ignored`);
  if (other > 0) warnings.push(`${other} vote(s) with a value other than -1, 0, 1 were ignored`);
  const hasVotes = votes.size > 0;
  warnings.push(
    voteSourceWarning(hasVotes ? 'postgres' : 'none', hasVotes ? votes : undefined, hasVotes ? `table ${fromLatest ? 'votes_latest_unique' : 'votes (latest per participant and comment)'}, zid ${zid}` : `no votes for zid ${zid}`),
  );
  const groups = await readGroups(client, zid, warnings);
  const group_votes = groups && hasVotes ? await readGroupVotes(client, zid, latestVotes, groups, votes) : undefined;
  const { topic, description } = conversation.rows[0];
  const text = description?.replace(/\s+/g, ' ').trim();
  return {
    comments: kept,
    votes: hasVotes ? votes : undefined,
    vote_source: hasVotes ? 'postgres' : 'none',
    ...(groups ? { groups } : {}),
    ...(group_votes ? { group_votes } : {}),
    metadata: {
      ...(topic?.trim() ? { title: topic.trim() } : {}),
      ...(text ? { description: text.slice(0, MAX_DESCRIPTION_CHARS) } : {}),
    },
    warnings,
    dropped,
  };
}

const SIGNED_COUNTS = `count(*) FILTER (WHERE vote = -1) AS agree, count(*) FILTER (WHERE vote = 1) AS disagree,
              count(*) FILTER (WHERE vote = 0) AS pass`;

/** Each voted comment's tally per opinion group, counted in the database from the same latest votes. */
async function readGroupVotes(
  client: Client,
  zid: number,
  latestVotes: string,
  groups: Map<number, number>,
  votes: Map<number, VoteTally>,
): Promise<Map<number, GroupTallies>> {
  const result = await client.query<{ tid: number; gid: number; agree: string; disagree: string; pass: string }>(
    `SELECT latest.tid, member.gid, ${SIGNED_COUNTS}
       FROM (${latestVotes}) AS latest JOIN unnest($2::int[], $3::int[]) AS member(pid, gid) ON member.pid = latest.pid
      GROUP BY latest.tid, member.gid`,
    [zid, [...groups.keys()], [...groups.values()]],
  );
  const tallies = tallyByGroup([], groups, votes.keys());
  for (const row of result.rows) {
    const tally = tallies.get(row.tid)?.[String(row.gid)];
    if (tally) Object.assign(tally, { agree: Number(row.agree), disagree: Number(row.disagree), pass: Number(row.pass) });
  }
  return tallies;
}

/**
 * Polis's opinion groups from its math output, math_main.data (jsonb, one row per zid and math_env;
 * the latest math_tick is taken). What this relies on, as polismath writes it:
 *   data->'base-clusters' = {"id": [b…], "members": [[pid…]…], …}   (members[i] are base cluster id[i]'s participants)
 *   data->'group-clusters' = [{"id": g, "members": [b…]}, …]        (a group is a set of base clusters)
 * No math_main table or row, or another shape: no groups, with a warning; never a failed job.
 */
async function readGroups(client: Client, zid: number, warnings: string[]): Promise<Map<number, number> | undefined> {
  const table = await client.query<{ exists: boolean }>("SELECT to_regclass('math_main') IS NOT NULL AS exists");
  if (table.rows[0]?.exists !== true) return undefined;
  const math = await client.query<{ base: unknown; groups: unknown }>(
    `SELECT data->'base-clusters' AS base, data->'group-clusters' AS groups FROM math_main
      WHERE zid = $1 ORDER BY math_tick DESC, modified DESC NULLS LAST LIMIT 1`,
    [zid],
  );
  if (math.rowCount === 0) {
    warnings.push(`no Polis math output (math_main) for zid ${zid}: no opinion groups`);
    return undefined;
  }
  const { base, groups } = math.rows[0] as { base: { id?: unknown; members?: unknown } | null; groups: unknown };
  const ids = base?.id;
  const members = base?.members;
  if (!Array.isArray(ids) || !Array.isArray(members) || ids.length !== members.length || !Array.isArray(groups)) {
    warnings.push(`math_main for zid ${zid} has no base-clusters / group-clusters as Delphi reads them: no opinion groups`);
    return undefined;
  }
  const participantsOf = new Map<number, number[]>();
  ids.forEach((id, i) => participantsOf.set(Number(id), Array.isArray(members[i]) ? (members[i] as unknown[]).map(Number) : []));
  const membership = new Map<number, number>();
  for (const group of groups as Array<{ id?: unknown; members?: unknown }>) {
    if (!Array.isArray(group?.members) || !Number.isInteger(Number(group.id))) continue;
    for (const baseId of group.members) {
      for (const pid of participantsOf.get(Number(baseId)) ?? []) if (Number.isInteger(pid)) membership.set(pid, Number(group.id));
    }
  }
  if (membership.size === 0) return undefined;
  warnings.push(`opinion groups: ${membership.size} participant(s) in ${new Set(membership.values()).size} Polis group(s), from math_main`);
  return membership;
}
