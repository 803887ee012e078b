/* eslint-disable @typescript-eslint/no-explicit-any -- JSON response bodies are read loosely in tests */
/**
 * The API's functions on AWS: the router serves every route but the accounts', the catalog's, the
 * programs' and the imports', which have functions of their own (their bundles carry the account
 * listing and timeline, the Handlebars compiler and the CSV parser, the router's does not); each group's router serves its routes over the same
 * services, and the manifest sends each route to its function.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountImportFeature } from '../../functions/api/account-import';
import { accountImportRoute } from '../../functions/api/account-import-route';
import { accountRoutes } from '../../functions/api/account-routes';
import { accountsFeature } from '../../functions/api/accounts-service';
import { catalogFeature } from '../../functions/api/catalog-service';
import { catalogRoutes } from '../../functions/api/catalog-routes';
import { routerFeature } from '../../functions/api/core-api';
import { routeManifest } from '../../functions/api/manifest';
import { createRouter, type Router } from '../../functions/api/router';
import { account, startHarness, type Harness } from '../support/api';

const TEMPLATE = { subject: 'Hi {{contact.firstName}}', html: '<p>Hi</p>', text: 'Hi' };

async function call(router: Router, method: string, path: string, body?: unknown) {
  const res = await router.handleHttp({
    method,
    path,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: res.body ? (JSON.parse(res.body) as any) : undefined };
}

describe('the API split over functions', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(() => h.stop());

  it('the deployed router answers 501 for the routes other functions serve, and serves the rest', async () => {
    const router = routerFeature({ launch: h.launch })(h.platform);
    expect((await call(router, 'PUT', '/templates/intro', TEMPLATE)).status).toBe(501);
    expect((await call(router, 'GET', '/sequences')).status).toBe(501);
    expect((await call(router, 'POST', '/accounts/import', { accounts: [account(1)] })).status).toBe(501);
    expect((await call(router, 'GET', '/programs')).status).toBe(501);
    expect((await call(router, 'GET', '/accounts')).status).toBe(501);
    expect((await call(router, 'GET', '/accounts/acct-00001/timeline')).status).toBe(501);
    expect((await call(router, 'GET', '/campaigns')).status).toBe(200);
    expect((await call(router, 'GET', '/tasks')).status).toBe(200);
    // It still documents every route.
    const doc = (await call(router, 'GET', '/openapi.json')).json;
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/templates/{templateId}',
        '/sequences',
        '/accounts/import',
        '/accounts',
        '/accounts/{accountId}/timeline',
      ]),
    );
  });

  it("each group's own router serves its routes over the same table", async () => {
    const catalog = createRouter(catalogRoutes(catalogFeature(h.platform)));
    expect((await call(catalog, 'PUT', '/templates/intro', TEMPLATE)).status).toBe(201);
    expect((await call(catalog, 'PUT', '/templates/bad', { ...TEMPLATE, html: '{{#if}}' })).status).toBe(400);
    expect((await call(catalog, 'GET', '/accounts')).status).toBe(404);
    const importer = createRouter([accountImportRoute(accountImportFeature(h.platform))]);
    const imported = await call(importer, 'POST', '/accounts/import', { accounts: [account(1)] });
    expect(imported.status).toBe(200);
    expect(imported.json.imported).toBe(1);
    const accounts = createRouter(accountRoutes(accountsFeature(h.platform)));
    const listed = await call(accounts, 'GET', '/accounts');
    expect(listed.status).toBe(200);
    expect(listed.json.items.map((a: any) => a.accountId)).toContain('acct-00001');
    expect((await call(accounts, 'GET', '/accounts/acct-00001/timeline')).status).toBe(200);
    expect((await call(accounts, 'GET', '/campaigns')).status).toBe(404);
    // The whole API (local mode) reads what both wrote.
    expect((await h.call('GET', '/templates/intro')).status).toBe(200);
    expect((await h.call('GET', '/accounts/acct-00001')).status).toBe(200);
  });

  it('the manifest sends each route to the function that serves it', () => {
    const servedBy = new Map(routeManifest().map((r) => [`${r.method} ${r.path}`, r.servedBy]));
    expect(servedBy.get('PUT /templates/{templateId}')).toBe('catalog');
    expect(servedBy.get('GET /sequences/{sequenceId}')).toBe('catalog');
    expect(servedBy.get('POST /accounts/import')).toBe('importAccounts');
    expect(servedBy.get('POST /sequences/import/pinpoint')).toBe('importPinpoint');
    expect(servedBy.get('PUT /programs/{programId}')).toBe('programs');
    expect(servedBy.get('GET /reports/programs/{programId}')).toBe('programs');
    expect(servedBy.get('GET /accounts')).toBe('accounts');
    expect(servedBy.get('GET /accounts/{accountId}/timeline')).toBe('accounts');
    expect(servedBy.get('DELETE /contacts/{contactId}')).toBe('accounts');
    expect(servedBy.get('POST /campaigns')).toBe('router');
    expect(servedBy.get('GET /campaigns')).toBe('router');
    expect([...servedBy.values()].filter((f) => f === 'accounts')).toHaveLength(6);
    // Templates and sequences with the template preview and test send.
    expect([...servedBy.values()].filter((f) => f === 'catalog')).toHaveLength(8);
  });
});
