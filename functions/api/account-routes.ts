/**
 * The accounts' routes (docs/api.md "Accounts"): list, read, timeline, a contact's upsert and read,
 * and erasure. On AWS their own function serves them (functions/api/handlers/accounts-api.ts), so
 * the router's bundle carries neither the listing, the timeline, the account view's reads nor the
 * committee coverage; the router documents them and answers 501.
 */
import { NotImplemented } from '../kernel/errors';
import type { AccountsService } from './accounts-service';
import { E400, E404, E413 } from './responses';
import { E409_IF_MATCH, ETAG_HEADER, IfMatchHeaders, withEtag } from './preconditions';
import { route, type Route } from './router';
import * as S from './schemas';

export function accountRoutes(service: AccountsService | undefined): Route[] {
  // On AWS, API Gateway sends these routes to their own function; the router never sees them.
  const accounts = (): AccountsService => {
    if (!service) throw new NotImplemented('accounts are served by their own function');
    return service;
  };
  return [
    route({
      method: 'GET',
      path: '/accounts',
      operationId: 'listAccounts',
      servedBy: 'accounts',
      summary:
        'List accounts (filter tier, cluster, stage, owner, name or domain, score range; sort by score, fit or name), each with its score trend and committee coverage',
      tags: ['accounts'],
      auth: 'iam',
      query: S.AccountListQuery,
      responses: { 200: { description: 'a page', schema: S.AccountList }, ...E400 },
      handler: async ({ query }) => ({ status: 200, body: await accounts().listAccounts(query) }),
    }),
    route({
      method: 'GET',
      path: '/accounts/{accountId}',
      operationId: 'getAccount',
      servedBy: 'accounts',
      summary: 'One account with contacts, score, stage, enrollments and recent touches',
      tags: ['accounts'],
      auth: 'iam',
      params: S.AccountIdParams,
      responses: { 200: { description: 'the account', schema: S.AccountView }, ...E400, ...E404 },
      handler: async ({ params }) => ({ status: 200, body: await accounts().getAccount(params.accountId) }),
    }),
    route({
      method: 'GET',
      path: '/accounts/{accountId}/timeline',
      operationId: 'getAccountTimeline',
      servedBy: 'accounts',
      summary:
        "An account's story newest first: touches by channel, engagement, stage changes, SDR tasks and outcomes; the next scheduled step",
      tags: ['accounts'],
      auth: 'iam',
      params: S.AccountIdParams,
      query: S.TimelineQuery,
      responses: { 200: { description: 'a page', schema: S.Timeline }, ...E400, ...E404 },
      handler: async ({ params, query }) => ({
        status: 200,
        body: await accounts().timeline(params.accountId, query),
      }),
    }),
    route({
      method: 'PUT',
      path: '/accounts/{accountId}/contacts/{contactId}',
      operationId: 'putContact',
      servedBy: 'accounts',
      summary: 'Create or replace a buying-committee member (If-Match: only over that version)',
      tags: ['accounts'],
      auth: 'iam',
      params: S.ContactParams,
      headers: IfMatchHeaders,
      body: S.ContactPutBody,
      responses: {
        200: { description: 'stored', schema: S.ContactView, headers: ETAG_HEADER },
        ...E400,
        ...E404,
        ...E409_IF_MATCH,
        ...E413,
      },
      handler: async ({ params, body, headerParams }) => {
        const { contact, version } = await accounts().putContact(
          params.accountId,
          params.contactId,
          body,
          headerParams['if-match'],
        );
        return { status: 200, body: contact, headers: withEtag(version) };
      },
    }),
    route({
      method: 'GET',
      path: '/accounts/{accountId}/contacts/{contactId}',
      operationId: 'getContact',
      servedBy: 'accounts',
      summary: 'One buying-committee member, with its ETag',
      tags: ['accounts'],
      auth: 'iam',
      params: S.ContactParams,
      responses: {
        200: { description: 'the contact', schema: S.ContactView, headers: ETAG_HEADER },
        ...E400,
        ...E404,
      },
      handler: async ({ params }) => {
        const { contact, version } = await accounts().getContact(params.accountId, params.contactId);
        return { status: 200, body: contact, headers: withEtag(version) };
      },
    }),
    route({
      method: 'DELETE',
      path: '/contacts/{contactId}',
      operationId: 'eraseContact',
      servedBy: 'accounts',
      summary: 'Erase a person everywhere (GDPR), including ad audiences',
      tags: ['accounts'],
      auth: 'iam',
      params: S.ContactIdParams,
      responses: { 200: { description: 'erased', schema: S.ContactErased }, ...E400, ...E404 },
      handler: async ({ params }) => ({ status: 200, body: await accounts().eraseContact(params.contactId) }),
    }),
  ];
}
