/**
 * Every Polis export format: votes from votes.csv (latest vote per participant and comment), else
 * participants-votes.csv (with Polis's opinion groups), else comments.csv's agrees / disagrees; the
 * warnings say which was used, malformed files are named InvalidInputErrors.
 */
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSource } from '../../shared/api/sources';
import { HttpError } from '../../shared/api/http';
import { InvalidInputError } from '../../shared/errors';
import { loadSource } from '../../shared/sources';
import { readPolisExport, type FileReader } from '../../shared/sources/polis';

const FIXTURES = path.join(__dirname, '..', 'fixtures');

function files(contents: Record<string, string>): FileReader {
  return async (name) => (name in contents ? Buffer.from(contents[name]) : undefined);
}

const COMMENTS = [
  'timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body',
  '1000,x,0,0,2,1,1,Protect native birds from predators.',
  '1001,x,1,1,0,3,1,Fund predator control for rats and stoats.',
  '1002,x,2,1,1,0,-1,A moderated-out comment.',
].join('\n');

const PARTICIPANTS_VOTES = [
  'participant,xid,group-id,n-comments,n-votes,n-agree,n-disagree,0,1,2',
  '0,,0,1,3,1,1,1,-1,',
  '1,,1,2,2,1,1,-1,,1',
  '2,,,0,2,0,1,0,-1,',
  '3,abc,1,0,1,1,0,1,,',
].join('\n');

const votesWarning = (warnings: string[]) => warnings.find((warning) => warning.startsWith('votes: '));

describe('readPolisExport: where the votes come from', () => {
  it('reads votes.csv first and counts only the latest vote of a participant on a comment', async () => {
    // Prepare: voter 7 changes their mind on comment 0 (rows out of time order), voter 1 (participant 1 of group 1) votes twice the same.
    const reader = files({
      'comments.csv': COMMENTS,
      'votes.csv': ['timestamp,datetime,comment-id,voter-id,vote', '20,x,0,7,-1', '10,x,0,7,1', '11,x,0,1,0', '12,x,0,1,0', '13,x,1,1,1'].join('\n'),
      'participants-votes.csv': PARTICIPANTS_VOTES,
    });

    // Act
    const source = await readPolisExport(reader);

    // Assess: votes.csv wins; participants-votes.csv still gives the groups.
    expect(source.vote_source).toBe('votes.csv');
    expect(source.votes?.get(0)).toEqual({ agree: 0, disagree: 1, pass: 1 });
    expect(source.votes?.get(1)).toEqual({ agree: 1, disagree: 0, pass: 0 });
    expect(votesWarning(source.warnings)).toMatch(/^votes: 3 vote\(s\) on 2 comment\(s\) read from votes\.csv; 2 earlier vote\(s\)/);
    expect(source.groups).toEqual(new Map([[0, 0], [1, 1], [3, 1]]));
  });

  it('reads participants-votes.csv when there is no votes.csv, with the group of each participant', async () => {
    const source = await readPolisExport(files({ 'comments.csv': COMMENTS, 'participants-votes.csv': PARTICIPANTS_VOTES }));

    expect(source.vote_source).toBe('participants-votes.csv');
    expect(source.votes?.get(0)).toEqual({ agree: 2, disagree: 1, pass: 1 });
    expect(source.votes?.get(1)).toEqual({ agree: 0, disagree: 2, pass: 0 });
    // Votes on a moderated-out comment are tallied (the comment is dropped, as with votes.csv).
    expect(source.votes?.get(2)).toEqual({ agree: 1, disagree: 0, pass: 0 });
    // Participant 2 is in no group (empty group-id).
    expect(source.groups).toEqual(new Map([[0, 0], [1, 1], [3, 1]]));
    expect(votesWarning(source.warnings)).toMatch(/read from participants-votes\.csv \(no votes\.csv\); 4 participant\(s\), 3 of them in 2 Polis opinion group\(s\)/);
  });

  it("splits each voted comment's votes by the voter's opinion group (participants-votes.csv)", async () => {
    const source = await readPolisExport(files({ 'comments.csv': COMMENTS, 'participants-votes.csv': PARTICIPANTS_VOTES }));

    // Participant 2 (no group) is counted in votes but in no group.
    expect(Object.fromEntries(source.group_votes!)).toEqual({
      0: { 0: { agree: 1, disagree: 0, pass: 0 }, 1: { agree: 1, disagree: 1, pass: 0 } },
      1: { 0: { agree: 0, disagree: 1, pass: 0 }, 1: { agree: 0, disagree: 0, pass: 0 } },
      2: { 0: { agree: 0, disagree: 0, pass: 0 }, 1: { agree: 1, disagree: 0, pass: 0 } },
    });
  });

  it("drops the groups, with a warning, when no voter-id of votes.csv is a grouped participant", async () => {
    // Voters 7 and 8 (the first test's) are not participants 0, 1, 3 of participants-votes.csv.
    const source = await readPolisExport(
      files({ 'comments.csv': COMMENTS, 'votes.csv': 'comment-id,voter-id,vote\n0,7,1\n1,8,-1\n', 'participants-votes.csv': PARTICIPANTS_VOTES }),
    );
    expect(source.votes?.get(0)).toEqual({ agree: 1, disagree: 0, pass: 0 });
    expect(source.groups).toBeUndefined();
    expect(source.group_votes).toBeUndefined();
    expect(source.warnings).toContain("participants-votes.csv: none of votes.csv's voter-ids is one of its grouped participants: no opinion groups");
  });

  it("splits votes.csv's latest votes by the groups of participants-votes.csv (voter-id = participant)", async () => {
    const source = await readPolisExport(
      files({
        'comments.csv': COMMENTS,
        'votes.csv': ['timestamp,comment-id,voter-id,vote', '1,0,0,1', '2,0,1,1', '3,0,1,-1', '4,0,2,1', '5,1,3,0'].join('\n'),
        'participants-votes.csv': PARTICIPANTS_VOTES,
      }),
    );

    expect(source.vote_source).toBe('votes.csv');
    expect(Object.fromEntries(source.group_votes!)).toEqual({
      0: { 0: { agree: 1, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 1, pass: 0 } },
      1: { 0: { agree: 0, disagree: 0, pass: 0 }, 1: { agree: 0, disagree: 0, pass: 1 } },
    });
  });

  it("falls back on comments.csv's agrees / disagrees, without passes", async () => {
    const source = await readPolisExport(files({ 'comments.csv': COMMENTS }));

    expect(source.vote_source).toBe('comments.csv');
    expect(source.votes).toEqual(new Map([[0, { agree: 2, disagree: 1, pass: 0 }], [1, { agree: 0, disagree: 3, pass: 0 }], [2, { agree: 1, disagree: 0, pass: 0 }]]));
    expect(source.groups).toBeUndefined();
    expect(votesWarning(source.warnings)).toMatch(/read from comments\.csv's agrees \/ disagrees columns .*no pass counts/);
  });

  it('says so when the source has no votes at all', async () => {
    const source = await readPolisExport(files({ 'comments.csv': 'comment-id,comment-body\n1,Hello there\n' }));

    expect(source.vote_source).toBe('none');
    expect(source.votes).toBeUndefined();
    expect(votesWarning(source.warnings)).toMatch(/the source has no votes/);
  });

  it('ignores votes on comments not in comments.csv, with a warning', async () => {
    const source = await readPolisExport(
      files({ 'comments.csv': COMMENTS, 'participants-votes.csv': 'participant,group-id,0,99\n0,0,1,1\n1,0,,-1\n' }),
    );

    expect(source.votes).toEqual(new Map([[0, { agree: 1, disagree: 0, pass: 0 }]]));
    expect(source.warnings).toContain('participants-votes.csv: 2 vote(s) refer to comment ids not in comments.csv and were ignored');
  });
});

describe('readPolisExport: malformed vote files', () => {
  const cases: Array<[string, Record<string, string>, RegExp]> = [
    ['participants-votes.csv without participant', { 'participants-votes.csv': 'group-id,0,1\n0,1,1\n' }, /participants-votes\.csv is missing column\(s\) participant/],
    ['participants-votes.csv without comment columns', { 'participants-votes.csv': 'participant,group-id,n-votes\n0,1,3\n' }, /participants-votes\.csv has no comment columns/],
    ['a vote that is not 1, 0, -1', { 'participants-votes.csv': 'participant,group-id,0,1\n0,0,1,2\n' }, /participants-votes\.csv line 2: the vote on comment 1 must be 1, 0, -1 or empty \(got "2"\)/],
    ['a participant that is not an integer', { 'participants-votes.csv': 'participant,group-id,0\nabc,0,1\n' }, /participants-votes\.csv line 2: participant "abc"/],
    ['a duplicate participant', { 'participants-votes.csv': 'participant,group-id,0\n4,0,1\n4,0,-1\n' }, /participants-votes\.csv line 3: duplicate participant 4/],
    ['a group-id that is not an integer', { 'participants-votes.csv': 'participant,group-id,0\n4,x,1\n' }, /participants-votes\.csv line 2: group-id "x" is not an integer/],
    ['a row with too many cells', { 'participants-votes.csv': 'participant,group-id,0\n4,0,1,1\n' }, /participants-votes\.csv is not valid CSV/],
    ['agrees that is not an integer', { 'comments.csv': 'comment-id,agrees,disagrees,comment-body\n0,many,1,Hello\n' }, /comments\.csv line 2: agrees "many" is not an integer/],
    ['negative disagrees', { 'comments.csv': 'comment-id,agrees,disagrees,comment-body\n0,1,-4,Hello\n' }, /comments\.csv line 2: agrees \/ disagrees must not be negative/],
  ];
  for (const [name, contents, message] of cases) {
    it(`rejects ${name}`, async () => {
      const reader = files({ 'comments.csv': COMMENTS, ...contents });
      const error = await readPolisExport(reader).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(message);
    });
  }

  it('keeps the votes of votes.csv when a participants-votes.csv beside it is malformed (no groups then)', async () => {
    const source = await readPolisExport(
      files({ 'comments.csv': COMMENTS, 'votes.csv': 'comment-id,voter-id,vote\n0,1,1\n', 'participants-votes.csv': 'participant,group-id\n0,0\n' }),
    );
    expect(source.vote_source).toBe('votes.csv');
    expect(source.groups).toBeUndefined();
  });
});

describe('the bundled exports in every format', () => {
  it('austria-climate.wohnen-trimmed: participants-votes.csv only, two opinion groups', async () => {
    const source = await loadSource(path.join(FIXTURES, 'austria-climate.wohnen-trimmed'));
    expect(source.comments).toHaveLength(91);
    expect(source.vote_source).toBe('participants-votes.csv');
    let total = 0;
    for (const tally of source.votes!.values()) total += tally.agree + tally.disagree + tally.pass;
    expect(total).toBe(11449);
    expect(new Set(source.groups!.values())).toEqual(new Set([0, 1]));
    expect(source.groups!.size).toBe(267);
    let grouped = 0;
    for (const tallies of source.group_votes!.values()) {
      for (const tally of Object.values(tallies)) grouped += tally.agree + tally.disagree + tally.pass;
    }
    // The votes of the 267 grouped participants on comments of comments.csv (counted apart with Python).
    expect(grouped).toBe(11379);
    expect(source.metadata.title).toBe('Wohnen');
    expect(source.metadata.description).toMatch(/^Wir, die Bürger:innen des Klimarats/);
  });

  it("march-on: comments.csv only, tallies from its agrees / disagrees", async () => {
    const source = await loadSource(path.join(FIXTURES, 'march-on.operation-marchin-orders'));
    expect(source.vote_source).toBe('comments.csv');
    expect(source.votes!.get(2157)).toEqual({ agree: 1, disagree: 0, pass: 0 });
  });

  it('biodiversity: votes.csv, its 83 superseded votes not counted', async () => {
    const source = await loadSource(path.join(FIXTURES, 'scoop-hivemind.biodiversity'));
    expect(source.vote_source).toBe('votes.csv');
    let total = 0;
    for (const tally of source.votes!.values()) total += tally.agree + tally.disagree + tally.pass;
    expect(total).toBe(29802 - 83);
  });
});

describe('checkSource (the API) on postgres:// sources', () => {
  const deployed = { allowLocalPaths: false, allowedBuckets: ['uploads'] };
  const local = { allowLocalPaths: true, allowedBuckets: [] };

  it('accepts a Polis database URL without a password, deployed and locally', async () => {
    await expect(checkSource('postgres://polis@db.internal:5432/polis?zid=12', deployed)).resolves.toBe('postgres://polis@db.internal:5432/polis?zid=12');
    await expect(checkSource(' postgresql://polis@db/polis?zid=3 ', local)).resolves.toBe('postgresql://polis@db/polis?zid=3');
  });

  it('refuses a password in the URL when deployed (it would stay in the execution history), without echoing it', async () => {
    const error = await checkSource('postgres://polis:hunter2@db/polis?zid=12', deployed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(400);
    expect((error as HttpError).message).toMatch(/must not carry a password.*PGPASSWORD/);
    expect((error as HttpError).message).not.toContain('hunter2');
    await expect(checkSource('postgres://polis:hunter2@db/polis?zid=12', local)).resolves.toContain('zid=12');
  });

  it('refuses a URL without a zid, with the password redacted', async () => {
    const error = await checkSource('postgres://polis:hunter2@db/polis', local).catch((caught: unknown) => caught);
    expect((error as HttpError).statusCode).toBe(400);
    expect((error as HttpError).message).toMatch(/postgres:\/\/polis:\*\*\*@db\/polis" names no conversation/);
  });
});
