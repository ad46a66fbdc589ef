/**
 * All DynamoDB access of the pipeline. Knows the seven tables (shared/schema.ts), writes in batches
 * of 25 with UnprocessedItems retried, reads by job_id or by the ConversationIdIndex, never scans.
 */
import {
  BatchWriteCommand,
  type BatchWriteCommandInput,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { decodeRow, type IndexedRowOf, type KeyOf, type RowOf } from './contract/rows';
import type { JobRecord, JobUpdate, StepRecord } from './contract/job';
import { asStepError } from './aws/errors';
import { TransientError, JobNotFoundError } from './errors';
import { CONVERSATION_INDEX, TABLE_IDS, TABLES, type TableId, tableName } from './schema';

/** An attribute map as DynamoDB hands it over, before shared/contract/rows.ts decodes it. */
export type Item = Record<string, unknown>;

export const BATCH_SIZE = 25;

export interface RepositoryOptions {
  client: DynamoDBDocumentClient;
  /** Stage suffix of deployed table names; empty locally. */
  tableSuffix?: string;
  /**
   * BatchWriteItem calls in flight at once (default 4). All of a job's rows share one partition key
   * (job_id), and one DynamoDB partition takes ~1,000 WCU/s: 4 calls of 25 items in flight already
   * reach that at ~100 ms per call, so more only adds throttling. Locally dynalite is CPU-bound:
   * 20,000 embedding rows took 4.2 s at 4, 3.8 s at 16 (test/bench, dynalite in its own process).
   */
  writeConcurrency?: number;
  /** Attempts for a batch whose items keep coming back as UnprocessedItems. */
  maxBatchAttempts?: number;
  /** Base of the exponential backoff between those attempts, in ms. */
  backoffBaseMs?: number;
  /** Called after each successful batch: the seam used by fault-injection tests. */
  afterBatchWrite?: (table: TableId, batchIndex: number) => void | Promise<void>;
}

export interface ReplaceResult {
  written: number;
  deleted: number;
}

/** A replacement of a job's rows in one table, written in parts (see `beginReplace`). */
export interface RowReplacement<T extends TableId = TableId> {
  write(items: RowOf<T>[]): Promise<void>;
  /** Deletes the rows the job had before that no part wrote again. */
  finish(): Promise<ReplaceResult>;
}

export interface QueryOptions<T extends TableId> {
  /** Only rows whose attributes equal these values (filtered by DynamoDB, still read by it). */
  where?: Partial<RowOf<T>>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retryable AWS failures become TransientError so Step Functions retries the step (shared/aws/errors.ts). */
const asTransient = (error: unknown, what: string) => asStepError(error, `DynamoDB ${what}`);

export class Repository {
  private readonly client: DynamoDBDocumentClient;
  private readonly suffix: string;
  private readonly writeConcurrency: number;
  private readonly maxBatchAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly afterBatchWrite?: RepositoryOptions['afterBatchWrite'];

  constructor(options: RepositoryOptions) {
    this.client = options.client;
    this.suffix = options.tableSuffix ?? '';
    this.writeConcurrency = options.writeConcurrency ?? 4;
    this.maxBatchAttempts = options.maxBatchAttempts ?? 8;
    this.backoffBaseMs = options.backoffBaseMs ?? 50;
    this.afterBatchWrite = options.afterBatchWrite;
  }

  tableName(table: TableId): string {
    return tableName(table, this.suffix);
  }

  private keyOf(table: TableId, item: Item): Item {
    const rangeName = TABLES[table].rangeKey.name;
    return { job_id: item.job_id, [rangeName]: item[rangeName] };
  }

  private keyString(table: TableId, item: Item): string {
    return String(item[TABLES[table].rangeKey.name]);
  }

  // ---- job records (Delphi_UMAPConversationConfig) -------------------------------------------

  async putJob(job: JobRecord): Promise<void> {
    await this.send('put job', () => this.client.send(new PutCommand({ TableName: this.tableName('config'), Item: job })));
  }

  /**
   * MarkRunning's write: creates the job record, or replaces the record of the same execution (a
   * retried or redriven MarkRunning: same execution_name and ARN). A record another execution wrote is
   * left as it is and false returned, so a caller-chosen job_id can never take over another job.
   */
  async createJobOfExecution(job: Parameters<Repository['putJob']>[0]): Promise<boolean> {
    const sameExecution = job.execution_arn
      ? '(execution_name = :name AND (attribute_not_exists(execution_arn) OR execution_arn = :arn))'
      : 'execution_name = :name';
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName('config'),
          Item: job,
          ConditionExpression: `attribute_not_exists(job_id) OR ${sameExecution}`,
          ExpressionAttributeValues: { ':name': job.execution_name, ...(job.execution_arn ? { ':arn': job.execution_arn } : {}) },
        }),
      );
      return true;
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') return false;
      throw asTransient(error, 'create job');
    }
  }

  async getJob(jobId: string): Promise<JobRecord | undefined> {
    const items = await this.queryByJob('config', jobId);
    return items[0];
  }

  async requireJob(jobId: string): Promise<JobRecord> {
    const job = await this.getJob(jobId);
    if (!job) throw new JobNotFoundError(jobId);
    return job;
  }

  /**
   * Sets top-level attributes of an existing job record (fails if the job does not exist). A field
   * given as null is removed, so a redriven job does not keep the error of its failed attempt.
   */
  async updateJob(jobId: string, conversationId: string, fields: JobUpdate): Promise<void> {
    const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
    if (entries.length === 0) return;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    const removes: string[] = [];
    entries.forEach(([name, value], i) => {
      names[`#a${i}`] = name;
      if (value === null) {
        removes.push(`#a${i}`);
      } else {
        values[`:v${i}`] = value;
        sets.push(`#a${i} = :v${i}`);
      }
    });
    const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : '']
      .filter(Boolean)
      .join(' ');
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName('config'),
          Key: { job_id: jobId, conversation_id: conversationId },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(job_id)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw new JobNotFoundError(jobId);
      throw asTransient(error, 'update job');
    }
  }

  /** Records one step's summary on the job record under `steps.<name>` (a map created at MarkRunning). */
  async recordStep(jobId: string, conversationId: string, step: string, summary: StepRecord): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName('config'),
          Key: { job_id: jobId, conversation_id: conversationId },
          UpdateExpression: 'SET #steps.#step = :summary, updated_at = :now',
          ConditionExpression: 'attribute_exists(job_id)',
          ExpressionAttributeNames: { '#steps': 'steps', '#step': step },
          ExpressionAttributeValues: { ':summary': summary, ':now': new Date().toISOString() },
        }),
      );
    } catch (error) {
      if ((error as Error).name === 'ConditionalCheckFailedException') throw new JobNotFoundError(jobId);
      throw asTransient(error, 'record step');
    }
  }

  async getItem<T extends TableId>(table: T, key: KeyOf<T>): Promise<RowOf<T> | undefined> {
    const out = await this.send('get', () => this.client.send(new GetCommand({ TableName: this.tableName(table), Key: key })));
    return out.Item && decodeRow(table, out.Item);
  }

  // ---- per-job rows --------------------------------------------------------------------------

  /**
   * Makes the job's rows in `table` exactly `items`: writes them all (same keys overwrite, so a
   * re-run or a redrive after a crash leaves no duplicates), then deletes the job's rows whose keys
   * the new output no longer contains.
   */
  async replaceJobRows<T extends TableId>(table: T, jobId: string, items: RowOf<T>[]): Promise<ReplaceResult> {
    const replacement = await this.beginReplace(table, jobId);
    await replacement.write(items);
    return replacement.finish();
  }

  /**
   * `replaceJobRows` with the rows given in parts, e.g. while the rest is still being computed. The
   * job's existing keys are read first: on a first run there are none, where reading them after the
   * writes would read every row just written back (1,767–7,593 keys on march-on). A run after a
   * crash reads the rows the crashed attempt left, and `finish` deletes those it did not write again.
   */
  async beginReplace<T extends TableId>(table: T, jobId: string): Promise<RowReplacement<T>> {
    const before = await this.queryKeys(table, jobId);
    const written = new Set<string>();
    return {
      write: async (items) => {
        await this.writeJobRows(table, jobId, items, written);
      },
      finish: async () => ({ written: written.size, deleted: await this.deleteRowsNotIn(table, before, written) }),
    };
  }

  /**
   * Writes (puts) rows of the job without touching its other rows: one batch of a fanned-out step.
   * Returns the range keys written, added to `keys` (a key already there is a duplicate).
   */
  async writeJobRows<T extends TableId>(table: T, jobId: string, items: RowOf<T>[], keys = new Set<string>()): Promise<Set<string>> {
    const rangeName = TABLES[table].rangeKey.name;
    for (const item of items) {
      if (item.job_id !== jobId) throw new Error(`Row for ${table} carries job_id ${String(item.job_id)}, expected ${jobId}`);
      if (item.conversation_id === undefined) throw new Error(`Row for ${table} has no conversation_id`);
      const key = this.keyString(table, item);
      if (keys.has(key)) throw new Error(`Duplicate ${rangeName} ${key} in rows for ${table}`);
      keys.add(key);
    }
    await this.batchWrite(table, items.map((Item) => ({ PutRequest: { Item: Item as Item } })));
    return keys;
  }

  /** Deletes the job's rows in `table` whose range key (as a string) is not in `keep`; returns how many. */
  async deleteJobRowsExcept(table: TableId, jobId: string, keep: ReadonlySet<string>): Promise<number> {
    return this.deleteRowsNotIn(table, await this.queryKeys(table, jobId), keep);
  }

  /** Deletes those of `rows` (keys) whose range key is not in `keep`; returns how many. */
  private async deleteRowsNotIn(table: TableId, rows: Item[], keep: ReadonlySet<string>): Promise<number> {
    const stale = rows.filter((row) => !keep.has(this.keyString(table, row)));
    await this.batchWrite(table, stale.map((row) => ({ DeleteRequest: { Key: this.keyOf(table, row) } })));
    return stale.length;
  }

  private async batchWrite(table: TableId, requests: NonNullable<BatchWriteCommandInput['RequestItems']>[string]): Promise<void> {
    const name = this.tableName(table);
    const batches: (typeof requests)[] = [];
    for (let i = 0; i < requests.length; i += BATCH_SIZE) batches.push(requests.slice(i, i + BATCH_SIZE));
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const index = next++;
        await this.writeOneBatch(name, batches[index]);
        await this.afterBatchWrite?.(table, index);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.writeConcurrency, batches.length) }, worker));
  }

  private async writeOneBatch(name: string, batch: NonNullable<BatchWriteCommandInput['RequestItems']>[string]) {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > this.maxBatchAttempts) {
        throw new TransientError(
          `DynamoDB kept returning ${pending.length} unprocessed items for ${name} after ${this.maxBatchAttempts} attempts`,
        );
      }
      if (attempt > 1) {
        // Full jitter: spreads retries of concurrent writers on the same partition.
        const cap = Math.min(5000, this.backoffBaseMs * 2 ** (attempt - 2));
        await sleep(Math.random() * cap);
      }
      const out = await this.send('batch write', () =>
        this.client.send(new BatchWriteCommand({ RequestItems: { [name]: pending } })),
      );
      pending = out.UnprocessedItems?.[name] ?? [];
    }
  }

  /** The primary keys of the job's rows in `table`, in range-key order. */
  async queryKeys<T extends TableId>(table: T, jobId: string): Promise<KeyOf<T>[]> {
    return this.queryByJob(table, jobId, { attributes: ['job_id', TABLES[table].rangeKey.name] as (keyof RowOf<T>)[] });
  }

  /** Every row of the job in `table`, in range-key order, following pagination; each decoded by its contract. */
  async queryByJob<T extends TableId>(table: T, jobId: string, options?: QueryOptions<T>): Promise<RowOf<T>[]>;
  /** Only these attributes of each row (less to transfer and unmarshal). */
  async queryByJob<T extends TableId, K extends keyof RowOf<T>>(
    table: T,
    jobId: string,
    options: QueryOptions<T> & { attributes: readonly K[] },
  ): Promise<Pick<RowOf<T>, K>[]>;
  async queryByJob<T extends TableId>(
    table: T,
    jobId: string,
    options: QueryOptions<T> & { attributes?: readonly (keyof RowOf<T>)[] } = {},
  ): Promise<Partial<RowOf<T>>[]> {
    const attributes = options.attributes as readonly string[] | undefined;
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':job': jobId };
    const projection = attributes?.map((name, i) => ((names[`#p${i}`] = name), `#p${i}`)).join(', ');
    const filter = Object.entries(options.where ?? {})
      .map(([name, value], i) => {
        names[`#w${i}`] = name;
        values[`:w${i}`] = value;
        return `#w${i} = :w${i}`;
      })
      .join(' AND ');
    const items = await this.queryAll({
      TableName: this.tableName(table),
      KeyConditionExpression: 'job_id = :job',
      ExpressionAttributeValues: values,
      ...(projection ? { ProjectionExpression: projection } : {}),
      ...(filter ? { FilterExpression: filter } : {}),
      ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
    });
    return items.map((item) => decodeRow(table, item, attributes));
  }

  /** Rows of a conversation through the ConversationIdIndex GSI (what the index projects). */
  async queryByConversation<T extends TableId>(
    table: T,
    conversationId: string,
    options: { newestFirst?: boolean; limit?: number; startKey?: Item } = {},
  ): Promise<{ items: IndexedRowOf<T>[]; lastKey?: Item }> {
    // Tables whose index projects only keys return keys, decoded as such.
    const projected = TABLES[table].gsiProjection === 'KEYS_ONLY' ? ['job_id', TABLES[table].rangeKey.name, 'conversation_id'] : undefined;
    const decode = (items: Item[]) => items.map((item) => decodeRow(table, item, projected) as IndexedRowOf<T>);
    const input: QueryCommandInput = {
      TableName: this.tableName(table),
      IndexName: CONVERSATION_INDEX,
      KeyConditionExpression: 'conversation_id = :c',
      ExpressionAttributeValues: { ':c': conversationId },
      ScanIndexForward: !options.newestFirst,
    };
    if (options.limit === undefined) return { items: decode(await this.queryAll(input)) };
    const out = await this.send('query', () =>
      this.client.send(new QueryCommand({ ...input, Limit: options.limit, ExclusiveStartKey: options.startKey })),
    );
    return { items: decode(out.Items ?? []), lastKey: out.LastEvaluatedKey };
  }

  /** Rows per table for the job, by physical table name: the counts MarkCompleted records. */
  async countJobRows(jobId: string): Promise<Record<string, number>> {
    const tables = TABLE_IDS.filter((table) => table !== 'config');
    const counts = await Promise.all(tables.map((table) => this.countByJob(table, jobId)));
    return Object.fromEntries(tables.map((table, i) => [this.tableName(table), counts[i]]));
  }

  async countByJob(table: TableId, jobId: string): Promise<number> {
    let count = 0;
    let startKey: Item | undefined;
    do {
      const out = await this.send('count', () =>
        this.client.send(
          new QueryCommand({
            TableName: this.tableName(table),
            KeyConditionExpression: 'job_id = :job',
            ExpressionAttributeValues: { ':job': jobId },
            Select: 'COUNT',
            ExclusiveStartKey: startKey,
          }),
        ),
      );
      count += out.Count ?? 0;
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return count;
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let startKey: Item | undefined;
    do {
      const out = await this.send('query', () => this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })));
      items.push(...(out.Items ?? []));
      startKey = out.LastEvaluatedKey;
    } while (startKey);
    return items;
  }

  private async send<T>(what: string, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      throw asTransient(error, what);
    }
  }
}
