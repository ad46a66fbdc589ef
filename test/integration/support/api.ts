/** API test helpers: API Gateway events from events/*.json, calling a handler, and a Step Functions fake. */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';

export const EVENTS = path.resolve(__dirname, '../../../events');

export interface EventChanges {
  pathParameters?: Record<string, string> | null;
  query?: Record<string, string> | null;
  /** undefined removes the header. */
  headers?: Record<string, string | undefined>;
  /** An object is sent as JSON; a string as is; null = no body. */
  body?: unknown;
}

/**
 * The committed API Gateway event of a function (events/<function>.json), with changes: the same
 * events `sls invoke local --path` uses, so the tests also prove those files are valid.
 */
export function apiEvent(fn: string, changes: EventChanges = {}): APIGatewayProxyEvent {
  const event = JSON.parse(readFileSync(path.join(EVENTS, `${fn}.json`), 'utf8')) as APIGatewayProxyEvent;
  if (changes.pathParameters !== undefined) {
    event.pathParameters = changes.pathParameters;
    let resolved = event.resource;
    for (const [name, value] of Object.entries(changes.pathParameters ?? {})) resolved = resolved.replace(`{${name}}`, encodeURIComponent(value));
    event.path = resolved;
    event.requestContext.path = `/${event.requestContext.stage}${resolved}`;
  }
  if (changes.query !== undefined) {
    event.queryStringParameters = changes.query;
    event.multiValueQueryStringParameters = changes.query && Object.fromEntries(Object.entries(changes.query).map(([k, v]) => [k, [v]]));
  }
  if (changes.headers) {
    for (const [name, value] of Object.entries(changes.headers)) {
      for (const key of Object.keys(event.headers)) if (key.toLowerCase() === name.toLowerCase()) delete event.headers[key];
      if (value !== undefined) event.headers[name] = value;
    }
  }
  if (changes.body !== undefined) {
    event.body = changes.body === null ? null : typeof changes.body === 'string' ? changes.body : JSON.stringify(changes.body);
  }
  return event;
}

export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

type Handler = (event: APIGatewayProxyEvent, context: never) => Promise<APIGatewayProxyResult>;

export async function call<T = Record<string, unknown>>(handler: Handler, event: APIGatewayProxyEvent): Promise<ApiAnswer<T>> {
  const result = await handler(event, { awsRequestId: 'test-request', functionName: 'test' } as never);
  return { status: result.statusCode, headers: (result.headers ?? {}) as Record<string, string>, body: JSON.parse(result.body) as T };
}

export interface FakeExecution {
  name: string;
  executionArn: string;
  input: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  startDate: Date;
  error?: string;
  cause?: string;
}

/**
 * Step Functions replaced by aws-sdk-client-mock, with the service's documented rules: a name is
 * used once per state machine; repeating StartExecution with the same name and input while the
 * execution runs returns it; anything else with that name is ExecutionAlreadyExists.
 */
export function fakeStepFunctions(stateMachineArn: string, options: { onCall?: (operation: 'StartExecution' | 'DescribeExecution') => void } = {}) {
  const mock = mockClient(SFNClient);
  const executions = new Map<string, FakeExecution>();
  const failures: Error[] = [];
  const arnOf = (name: string) => `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  mock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string; input: string }) => {
    options.onCall?.('StartExecution');
    if (input.stateMachineArn !== stateMachineArn) throw new Error(`unexpected state machine ${input.stateMachineArn}`);
    const failure = failures.shift();
    if (failure) throw failure;
    const existing = executions.get(input.name);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input.input) return { executionArn: existing.executionArn, startDate: existing.startDate };
      throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${existing.executionArn}'`, $metadata: { httpStatusCode: 400 } });
    }
    const execution: FakeExecution = { name: input.name, executionArn: arnOf(input.name), input: input.input, status: 'RUNNING', startDate: new Date() };
    executions.set(input.name, execution);
    return { executionArn: execution.executionArn, startDate: execution.startDate };
  });
  mock.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
    options.onCall?.('DescribeExecution');
    const execution = [...executions.values()].find((e) => e.executionArn === input.executionArn);
    if (!execution) throw new ExecutionDoesNotExist({ message: `Execution Does Not Exist: '${input.executionArn}'`, $metadata: { httpStatusCode: 400 } });
    return { ...execution, stateMachineArn };
  });
  return {
    mock,
    executions,
    starts: () => mock.commandCalls(StartExecutionCommand).map((call) => call.args[0].input as { name: string; input: string }),
    /** The next StartExecution fails with this error (then the fake behaves again). */
    failNextStart(error: Error) {
      failures.push(error);
    },
    reset() {
      executions.clear();
      mock.resetHistory();
    },
  };
}
