/**
 * The HTTP API on 127.0.0.1 for local use (`delphi serve`): each request becomes the API Gateway REST
 * event AWS would send and goes to the same Lambda handler (functions/api/*); only the execution
 * starter differs — executions run in this process with the local runner. The server also answers the
 * two Step Functions calls the API makes (StartExecution, DescribeExecution) on `POST /`, so a Lambda
 * run with STEPFUNCTIONS_ENDPOINT pointing here (`sls invoke local -f startJob`) starts local jobs.
 * No authentication: it listens on the loopback interface only.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { setApiDependencies } from '../api/dependencies';
import { type ExecutionInput, ExecutionAlreadyExistsError } from '../api/executions';
import { errorResponse, HttpError, type ApiResult } from '../api/http';
import { validateOptions } from '../api/requests';
import { checkSource, type SourcePolicy } from '../api/sources';
import { assertConversationId, assertJobId } from '../jobId';
import { LOCAL_STATE_MACHINE_ARN, LocalExecutions } from './localExecutions';
import { matchRoute, ROUTES, type RouteMatch, type RouteSpec } from '../api/routes';
import { loadApiHandler } from './apiHandlers';
import { setDependencies } from '../dependencies';
import { InvalidInputError } from '../errors';
import type { Repository } from '../repository';
import { LocalPipeline, type ExecutionLease } from './runner';

export const LOCAL_API_HOST = '127.0.0.1';
const MAX_BODY_BYTES = 1024 * 1024;
/** Longer than any step holds the event loop (see where the server sets it). */
const LOCAL_KEEP_ALIVE_MS = 120_000;

export interface LocalApiOptions {
  repository: Repository;
  /** 0 = any free port. */
  port?: number;
  pipeline?: LocalPipeline;
  routes?: readonly RouteSpec[];
  /** One line per request and per finished execution. */
  log?: (line: string) => void;
  /** A lease holder per execution (`delphi serve`: shared/local/lease.ts). */
  lease?: () => ExecutionLease;
}

export interface LocalApi {
  url: string;
  port: number;
  executions: LocalExecutions;
  /** Stops accepting requests; running executions go on until `executions.settle()`. */
  close(): Promise<void>;
}

class RequestTooLarge extends Error {}

async function readBody(request: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new RequestTooLarge();
    chunks.push(chunk as Buffer);
  }
  return chunks.length ? Buffer.concat(chunks).toString('utf8') : null;
}

/** The event API Gateway (REST API, Lambda proxy integration) sends for this request. */
export function toApiGatewayEvent(request: IncomingMessage, url: URL, body: string | null, match: RouteMatch): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < request.rawHeaders.length; i += 2) {
    const [name, value] = [request.rawHeaders[i], request.rawHeaders[i + 1]];
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
    (multiValueHeaders[name] ??= []).push(value);
  }
  headers['X-Forwarded-Proto'] = 'http';
  multiValueHeaders['X-Forwarded-Proto'] = ['http'];
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) {
    query[name] = value; // API Gateway keeps the last value
    (multiQuery[name] ??= []).push(value);
  }
  const hasQuery = Object.keys(query).length > 0;
  const now = Date.now();
  return {
    resource: match.route.path,
    path: url.pathname,
    httpMethod: match.route.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: Object.keys(match.pathParameters).length ? match.pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: `HTTP/${request.httpVersion}`,
      httpMethod: match.route.method,
      path: url.pathname,
      stage: 'local',
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'local',
      resourcePath: match.route.path,
      domainName: request.headers.host ?? LOCAL_API_HOST,
      identity: { sourceIp: request.socket.remoteAddress ?? LOCAL_API_HOST, userAgent: request.headers['user-agent'] ?? null },
    } as unknown as APIGatewayProxyEvent['requestContext'],
  };
}

function send(response: ServerResponse, result: ApiResult): void {
  response.writeHead(result.statusCode, result.headers as Record<string, string>);
  response.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

function sendJson(response: ServerResponse, statusCode: number, body: unknown, headers: Record<string, string> = {}): void {
  send(response, { statusCode, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });
}

const EXECUTION_INPUT_KEYS = new Set(['conversation_id', 'source', 'options', 'job_id', 'request_hash']);

/**
 * An execution input as the API would have sent it: a StartExecution here is another door to the same
 * jobs, so it gets the API's checks (conversation_id, source, options and the caller policy); a given
 * job_id must be well formed, and MarkRunning refuses one that belongs to another execution's job.
 */
async function checkExecutionInput(raw: unknown, sources: SourcePolicy): Promise<ExecutionInput> {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidInputError('input must be a JSON object {conversation_id, source, options?}');
  const input = raw as Record<string, unknown>;
  const unknown = Object.keys(input).filter((key) => !EXECUTION_INPUT_KEYS.has(key));
  if (unknown.length) throw new InvalidInputError(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in the execution input`);
  const conversation_id = assertConversationId(input.conversation_id);
  if (input.job_id !== undefined) assertJobId(input.job_id);
  if (typeof input.source !== 'string' || !input.source.trim()) throw new InvalidInputError('source is required: a folder holding comments.csv, s3://bucket/prefix or postgres://…?zid=N');
  const options = input.options ?? {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidInputError('options must be a JSON object');
  validateOptions(options as Record<string, unknown>);
  const source = await checkSource(input.source.trim(), sources);
  return { ...input, conversation_id, source, options } as ExecutionInput;
}

/** The Step Functions JSON protocol (awsJson1_0) for StartExecution and DescribeExecution. */
async function stepFunctionsCall(executions: LocalExecutions, sources: SourcePolicy, target: string, body: string | null, response: ServerResponse) {
  const fail = (type: string, message: string) =>
    sendJson(response, 400, { __type: type, message }, { 'Content-Type': 'application/x-amz-json-1.0', 'x-amzn-ErrorType': type });
  const ok = (payload: unknown) => sendJson(response, 200, payload, { 'Content-Type': 'application/x-amz-json-1.0' });
  let request: Record<string, string>;
  try {
    request = JSON.parse(body ?? '{}') as Record<string, string>;
  } catch {
    return fail('SerializationException', 'The request body is not JSON');
  }
  const seconds = (date?: Date) => (date ? date.getTime() / 1000 : undefined);
  if (target === 'AWSStepFunctions.StartExecution') {
    if (request.stateMachineArn !== LOCAL_STATE_MACHINE_ARN) {
      return fail('StateMachineDoesNotExist', `The local state machine is ${LOCAL_STATE_MACHINE_ARN}`);
    }
    let input: ExecutionInput;
    try {
      input = await checkExecutionInput(JSON.parse(request.input ?? '{}'), sources);
    } catch (error) {
      if (error instanceof SyntaxError) return fail('InvalidExecutionInput', 'input is not JSON');
      if (error instanceof HttpError || error instanceof InvalidInputError) return fail('InvalidExecutionInput', error.message);
      throw error;
    }
    try {
      const started = await executions.start(request.name ?? randomUUID(), input);
      return ok({ executionArn: started.executionArn, startDate: seconds(started.startDate) });
    } catch (error) {
      if (error instanceof ExecutionAlreadyExistsError) return fail('ExecutionAlreadyExists', error.message);
      return fail('InvalidName', (error as Error).message);
    }
  }
  if (target === 'AWSStepFunctions.DescribeExecution') {
    const name = String(request.executionArn ?? '').split(':').pop() ?? '';
    const execution = name ? await executions.describe(name) : undefined;
    if (!execution || execution.executionArn !== request.executionArn) {
      return fail('ExecutionDoesNotExist', `Execution does not exist: ${request.executionArn}`);
    }
    return ok({
      executionArn: execution.executionArn,
      stateMachineArn: LOCAL_STATE_MACHINE_ARN,
      name: execution.name,
      status: execution.status,
      startDate: seconds(execution.startDate),
      stopDate: seconds(execution.stopDate),
      input: JSON.stringify(execution.input ?? {}),
      error: execution.error,
      cause: execution.cause,
    });
  }
  return fail('UnknownOperationException', `${target} is not served locally (only StartExecution and DescribeExecution)`);
}

/** Names by which a page on this machine reaches the server; anything else is a rebound DNS name. */
const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]'];
const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

interface Refusal {
  status: number;
  error: string;
  message: string;
}

/**
 * Loopback is not a boundary against the browser: any web page can send a request to 127.0.0.1, and
 * a DNS name rebound to 127.0.0.1 makes its answers readable. So: Host must be a loopback name with
 * this port (defeats rebinding), an Origin must be this server's own (a cross-site page is refused even
 * for a "simple" request, which the browser sends without asking), and a body must be declared JSON
 * (a form or text/plain POST is what a page can send without a CORS preflight).
 */
export function refuseForeignRequest(request: Pick<IncomingMessage, 'headers' | 'method'>, port: number): Refusal | undefined {
  const allowed = LOOPBACK_NAMES.map((name) => `${name}:${port}`);
  const host = request.headers.host?.toLowerCase();
  if (!host || !allowed.includes(host)) {
    return { status: 421, error: 'MisdirectedRequest', message: `This server answers only requests addressed to ${allowed.join(', ')}` };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !allowed.some((name) => origin.toLowerCase() === `http://${name}`)) {
    return { status: 403, error: 'CrossOriginRequest', message: `Requests from pages of another origin (${origin.slice(0, 100)}) are refused` };
  }
  const length = Number(request.headers['content-length'] ?? 0);
  const hasBody = length > 0 || request.headers['transfer-encoding'] !== undefined;
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (WRITE_METHODS.has(request.method ?? '') && hasBody && type !== 'application/json' && type !== 'application/x-amz-json-1.0') {
    return { status: 415, error: 'UnsupportedMediaType', message: `A request body must be sent as Content-Type: application/json, got "${type || 'none'}"` };
  }
  return undefined;
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const { repository } = options;
  const log = options.log ?? (() => undefined);
  const routes = options.routes ?? ROUTES;
  const executions = new LocalExecutions({
    pipeline: options.pipeline ?? new LocalPipeline(),
    repository,
    lease: options.lease,
    onFinished: (outcome) =>
      log(`execution ${outcome.executionName} ${outcome.status}${outcome.error ? ` — ${outcome.error}: ${outcome.cause}` : ''}`),
  });
  // The step handlers (run by the local runner) and the API handlers share this process's database.
  const sources: SourcePolicy = { allowLocalPaths: true, allowedBuckets: [] };
  setDependencies({ repository });
  setApiDependencies({ repository, executions, sources });
  let port = 0;

  const server = createServer(async (request, response) => {
    const started = Date.now();
    const refusal = refuseForeignRequest(request, port);
    if (refusal) {
      sendJson(response, refusal.status, { error: refusal.error, message: refusal.message });
      log(`${request.method} ${(request.url ?? '/').replace(/\?.*$/, '')} → ${refusal.status} ${refusal.error} (${Date.now() - started} ms)`);
      return;
    }
    const url = new URL(request.url ?? '/', `http://${request.headers.host}`);
    try {
      const body = await readBody(request);
      const target = request.headers['x-amz-target'];
      if (request.method === 'POST' && url.pathname === '/' && typeof target === 'string' && target.startsWith('AWSStepFunctions.')) {
        await stepFunctionsCall(executions, sources, target, body, response);
        log(`${target} → ${response.statusCode} (${Date.now() - started} ms)`);
        return;
      }
      const match = matchRoute(request.method ?? 'GET', url.pathname, routes);
      if (!match) {
        sendJson(response, 404, { error: 'NotFound', message: `No route ${request.method} ${url.pathname}` });
      } else if ('allowed' in match) {
        sendJson(response, 405, { error: 'MethodNotAllowed', message: `${url.pathname} allows ${match.allowed.join(', ')}` }, { Allow: match.allowed.join(', ') });
      } else {
        const handler = await loadApiHandler(match.route.function);
        const context = { functionName: `delphi-local-${match.route.function}`, awsRequestId: randomUUID(), callbackWaitsForEmptyEventLoop: false };
        send(response, await handler(toApiGatewayEvent(request, url, body, match), context as never));
      }
    } catch (error) {
      if (error instanceof RequestTooLarge) sendJson(response, 413, { error: 'PayloadTooLarge', message: `Bodies are limited to ${MAX_BODY_BYTES} bytes` });
      else send(response, errorResponse(error));
    }
    log(`${request.method} ${url.pathname}${url.search} → ${response.statusCode} (${Date.now() - started} ms)`);
  });
  // Jobs run in this process, so a step can hold the event loop for seconds; with Node's default of
  // 5 s the server would then close an idle keep-alive socket while the client's next request is
  // already on it, and the client sees ECONNRESET. The client closes idle sockets itself sooner.
  server.keepAliveTimeout = LOCAL_KEEP_ALIVE_MS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 3000, LOCAL_API_HOST, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOCAL_API_HOST}:${port}`,
    port,
    executions,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
