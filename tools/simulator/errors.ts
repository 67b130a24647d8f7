import { randomUUID } from 'node:crypto';
import type { ItemProblem } from './validation';

/** Error body of the real platform's `/api/v2` endpoints. */
export interface PlatformErrorBody {
  message: string;
  code: string;
  status: number;
  contextId: string;
  details: ItemProblem[];
  errors: unknown[];
}

/** Builds a real-platform-shaped error body with a fresh context id. */
export function platformError(
  status: number,
  code: string,
  message: string,
  details: ItemProblem[] = [],
): PlatformErrorBody {
  return { message, code, status, contextId: randomUUID(), details, errors: [] };
}

/** The exact 429 message of the real platform. */
export function rateLimitMessage(retryAfterSeconds: number): string {
  return `Rate limit exceeded the maximum. Retry the request in [${retryAfterSeconds}] seconds`;
}

/** Error codes the simulator answers with, one place so tests and docs name them alike. */
export const ERROR_CODES = {
  badCredentials: 'bad.credentials',
  missingPermissions: 'missing.any.permissions',
  notFound: 'not.found',
  tooManyRequests: 'too.many.requests.retry.after',
  badRequest: 'bad.request',
  payloadTooLarge: 'request.entity.too.large',
  serviceUnavailable: 'service.unavailable',
} as const;
