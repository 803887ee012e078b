/**
 * `POST /accounts/import`, on its own: the API router documents it and local mode serves it in
 * process, while on AWS its own function serves it (functions/api/handlers/import-accounts.ts), so
 * the router's bundle does not carry the CSV parser (csv-parse, 30 KB minified) and the import.
 * The import is handed in (functions/api/account-import.ts `accountImportFeature`).
 */
import { NotImplemented } from '../kernel/errors';
import type { AccountImport } from './account-import';
import { E400, E413, err } from './responses';
import { route, type Route } from './router';
import * as S from './schemas';

export function accountImportRoute(importAccounts: AccountImport | undefined): Route {
  const importer = (): AccountImport => {
    // On AWS, API Gateway sends this route to its own function; a router without the import
    // never sees it there.
    if (!importAccounts) throw new NotImplemented('the account import is served by its own function');
    return importAccounts;
  };
  return route({
    method: 'POST',
    path: '/accounts/import',
    operationId: 'importAccounts',
    summary: 'Import accounts with their contacts (JSON or CSV); upsert; per-row errors',
    tags: ['accounts'],
    auth: 'iam',
    servedBy: 'importAccounts',
    // JSON is validated against this schema; text/csv reaches the handler as raw text.
    body: S.ImportJsonBody,
    bodyDoc: S.ImportJsonBodyDoc,
    accepts: ['application/json', 'text/csv'],
    responses: {
      200: { description: 'imported; rejected rows listed', schema: S.ImportResult },
      ...E400,
      ...E413,
      415: err('neither JSON nor CSV'),
    },
    handler: async ({ body, rawBody, contentType }) => ({
      status: 200,
      body: await importer()(contentType === 'text/csv' ? { csv: rawBody } : { json: body.accounts }),
    }),
  });
}
