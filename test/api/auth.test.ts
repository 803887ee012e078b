/** Local mode's bearer token: required on IAM routes, compared in constant time, scheme required. */
import { describe, expect, it } from 'vitest';
import { createRouter, route, type Route } from '../../functions/api/router';
import * as z from 'zod';

const TOKEN = 'a-long-local-token-0123456789';

const routes: Route[] = [
  route({
    method: 'GET',
    path: '/health',
    operationId: 'health',
    summary: 'health',
    tags: ['t'],
    auth: 'none',
    responses: { 200: { description: 'ok', schema: z.object({ ok: z.boolean() }) } },
    handler: async () => ({ status: 200, body: { ok: true } }),
  }) as Route,
  route({
    method: 'GET',
    path: '/things/{id}',
    operationId: 'thing',
    summary: 'thing',
    tags: ['t'],
    auth: 'iam',
    params: z.object({ id: z.string() }),
    responses: { 200: { description: 'ok', schema: z.object({ id: z.string() }) } },
    handler: async ({ params }) => ({ status: 200, body: { id: params.id } }),
  }) as Route,
];

describe('bearer token (local mode)', () => {
  const router = createRouter(routes, { bearerToken: TOKEN });
  const call = (method: string, path: string, authorization?: string) =>
    router.handleHttp({ method, path, headers: authorization ? { authorization } : {} });

  it('lets the right token through and keeps public routes public', async () => {
    expect((await call('GET', '/things/x', `Bearer ${TOKEN}`)).status).toBe(200);
    expect((await call('GET', '/things/x', `bearer ${TOKEN}`)).status).toBe(200);
    expect((await call('GET', '/health')).status).toBe(200);
  });

  it.each([
    ['no header', undefined],
    ['the token without the Bearer scheme', TOKEN],
    ['a wrong token of the same length', `Bearer ${TOKEN.replace(/.$/, 'X')}`],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, 10)}`],
    ['another scheme', `Basic ${TOKEN}`],
  ])('answers 401 in the error shape for %s', async (_name, header) => {
    const res = await call('GET', '/things/x', header);
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body).error.code).toBeDefined();
  });

  it('does not reveal which paths exist to a caller without the token', async () => {
    expect((await call('GET', '/nothing-here')).status).toBe(401);
    expect((await call('DELETE', '/things/x')).status).toBe(401);
    expect((await call('GET', '/nothing-here', `Bearer ${TOKEN}`)).status).toBe(404);
    expect((await call('DELETE', '/things/x', `Bearer ${TOKEN}`)).status).toBe(405);
  });
});
