import { describe, expect, it } from 'vitest';
import { HttpError } from '../../shared/api/http';
import { checkSource } from '../../shared/api/sources';

describe('the database server a deployed API caller names in a postgres:// source', () => {
  const deployed = { allowLocalPaths: false, allowedBuckets: ['uploads'], allowedDatabaseHosts: ['db.internal', '10.0.0.9:6432'] };

  it('is one the deployment lists, or none (the deployment secret names it)', async () => {
    await expect(checkSource('postgres://polis@DB.internal:5432/polis?zid=12', deployed)).resolves.toContain('zid=12');
    await expect(checkSource('postgres://polis@10.0.0.9:6432/polis?zid=12', deployed)).resolves.toContain('zid=12');
    await expect(checkSource('postgres:///?zid=12', deployed)).resolves.toBe('postgres:///?zid=12');
  });

  it.each([
    ['postgres://polis@169.254.169.254:80/x?zid=1', /169\.254\.169\.254:80 \(a link-local address\) is not one this deployment allows/],
    ['postgres://polis@127.0.0.1/x?zid=1', /127\.0\.0\.1:5432 \(a loopback address\)/],
    ['postgres://polis@[::1]:5432/x?zid=1', /::1:5432 \(a loopback address\)/],
    ['postgres://polis@10.0.0.9/x?zid=1', /10\.0\.0\.9:5432 \(a private or reserved address\)/],
    ['postgres://polis@db.internal:6432/x?zid=1', /db\.internal:6432 is not one/],
    ['postgres://polis@evil.example.com/x?zid=1', /evil\.example\.com:5432 is not one.*DELPHI_ALLOWED_PG_HOSTS/],
  ])('refuses %s with 400', async (source, message) => {
    const error = await checkSource(source, deployed).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(HttpError);
    expect((error as HttpError).statusCode).toBe(400);
    expect((error as HttpError).message).toMatch(message);
  });

  it('is not checked locally (delphi serve): the person at the machine names its databases', async () => {
    await expect(checkSource('postgres://polis@127.0.0.1/polis?zid=3', { ...deployed, allowLocalPaths: true })).resolves.toContain('zid=3');
  });
});
