/**
 * The HTTP edge of the API: JSON responses, errors that name the bad field, and the middy wrapper every
 * API Lambda shares. Handlers receive API Gateway REST (Lambda proxy) events; `delphi serve` builds the
 * same events from local HTTP requests (shared/local/server.ts).
 */
import middy from '@middy/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { ConfigurationError, InvalidInputError, JobNotFoundError } from '../errors';
import { logger } from '../logger';

export type ApiEvent = APIGatewayProxyEvent;
export type ApiResult = APIGatewayProxyResult;

/** An error with an HTTP status, a stable code and, for bad requests, the field at fault. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

export const badRequest = (field: string, message: string, details?: Record<string, unknown>) =>
  new HttpError(400, 'BadRequest', message, field, details);

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): ApiResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
  };
}

/** The response for an error thrown by a handler; unexpected errors say nothing about internals. */
export function errorResponse(error: unknown, requestId?: string): ApiResult {
  if (error instanceof HttpError) {
    return json(error.statusCode, { error: error.code, message: error.message, ...(error.field ? { field: error.field } : {}), ...error.details });
  }
  if (error instanceof JobNotFoundError) return json(404, { error: 'JobNotFound', message: error.message, field: 'job_id' });
  if (error instanceof InvalidInputError) return json(400, { error: 'BadRequest', message: error.message });
  const message =
    error instanceof ConfigurationError
      ? 'The API is misconfigured; the operator has been told through the logs.'
      : 'Internal error; retrying the same request is safe.';
  return json(500, { error: 'InternalError', message, ...(requestId ? { request_id: requestId } : {}) });
}

/** A header's value, whatever its case (API Gateway passes headers as the client wrote them). */
export function header(event: Pick<ApiEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * The API's public base URL as the client called it: scheme + host + any stage prefix. For the
 * execute-api domain the stage is part of the path (`/dev/jobs/…`); behind a custom domain it is not,
 * so the prefix is what requestContext.path has before the resource path.
 */
export function baseUrl(event: ApiEvent): string {
  const host = event.requestContext?.domainName ?? header(event, 'host') ?? 'localhost';
  const scheme = header(event, 'x-forwarded-proto') ?? 'https';
  const fullPath = event.requestContext?.path ?? event.path;
  const prefix = fullPath && event.path && fullPath.endsWith(event.path) ? fullPath.slice(0, fullPath.length - event.path.length) : '';
  return `${scheme}://${host}${prefix}`;
}

export type ApiRoute = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/** Wraps a route in middy: an error becomes its JSON response (400/404/409 …), unexpected ones a 500. */
export function apiHandler(route: ApiRoute) {
  return middy(route).onError(async (request) => {
    const error = request.error;
    const requestId = request.context?.awsRequestId;
    const response = errorResponse(error, requestId);
    if (response.statusCode >= 500) {
      logger.error('request failed', { error: error as Error, path: request.event?.path, request_id: requestId });
    } else {
      logger.info('request refused', { status: response.statusCode, path: request.event?.path, message: (error as Error)?.message });
    }
    request.response = response;
  });
}
