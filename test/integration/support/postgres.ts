/**
 * A throwaway PostgreSQL cluster for the PostgreSQL source tests: Debian's postgresql binaries
 * (/usr/lib/postgresql/<version>/bin), initdb + pg_ctl in a temp folder, on a free 127.0.0.1 port,
 * password (scram-sha-256) authentication. As root the cluster runs as the `postgres` user
 * (PostgreSQL refuses to run as root). Without initdb the tests skip with a message, except in CI,
 * where they fail (.ci/run installs postgresql).
 *
 * POLIS_SCHEMA is the subset of Polis's server/postgres/migrations/000000_initial.sql the reader
 * uses (with math_main, for the opinion groups), column names and types as there (no foreign keys or tid/pid triggers: tids and pids are
 * seeded from the export), with the rule that keeps votes_latest_unique up to date.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';
import pg from 'pg';

export function findPostgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((version) => existsSync(path.join(root, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : undefined;
}

export const POSTGRES_BIN = findPostgresBin();
export const postgresTestsSkipped = !POSTGRES_BIN && !process.env.CI;
if (postgresTestsSkipped) {
  console.warn('Skipping PostgreSQL source tests: no initdb under /usr/lib/postgresql/*/bin (apt-get install postgresql). In CI they run.');
}

export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'delphi-test-superuser-pw';
export const READER = 'delphi_reader';
export const READER_PASSWORD = 'reader-s3cret-pw';

export interface TestCluster {
  port: number;
  /** A postgres:// source URL for the reader role. */
  url(database: string, zid: number | string | undefined, password?: string): string;
  /** A superuser client on a database (caller ends it). */
  client(database: string): Promise<pg.Client>;
  createDatabase(name: string, options?: { votesLatestUnique?: boolean }): Promise<void>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startTestCluster(): Promise<TestCluster> {
  if (!POSTGRES_BIN) throw new Error('No PostgreSQL: initdb not found under /usr/lib/postgresql/*/bin (apt-get install postgresql)');
  const bin = POSTGRES_BIN;
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(tmpdir(), 'delphi-pg-'));
  const data = path.join(dir, 'data');
  const pwfile = path.join(dir, 'pw');
  writeFileSync(pwfile, `${SUPERUSER_PASSWORD}\n`, { mode: 0o600 });
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    chownSync(pwfile, uid, gid);
  }
  const run = (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]] : [path.join(bin, command), args];
    return execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 }).toString();
  };
  run('initdb', ['-D', data, '-U', SUPERUSER, '--pwfile', pwfile, '-A', 'scram-sha-256', '-E', 'UTF8', '--locale', 'C', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c synchronous_commit=off`;
  run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'log'), '-w', '-t', '60', 'start']);

  const connect = async (database: string) => {
    const client = new pg.Client({ host: '127.0.0.1', port, user: SUPERUSER, password: SUPERUSER_PASSWORD, database });
    await client.connect();
    return client;
  };
  const admin = await connect('postgres');
  try {
    await admin.query(`CREATE ROLE ${READER} LOGIN PASSWORD '${READER_PASSWORD}'`);
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    port,
    url: (database, zid, password = READER_PASSWORD) =>
      `postgres://${READER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}${zid === undefined ? '' : `?zid=${zid}`}`,
    client: connect,
    async createDatabase(name, { votesLatestUnique = true } = {}) {
      const client = await connect('postgres');
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      const db = await connect(name);
      try {
        await db.query(POLIS_SCHEMA);
        if (votesLatestUnique) await db.query(VOTES_LATEST_UNIQUE);
        await db.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${READER}`);
      } finally {
        await db.end();
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** From Polis's initial migration: now_as_millis() and the tables the reader uses (subset of columns kept in order). */
export const POLIS_SCHEMA = `
CREATE OR REPLACE FUNCTION now_as_millis() RETURNS BIGINT AS $$
        DECLARE
            temp TIMESTAMP := now();
        BEGIN
            RETURN 1000*FLOOR(EXTRACT(EPOCH FROM temp)) + FLOOR(EXTRACT(MILLISECONDS FROM temp)) - 1000*FLOOR(EXTRACT(SECOND FROM temp));
        END;
$$ LANGUAGE plpgsql;

CREATE TABLE conversations(
    zid SERIAL,
    topic VARCHAR(1000),
    description VARCHAR(50000),
    link_url VARCHAR(9999),
    parent_url VARCHAR(9999),
    upvotes INTEGER NOT NULL DEFAULT 1,
    participant_count INTEGER DEFAULT 0,
    is_anon BOOLEAN DEFAULT TRUE,
    is_active BOOLEAN DEFAULT FALSE,
    is_draft BOOLEAN DEFAULT FALSE,
    is_public BOOLEAN DEFAULT TRUE,
    is_data_open BOOLEAN DEFAULT FALSE,
    strict_moderation BOOLEAN DEFAULT FALSE,
    owner INTEGER,
    modified BIGINT DEFAULT now_as_millis(),
    created BIGINT DEFAULT now_as_millis(),
    UNIQUE(zid)
);

CREATE TABLE comments(
    tid INTEGER NOT NULL,
    zid INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    uid INTEGER NOT NULL,
    created BIGINT DEFAULT now_as_millis(),
    modified BIGINT DEFAULT now_as_millis(),
    txt VARCHAR(1000) NOT NULL,
    velocity REAL NOT NULL DEFAULT 1,
    mod INTEGER NOT NULL DEFAULT 0,
    lang VARCHAR(10),
    lang_confidence REAL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    is_meta BOOLEAN NOT NULL DEFAULT FALSE,
    tweet_id BIGINT,
    quote_src_url VARCHAR(1000),
    anon BOOLEAN NOT NULL DEFAULT false,
    is_seed BOOLEAN NOT NULL DEFAULT false,
    UNIQUE(zid, txt),
    UNIQUE(zid, tid)
);
CREATE INDEX comments_zid_idx ON comments USING btree (zid);

CREATE TABLE votes(
    zid INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    tid INTEGER NOT NULL,
    vote SMALLINT,
    weight_x_32767 SMALLINT DEFAULT 0,
    created BIGINT DEFAULT now_as_millis()
);
CREATE INDEX votes_zid_pid_idx ON votes USING btree (zid, pid);

CREATE TABLE math_main (
  zid INTEGER NOT NULL,
  math_env VARCHAR(999) NOT NULL,
  data jsonb NOT NULL,
  last_vote_timestamp BIGINT NOT NULL,
  caching_tick BIGINT NOT NULL DEFAULT 0,
  math_tick BIGINT NOT NULL DEFAULT -1,
  modified BIGINT DEFAULT now_as_millis(),
  UNIQUE(zid, math_env)
);
CREATE INDEX main_main_idx ON math_main USING btree (zid);
`;

export const VOTES_LATEST_UNIQUE = `
CREATE TABLE votes_latest_unique (
    zid INTEGER NOT NULL,
    pid INTEGER NOT NULL,
    tid INTEGER NOT NULL,
    vote SMALLINT,
    weight_x_32767 SMALLINT DEFAULT 0,
    modified BIGINT DEFAULT now_as_millis(),
    UNIQUE (zid, pid, tid)
);
CREATE INDEX votes_latest_unique_zid_tid_idx ON votes USING btree (zid, tid);

CREATE RULE on_vote_insert_update_unique_table AS
    ON INSERT TO votes
    DO ALSO
        INSERT INTO votes_latest_unique (zid, pid, tid, vote, weight_x_32767, modified)
        values (NEW.zid, NEW.pid, NEW.tid, NEW.vote, NEW.weight_x_32767, NEW.created)
            ON CONFLICT (zid, pid, tid) DO UPDATE SET vote = excluded.vote, modified = excluded.modified;
`;

type Row = Record<string, string>;

/**
 * Seeds one conversation from a Polis export folder: conversations from summary.csv, comments from
 * comments.csv (tid = comment-id, pid = author-id, mod = moderated), votes from votes.csv with the
 * sign flipped to Polis's table convention (-1 agree, 1 disagree). The votes go in oldest first, in
 * rounds that hold at most one vote per (pid, tid), so the rule leaves the latest in votes_latest_unique.
 */
export async function seedFromExport(client: pg.Client, zid: number, folder: string): Promise<{ comments: number; votes: number }> {
  const read = (name: string): Row[] => parse(readFileSync(path.join(folder, name), 'utf8'), { columns: true, skip_empty_lines: true });
  const summary = parse(readFileSync(path.join(folder, 'summary.csv'), 'utf8'), { relax_column_count: true }) as string[][];
  const field = (name: string) => summary.find((row) => row[0] === name)?.[1] ?? null;
  await client.query('INSERT INTO conversations (zid, topic, description) VALUES ($1, $2, $3)', [zid, field('topic'), field('conversation-description')]);
  const comments = read('comments.csv');
  await client.query(
    `INSERT INTO comments (zid, tid, pid, uid, created, txt, mod)
     SELECT $1, * FROM unnest($2::int[], $3::int[], $3::int[], $4::bigint[], $5::text[], $6::int[])`,
    [
      zid,
      comments.map((row) => Number(row['comment-id'])),
      comments.map((row) => Number(row['author-id'])),
      comments.map((row) => Number(row.timestamp)),
      comments.map((row) => row['comment-body']),
      comments.map((row) => Number(row.moderated || 0)),
    ],
  );
  const votes = existsSync(path.join(folder, 'votes.csv')) ? read('votes.csv') : [];
  const ordered = votes.map((row, index) => ({ row, index })).sort((a, b) => Number(a.row.timestamp) - Number(b.row.timestamp) || a.index - b.index);
  const rounds: Row[][] = [];
  const seen = new Map<string, number>();
  for (const { row } of ordered) {
    const key = `${row['voter-id']}:${row['comment-id']}`;
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(row);
  }
  for (const round of rounds) {
    await client.query(
      `INSERT INTO votes (zid, pid, tid, vote, created)
       SELECT $1, * FROM unnest($2::int[], $3::int[], $4::smallint[], $5::bigint[])`,
      [
        zid,
        round.map((row) => Number(row['voter-id'])),
        round.map((row) => Number(row['comment-id'])),
        // Export: +1 agree. Polis's tables: -1 agree.
        round.map((row) => -Number(row.vote)),
        round.map((row) => Number(row.timestamp)),
      ],
    );
  }
  return { comments: comments.length, votes: votes.length };
}

/**
 * An export with participants-votes.csv (and its group-id) instead of votes.csv: its votes in Polis's
 * sign, and a math_main row as polismath writes it, one base cluster per opinion group.
 */
export async function seedParticipantsVotes(client: pg.Client, zid: number, folder: string): Promise<{ votes: number; grouped: number }> {
  const rows: Row[] = parse(readFileSync(path.join(folder, 'participants-votes.csv'), 'utf8'), { columns: true, skip_empty_lines: true });
  const votes: Array<[number, number, number]> = [];
  const members = new Map<number, number[]>();
  for (const row of rows) {
    const pid = Number(row.participant);
    if (row['group-id']?.trim()) members.set(Number(row['group-id']), [...(members.get(Number(row['group-id'])) ?? []), pid]);
    for (const [column, cell] of Object.entries(row)) {
      if (/^\d+$/.test(column) && cell.trim() !== '') votes.push([pid, Number(column), -Number(cell)]);
    }
  }
  await client.query(
    `INSERT INTO votes (zid, pid, tid, vote, created) SELECT $1, *, 0 FROM unnest($2::int[], $3::int[], $4::smallint[])`,
    [zid, votes.map((vote) => vote[0]), votes.map((vote) => vote[1]), votes.map((vote) => vote[2])],
  );
  const groups = [...members.keys()].sort((a, b) => a - b);
  const data = {
    'base-clusters': { id: groups.map((group) => 100 + group), members: groups.map((group) => members.get(group)) },
    'group-clusters': groups.map((group) => ({ id: group, members: [100 + group] })),
  };
  await client.query(`INSERT INTO math_main (zid, math_env, data, last_vote_timestamp, math_tick) VALUES ($1, 'prod', $2, 0, 1)`, [zid, data]);
  return { votes: votes.length, grouped: [...members.values()].flat().length };
}

/**
 * Votes for an export that has only comments.csv's agrees / disagrees (March On): one participant per
 * vote, agrees first, in Polis's sign, so the database holds exactly those tallies (no passes).
 */
export async function seedVotesFromTallies(client: pg.Client, zid: number, folder: string): Promise<number> {
  const comments: Row[] = parse(readFileSync(path.join(folder, 'comments.csv'), 'utf8'), { columns: true, skip_empty_lines: true });
  const result = await client.query(
    `INSERT INTO votes (zid, pid, tid, vote, created)
     SELECT $1, voter, c.tid, CASE WHEN voter < c.agrees THEN -1 ELSE 1 END, 0
       FROM unnest($2::int[], $3::int[], $4::int[]) AS c(tid, agrees, disagrees),
            generate_series(0, c.agrees + c.disagrees - 1) AS voter`,
    [zid, comments.map((row) => Number(row['comment-id'])), comments.map((row) => Number(row.agrees || 0)), comments.map((row) => Number(row.disagrees || 0))],
  );
  return result.rowCount ?? 0;
}
