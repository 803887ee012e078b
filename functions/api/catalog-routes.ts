/**
 * Templates and sequences (`/templates`, `/sequences`). On AWS their own function serves them
 * (functions/api/handlers/catalog-api.ts): saving a template compiles it, and the Handlebars
 * compiler (80 KB minified) stays out of the router's bundle. The API router documents them and
 * local mode serves them in process; the catalog service is handed in
 * (functions/api/catalog-service.ts `catalogFeature`).
 */
import { NotImplemented } from '../kernel/errors';
import type { createCatalogService } from './catalog-service';
import { E409_IF_MATCH, ETAG_HEADER, IfMatchHeaders, withEtag } from './preconditions';
import { E400, E404, E413, err } from './responses';
import { route, type Route } from './router';
import * as S from './catalog-schemas';
import { Paging } from './schema-common';

export type CatalogService = ReturnType<typeof createCatalogService>;

/** The catalog's routes; without a service (the deployed router), they answer 501. */
export function catalogRoutes(catalog: CatalogService | undefined): Route[] {
  const svc = (): CatalogService => {
    // On AWS, API Gateway sends these routes to their own function; a router without the
    // catalog never sees them there.
    if (!catalog) throw new NotImplemented('templates and sequences are served by their own function');
    return catalog;
  };
  const routes = [
    route({
      method: 'PUT',
      path: '/templates/{templateId}',
      operationId: 'putTemplate',
      summary:
        'Save an email template (Handlebars; variants by role, overrides by account); each save is a new version',
      tags: ['templates'],
      auth: 'iam',
      params: S.TemplateIdParams,
      headers: IfMatchHeaders,
      body: S.TemplatePutBody,
      responses: {
        200: { description: 'updated', schema: S.TemplateView, headers: ETAG_HEADER },
        201: { description: 'created', schema: S.TemplateView, headers: ETAG_HEADER },
        ...E400,
        ...E409_IF_MATCH,
        ...E413,
      },
      handler: async ({ params, body, headerParams }) => {
        const { status, template } = await svc().putTemplate(
          params.templateId,
          body,
          headerParams['if-match'],
        );
        return { status, body: template, headers: withEtag(template.version) };
      },
    }),
    route({
      method: 'POST',
      path: '/templates/{templateId}/preview',
      operationId: 'previewTemplate',
      summary:
        'Render a template for an account and contact as a send would (role variant, account override), with the variables it lacks',
      tags: ['templates'],
      auth: 'iam',
      params: S.TemplateIdParams,
      body: S.TemplatePreviewBody,
      responses: {
        200: { description: 'rendered', schema: S.TemplatePreview },
        ...E400,
        ...E404,
        501: err('previews are not wired in this deployment'),
      },
      handler: async ({ params, body }) => ({
        status: 200,
        body: await svc().preview(params.templateId, body),
      }),
    }),
    route({
      method: 'POST',
      path: '/templates/{templateId}/test-send',
      operationId: 'testSendTemplate',
      summary:
        'Send a template rendered for an account and contact to an address through SES, tagged as a test (never scored, in no campaign)',
      tags: ['templates'],
      auth: 'iam',
      params: S.TemplateIdParams,
      body: S.TemplateTestSendBody,
      responses: {
        200: { description: 'sent', schema: S.TemplateTestSend },
        ...E400,
        ...E404,
        409: err('SES refused or throttled the send (its error in the message)'),
        501: err('no sender address is configured'),
      },
      handler: async ({ params, body }) => ({
        status: 200,
        body: await svc().testSend(params.templateId, body),
      }),
    }),
    route({
      method: 'GET',
      path: '/templates',
      operationId: 'listTemplates',
      summary: 'List templates',
      tags: ['templates'],
      auth: 'iam',
      query: Paging,
      responses: { 200: { description: 'a page', schema: S.TemplateList }, ...E400 },
      handler: async ({ query }) => ({ status: 200, body: await svc().listTemplates(query) }),
    }),
    route({
      method: 'GET',
      path: '/templates/{templateId}',
      operationId: 'getTemplate',
      summary: 'Read a template',
      tags: ['templates'],
      auth: 'iam',
      params: S.TemplateIdParams,
      responses: {
        200: { description: 'the template', schema: S.TemplateView, headers: ETAG_HEADER },
        ...E400,
        ...E404,
      },
      handler: async ({ params }) => {
        const template = await svc().getTemplate(params.templateId);
        return { status: 200, body: template, headers: withEtag(template.version) };
      },
    }),
    route({
      method: 'PUT',
      path: '/sequences/{sequenceId}',
      operationId: 'putSequence',
      summary:
        'Save a new version of a sequence (validated; templates must exist; If-Match: only over that latest version)',
      tags: ['sequences'],
      auth: 'iam',
      params: S.SequenceIdParams,
      headers: IfMatchHeaders,
      body: S.SequencePutBody,
      bodyDoc: S.SequencePutBodyDoc,
      responses: {
        201: { description: 'the new version', schema: S.SequenceView, headers: ETAG_HEADER },
        ...E400,
        ...E409_IF_MATCH,
        ...E413,
      },
      handler: async ({ params, body, headerParams }) => {
        const saved = await svc().putSequence(params.sequenceId, body, headerParams['if-match']);
        return { status: 201, body: saved, headers: withEtag(saved.version) };
      },
    }),
    route({
      method: 'GET',
      path: '/sequences',
      operationId: 'listSequences',
      summary: 'List sequences with their latest version',
      tags: ['sequences'],
      auth: 'iam',
      query: Paging,
      responses: { 200: { description: 'a page', schema: S.SequenceList }, ...E400 },
      handler: async ({ query }) => ({ status: 200, body: await svc().listSequences(query) }),
    }),
    route({
      method: 'GET',
      path: '/sequences/{sequenceId}',
      operationId: 'getSequence',
      summary: 'Read a sequence (latest version, or ?version=)',
      tags: ['sequences'],
      auth: 'iam',
      params: S.SequenceIdParams,
      query: S.SequenceGetQuery,
      responses: {
        200: { description: 'the version', schema: S.SequenceView, headers: ETAG_HEADER },
        ...E400,
        ...E404,
      },
      handler: async ({ params, query }) => {
        const found = await svc().getSequence(params.sequenceId, query.version);
        return { status: 200, body: found, headers: withEtag(found.version) };
      },
    }),
  ];
  return routes.map((r) => ({ ...r, servedBy: 'catalog' as const }));
}
