/** Builds small Polis exports in temp folders from real comments, for tests of odd conversations. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'csv-parse/sync';

export interface ExportComment {
  id: number;
  body: string;
  moderated?: number;
}

export function readFixtureComments(folder: string): ExportComment[] {
  const rows = parse(readFileSync(path.join(folder, 'comments.csv')), { columns: true }) as Record<string, string>[];
  return rows
    .filter((row) => row.moderated !== '-1')
    .map((row) => ({ id: Number(row['comment-id']), body: row['comment-body'] }))
    .sort((a, b) => a.id - b.id);
}

/** A fixture's usable comments (not moderated out, not empty), earliest first: how a conversation grew. */
export function commentsByTime(folder: string): Array<ExportComment & { timestamp: number }> {
  const rows = parse(readFileSync(path.join(folder, 'comments.csv')), { columns: true }) as Record<string, string>[];
  return rows
    .filter((row) => row.moderated !== '-1' && row['comment-body'].trim() !== '')
    .map((row) => ({ id: Number(row['comment-id']), body: row['comment-body'], timestamp: Number(row.timestamp) }))
    .sort((a, b) => a.timestamp - b.timestamp || a.id - b.id);
}

export function writeExport(comments: ExportComment[], prefix = 'delphi-export-'): string {
  const folder = mkdtempSync(path.join(tmpdir(), prefix));
  const quote = (value: string) => `"${value.replace(/"/g, '""')}"`;
  const lines = comments.map((c) => [c.id, 1, c.moderated ?? 1, quote(c.body)].join(','));
  writeFileSync(path.join(folder, 'comments.csv'), ['comment-id,author-id,moderated,comment-body', ...lines].join('\n') + '\n');
  return folder;
}

/** Deterministic sample of `count` items (seeded Fisher–Yates on a copy). */
export function sample<T>(items: T[], count: number, seed = 7): T[] {
  const copy = [...items];
  let state = seed;
  const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy.slice(0, count);
}
