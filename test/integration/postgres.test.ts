/**
 * The PostgreSQL source against a real PostgreSQL (a throwaway cluster, support/postgres.ts) holding
 * the subset of Polis's schema the reader uses, seeded from the bundled exports with the votes in
 * Polis's sign (-1 agree). The same conversation read from the database and from its export folder
 * gives the same comments, votes and job rows.
 */
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvironment, resetEnvironment } from '../../shared/config';
import { InvalidInputError, TransientError } from '../../shared/errors';
import { loadSource, type PolisExport } from '../../shared/sources';
import { parsePostgresSource, readPostgresSource, redactSource } from '../../shared/sources/postgres';
import { clearPostgresSecretCache } from '../../shared/sources/postgresSecret';
import { BIODIVERSITY, dumpJobComparable, FIXTURES, MARCH_ON, startHarness, type Harness } from './support/harness';
import { postgresTestsSkipped, READER_PASSWORD, seedFromExport, seedParticipantsVotes, seedVotesFromTallies, startTestCluster, type TestCluster } from './support/postgres';

const ZID = { biodiversity: 7, signs: 8, empty: 9, marchOn: 10, klimarat: 11 } as const;
const KLIMARAT = path.join(FIXTURES, 'austria-climate.wohnen-trimmed');

let cluster: TestCluster;
let harness: Harness;
const seeded: Record<string, { comments: number; votes: number }> = {};

beforeAll(async () => {
  if (postgresTestsSkipped) return;
  cluster = await startTestCluster();
  await cluster.createDatabase('polis');
  await cluster.createDatabase('polis_votes_only', { votesLatestUnique: false });
  for (const database of ['polis', 'polis_votes_only']) {
    const client = await cluster.client(database);
    try {
      seeded[database] = await seedFromExport(client, ZID.biodiversity, BIODIVERSITY);
    } finally {
      await client.end();
    }
  }
  const client = await cluster.client('polis');
  try {
    await seedFromExport(client, ZID.marchOn, MARCH_ON);
    seeded.marchOnVotes = { comments: 2162, votes: await seedVotesFromTallies(client, ZID.marchOn, MARCH_ON) };
    await seedFromExport(client, ZID.klimarat, KLIMARAT);
    const klimarat = await seedParticipantsVotes(client, ZID.klimarat, KLIMARAT);
    seeded.klimarat = { comments: 150, votes: klimarat.votes };
    // A small conversation whose votes are written in Polis's sign by hand.
    await client.query(`INSERT INTO conversations (zid, topic) VALUES ($1, 'Signs'), ($2, 'Nothing yet')`, [ZID.signs, ZID.empty]);
    await client.query(
      `INSERT INTO comments (zid, tid, pid, uid, txt, mod, active, is_meta) VALUES
         ($1, 0, 0, 0, 'Protect native birds from predators.', 1, true, false),
         ($1, 1, 0, 0, 'Fund predator control everywhere.', 0, true, false),
         ($1, 2, 1, 1, 'A comment the moderator rejected.', -1, true, false),
         ($1, 3, 1, 1, 'Is this survey anonymous?', 0, true, true),
         ($1, 4, 1, 1, 'A comment hidden by the server.', 0, false, false)`,
      [ZID.signs],
    );
    // tid 0: participants 0, 1 agree (-1), 2 disagrees (1), 3 passes (0); participant 4 agreed, then disagreed.
    await client.query(
      `INSERT INTO votes (zid, pid, tid, vote, created) VALUES ($1, 0, 0, -1, 10), ($1, 1, 0, -1, 11), ($1, 2, 0, 1, 12), ($1, 3, 0, 0, 13),
         ($1, 4, 1, -1, 20)`,
      [ZID.signs],
    );
    await client.query(`INSERT INTO votes (zid, pid, tid, vote, created) VALUES ($1, 4, 1, 1, 21)`, [ZID.signs]);
    // Polis's math output: base clusters 10 {0, 1}, 11 {2}, 12 {3, 4}; group 0 = {10}, group 1 = {11, 12}. An older tick says otherwise.
    await client.query(
      `INSERT INTO math_main (zid, math_env, data, last_vote_timestamp, math_tick) VALUES ($1, 'prod', $2, 21, 5), ($1, 'dev', $3, 20, 4)`,
      [
        ZID.signs,
        { 'base-clusters': { id: [10, 11, 12], members: [[0, 1], [2], [3, 4]], x: [0, 0, 0], y: [0, 0, 0] }, 'group-clusters': [{ id: 0, members: [10] }, { id: 1, members: [11, 12] }] },
        { 'base-clusters': { id: [10], members: [[0, 1, 2, 3, 4]] }, 'group-clusters': [{ id: 0, members: [10] }] },
      ],
    );
  } finally {
    await client.end();
  }
  harness = await startHarness();
}, 120_000);

afterAll(async () => {
  await harness?.close();
  await cluster?.stop();
});

function totalVotes(source: PolisExport): number {
  let total = 0;
  for (const tally of source.votes?.values() ?? []) total += tally.agree + tally.disagree + tally.pass;
  return total;
}

describe.skipIf(postgresTestsSkipped)('the PostgreSQL source', () => {
  it.each([
    ['votes_latest_unique', 'polis'],
    ['votes, latest per participant and comment', 'polis_votes_only'],
  ])('reads the same comments and votes as the export folder (votes from %s)', async (_table, database) => {
    // Act
    const fromExport = await loadSource(BIODIVERSITY);
    const fromDatabase = await loadSource(cluster.url(database, ZID.biodiversity));

    // Assess: the sign was flipped back (else agree and disagree would be swapped).
    expect(seeded[database]).toEqual({ comments: 316, votes: 29802 });
    expect(fromDatabase.comments).toEqual(fromExport.comments);
    expect(fromDatabase.comments).toHaveLength(154);
    expect(fromDatabase.dropped).toEqual(fromExport.dropped);
    expect(fromDatabase.votes).toEqual(fromExport.votes);
    expect(totalVotes(fromDatabase)).toBe(29719);
    expect(fromDatabase.vote_source).toBe('postgres');
    expect(fromDatabase.groups).toBeUndefined();
    expect(fromDatabase.group_votes).toBeUndefined();
    expect(fromDatabase.warnings.join('\n')).toMatch(/no Polis math output \(math_main\) for zid 7: no opinion groups/);
    expect(fromDatabase.metadata.title).toBe(fromExport.metadata.title);
    expect(fromDatabase.metadata.description).toBe(fromExport.metadata.description);
    expect(fromDatabase.warnings.join('\n')).toMatch(/votes: 29719 vote\(s\) on 314 comment\(s\) read from the Polis database/);
  });

  it("converts Polis's vote sign (-1 agree, 1 disagree) to ours (+1 agree) and keeps only a participant's latest vote", async () => {
    const source = await readPostgresSource(cluster.url('polis', ZID.signs));

    expect(source.votes?.get(0)).toEqual({ agree: 2, disagree: 1, pass: 1 });
    expect(source.votes?.get(1)).toEqual({ agree: 0, disagree: 1, pass: 0 });
    // mod = -1 and active = false are moderated out, is_meta is left out.
    expect(source.comments.map((comment) => comment.comment_id)).toEqual([0, 1]);
    expect(source.dropped).toEqual({ moderated_out: 2, empty: 0 });
    expect(source.warnings.join('\n')).toMatch(/1 meta comment\(s\) \(is_meta\) left out/);
    expect(source.groups).toEqual(new Map([[0, 0], [1, 0], [2, 1], [3, 1], [4, 1]]));
    expect(source.warnings.join('\n')).toMatch(/opinion groups: 5 participant\(s\) in 2 Polis group\(s\), from math_main/);
    // Group 0 = participants 0, 1 (both agree on tid 0); group 1 = 2 (disagrees), 3 (passes), 4 (latest: disagrees on tid 1).
    expect(Object.fromEntries(source.group_votes!)).toEqual({
      0: { 0: { agree: 2, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 1, pass: 1 } },
      1: { 0: { agree: 0, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 1, pass: 0 } },
    });
    const kept = await readPostgresSource(cluster.url('polis', ZID.signs), { keepModerated: true });
    expect(kept.comments.map((comment) => comment.comment_id)).toEqual([0, 1, 2, 4]);
  });

  it('reads March On (2,162 comments, 475,630 votes) in well under a second, with the tallies of its export', async () => {
    const fromExport = await loadSource(MARCH_ON);
    const started = performance.now();
    const fromDatabase = await readPostgresSource(cluster.url('polis', ZID.marchOn));
    const elapsed = performance.now() - started;
    console.log(`PostgreSQL read of March On (zid ${ZID.marchOn}, 2,162 comments, ${fromDatabase.comments.length} kept, ${totalVotes(fromDatabase)} votes): ${elapsed.toFixed(0)} ms`);
    expect(seeded.marchOnVotes.votes).toBe(475630);
    expect(fromDatabase.comments).toEqual(fromExport.comments);
    // The export's tallies are comments.csv's agrees / disagrees; the database's, the votes made from them.
    expect(fromDatabase.votes).toEqual(fromExport.votes);
    expect(fromDatabase.vote_source).toBe('postgres');
    expect(elapsed).toBeLessThan(5_000);
  });

  it.each([
    ['biodiversity', BIODIVERSITY, ZID.biodiversity],
    ['klimarat', KLIMARAT, ZID.klimarat],
  ] as const)('gives the same job rows through the pipeline as the export folder (%s), and never records the password', async (name, folder, zid) => {
    // Act
    const url = cluster.url('polis', zid);
    const viaExport = await harness.pipeline.run({ conversation_id: name, source: folder }, { executionName: `pg-export-${name}` });
    // Another conversation_id: as the same conversation the second job would be compared with the first (topic lineage).
    const viaDatabase = await harness.pipeline.run({ conversation_id: `${name}-db`, source: url }, { executionName: `pg-database-${name}` });

    // Assess
    expect(viaExport.status, `${viaExport.error}: ${viaExport.cause}`).toBe('SUCCEEDED');
    expect(viaDatabase.status, `${viaDatabase.error}: ${viaDatabase.cause}`).toBe('SUCCEEDED');
    // Topic uids are drawn per conversation: compared as placeholders, like the conversation_id.
    const normalised = (dump: Record<string, unknown>) =>
      JSON.parse(JSON.stringify(dump).split(`"${name}-db"`).join(`"${name}"`).replace(/topic_[0-9a-f]{16}/g, 'topic_<uid>')) as Record<string, unknown>;
    const [a, b] = (await Promise.all([
      dumpJobComparable(harness.repository, `pipeline_run_pg-export-${name}`),
      dumpJobComparable(harness.repository, `pipeline_run_pg-database-${name}`),
    ])).map(normalised);
    const config = (dump: Record<string, unknown>) => dump.config as Record<string, unknown>;
    expect(config(b).source).toBe(redactSource(url));
    expect(JSON.stringify(b)).not.toContain(READER_PASSWORD);
    // Only where the data came from differs: the source, the summary's url, the warnings naming the votes' and groups' source.
    for (const dump of [a, b]) {
      delete config(dump).source;
      delete (config(dump).metadata as Record<string, unknown>).url;
      config(dump).warnings = (config(dump).warnings as string[]).filter((warning) => !/votes: |math_main/.test(warning));
    }
    expect(b).toEqual(a);
    // Klimarat has Polis's opinion groups (group-id / math_main): its topics carry them both ways.
    const grouped = (b.features as Array<{ group_votes?: unknown }>).filter((row) => row.group_votes).length;
    expect(grouped).toBe(name === 'klimarat' ? (b.features as unknown[]).length : 0);
    const counts = config(b).counts as Record<string, number>;
    console.log(`Job rows of ${name}, export folder and PostgreSQL alike: ${JSON.stringify(counts)}`);
    expect(Object.values(counts).every((count) => count > 0)).toBe(true);
  }, 180_000);

  it("reads Polis's opinion groups from math_main and splits the votes by group as the export folder does (Klimarat)", async () => {
    const fromExport = await loadSource(KLIMARAT);
    const fromDatabase = await readPostgresSource(cluster.url('polis', ZID.klimarat));

    expect(seeded.klimarat.votes).toBe(11449);
    expect(fromDatabase.comments).toEqual(fromExport.comments);
    expect(fromDatabase.votes).toEqual(fromExport.votes);
    expect(fromDatabase.groups).toEqual(fromExport.groups);
    expect(fromDatabase.groups?.size).toBe(267);
    expect(fromDatabase.group_votes).toEqual(fromExport.group_votes);
    expect(fromDatabase.warnings.join('\n')).toMatch(/opinion groups: 267 participant\(s\) in 2 Polis group\(s\), from math_main/);
  });

  it('takes the credentials from the DELPHI_PG_SECRET_ARN secret when the URL has none (deployed)', async () => {
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:polis-reader-AbCdEf';
    const secret = JSON.stringify({ username: 'delphi_reader', password: READER_PASSWORD, host: '127.0.0.1', port: cluster.port, dbname: 'polis' });
    const reads: string[] = [];
    process.env.DELPHI_PG_SECRET_ARN = arn;
    resetEnvironment();
    try {
      const source = await readPostgresSource(`postgres:///?zid=${ZID.signs}`, {}, async (id) => (reads.push(id), secret));
      expect(source.votes?.get(0)).toEqual({ agree: 2, disagree: 1, pass: 1 });
      expect(reads).toEqual([arn]);
      clearPostgresSecretCache();
      const wrong = JSON.stringify({ username: 'delphi_reader', password: 'not-the-Password-42', host: '127.0.0.1', port: cluster.port, dbname: 'polis' });
      const error = (await readPostgresSource(`postgres:///?zid=${ZID.signs}`, {}, async () => wrong).catch((caught: unknown) => caught)) as Error;
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.message).toMatch(/Authentication to the Polis database at 127\.0\.0\.1:\d+\/polis failed for user "delphi_reader"/);
      expect(error.message).not.toContain('not-the-Password-42');
    } finally {
      delete process.env.DELPHI_PG_SECRET_ARN;
      resetEnvironment();
      clearPostgresSecretCache();
    }
  });

  it('fails a wrong password with a non-retried error that does not hold the password', async () => {
    const wrong = 'not-the-Password-42';
    const error = await readPostgresSource(cluster.url('polis', ZID.biodiversity, wrong)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as Error).message).toMatch(/Authentication to the Polis database at 127\.0\.0\.1:\d+\/polis failed for user "delphi_reader"/);
    expect((error as Error).message).not.toContain(wrong);

    const outcome = await harness.pipeline.run(
      { conversation_id: 'biodiversity', source: cluster.url('polis', ZID.biodiversity, wrong) },
      { executionName: 'pg-wrong-password' },
    );
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInputError');
    const job = await harness.repository.requireJob('pipeline_run_pg-wrong-password');
    expect(JSON.stringify(job)).not.toContain(wrong);
    // The execution's own history holds its input as given (as Step Functions' does): hence, deployed,
    // the password comes from the environment, not the URL (README, and the API refuses one in the URL).
    expect(`${outcome.error} ${outcome.cause}`).not.toContain(wrong);
    expect(job.status).toBe('FAILED');
    expect(JSON.stringify(job.error)).toMatch(/Authentication to the Polis database/);
  }, 60_000);

  it('names a missing zid, an unknown zid and an empty conversation as invalid input', async () => {
    const cases: Array<[string, RegExp]> = [
      [cluster.url('polis', undefined), /names no conversation: add \?zid=N/],
      [cluster.url('polis', 'abc'), /zid "abc" is not a non-negative integer/],
      [cluster.url('polis', 424242), /has no conversation with zid 424242/],
      [cluster.url('polis', ZID.empty), /Conversation zid 9 in the Polis database at .* has no comments/],
      [cluster.url('no_such_database', 1), /does not exist/],
    ];
    for (const [source, message] of cases) {
      const error = await loadSource(source).catch((caught: unknown) => caught);
      expect(error, source).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message, source).toMatch(message);
      expect((error as Error).message).not.toContain(READER_PASSWORD);
    }
    // MarkRunning rejects a URL without zid before the job starts.
    const outcome = await harness.pipeline.run({ conversation_id: 'biodiversity', source: cluster.url('polis', undefined) }, { executionName: 'pg-no-zid' });
    expect(outcome.status).toBe('FAILED');
    expect(outcome.error).toBe('InvalidInputError');
    expect(outcome.cause).toMatch(/names no conversation/);
    expect(outcome.cause).not.toContain(READER_PASSWORD);
  }, 60_000);

  it('reports a server that is down as a TransientError (retried by the state machine)', async () => {
    const down = await import('node:net').then(
      (net) =>
        new Promise<number>((resolve) => {
          const server = net.createServer().listen(0, '127.0.0.1', () => {
            const { port } = server.address() as { port: number };
            server.close(() => resolve(port));
          });
        }),
    );
    const source = `postgres://delphi_reader:${READER_PASSWORD}@127.0.0.1:${down}/polis?zid=7`;
    const error = await readPostgresSource(source).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TransientError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expect((error as Error).message).not.toContain(READER_PASSWORD);
  });

  it('reads in a read-only transaction', async () => {
    // The reader's transaction is READ ONLY: a write in it is refused (checked with the reader's own statement).
    const client = await cluster.client('polis');
    try {
      await client.query('BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
      await expect(client.query(`INSERT INTO conversations (topic) VALUES ('x')`)).rejects.toThrow(/read-only transaction/);
      await client.query('ROLLBACK');
    } finally {
      await client.end();
    }
    expect(parsePostgresSource(cluster.url('polis', 1)).config.statement_timeout).toBe(60_000);
  });
});

describe('postgres:// sources without a server', () => {
  it('redacts the password wherever the source is echoed', () => {
    expect(redactSource('postgres://polis:hunter2@db.example:5432/polis?zid=3')).toBe('postgres://polis:***@db.example:5432/polis?zid=3');
    expect(redactSource('postgresql://u:p%40ss@h/d?zid=1')).toBe('postgresql://u:***@h/d?zid=1');
    expect(redactSource('postgres://u@h/d?zid=1')).toBe('postgres://u@h/d?zid=1');
    expect(redactSource('s3://bucket/prefix')).toBe('s3://bucket/prefix');
  });

  it('takes what the URL leaves out from the PG* environment variables', () => {
    const parsed = parsePostgresSource('postgres:///?zid=5', parseEnvironment({ PGHOST: 'db', PGPORT: '6543', PGUSER: 'me', PGPASSWORD: 'pw', PGDATABASE: 'polis' }));
    expect(parsed).toMatchObject({ zid: 5, where: 'db:6543/polis', user: 'me', hasPassword: true, config: { host: 'db', port: 6543, database: 'polis', user: 'me', password: 'pw' } });
  });
});
