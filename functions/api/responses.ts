/** The error responses the routes document (functions/api/routes.ts, functions/api/pinpoint-route.ts). */
import { ErrorBody } from '../kernel/errors';
import type { ResponseSpec } from './router';

export const err = (description: string): ResponseSpec => ({ description, schema: ErrorBody });
export const E400 = { 400: err('bad input: the details name each bad field') };
export const E404 = { 404: err('not found') };
export const E409 = { 409: err('conflicts with the current state') };
export const E413 = { 413: err('the body is too large') };
