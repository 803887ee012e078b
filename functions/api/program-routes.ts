/**
 * The `/programs` routes (docs/api.md "Programs"): define, read and list always-on programs, pause
 * and resume them, and their report (the report of the program's campaign). On AWS their own
 * function serves them (functions/api/handlers/programs-api.ts), so the router's bundle carries
 * neither the programs nor the trigger rules; the router documents them and answers 501.
 */
import { NotImplemented } from '../kernel/errors';
import { programCampaignId } from '../kernel/model';
import type { ProgramsService } from '../programs';
import type { ReportService } from '../reports';
import { E400, E404, E409, err } from './responses';
import { route, type Route } from './router';
import * as S from './schemas';

export function programRoutes(
  service: ProgramsService | undefined,
  reports: Pick<ReportService, 'report'>,
): Route[] {
  // On AWS, API Gateway sends these routes to their own function; the router never sees them.
  const svc = (): ProgramsService => {
    if (!service) throw new NotImplemented('programs are served by their own function');
    return service;
  };
  const statusRoutes = (['pause', 'resume'] as const).map((action) =>
    route({
      method: 'POST',
      path: `/programs/{programId}/${action}`,
      operationId: `${action}Program`,
      summary:
        action === 'pause'
          ? 'Pause a program: its triggers enroll nobody and its running enrollments pause'
          : 'Resume a program: its triggers enroll again and its paused enrollments go on',
      tags: ['programs'],
      servedBy: 'programs',
      auth: 'iam',
      params: S.ProgramIdParams,
      responses: { 200: { description: 'the program', schema: S.ProgramView }, ...E400, ...E404, ...E409 },
      handler: async ({ params }) => ({ status: 200, body: await svc()[action](params.programId) }),
    }),
  );
  return [
    route({
      method: 'GET',
      path: '/programs',
      operationId: 'listPrograms',
      summary: 'Every always-on program',
      tags: ['programs'],
      servedBy: 'programs',
      auth: 'iam',
      responses: { 200: { description: 'the programs', schema: S.ProgramList } },
      handler: async () => ({ status: 200, body: { items: await svc().list() } }),
    }),
    route({
      method: 'PUT',
      path: '/programs/{programId}',
      operationId: 'putProgram',
      summary: 'Define or replace an always-on program: a trigger, an audience, a sequence, a re-entry rule',
      tags: ['programs'],
      servedBy: 'programs',
      auth: 'iam',
      params: S.ProgramIdParams,
      body: S.ProgramPutBody,
      responses: {
        200: { description: 'replaced', schema: S.ProgramView },
        201: { description: 'created', schema: S.ProgramView },
        ...E400,
        404: err('the sequence does not exist'),
        ...E409,
      },
      handler: async ({ params, body }) => {
        const { program, created } = await svc().put(params.programId, body);
        return { status: created ? 201 : 200, body: program };
      },
    }),
    route({
      method: 'GET',
      path: '/programs/{programId}',
      operationId: 'getProgram',
      summary: 'One program, with how many accounts it has entered',
      tags: ['programs'],
      servedBy: 'programs',
      auth: 'iam',
      params: S.ProgramIdParams,
      responses: { 200: { description: 'the program', schema: S.ProgramView }, ...E400, ...E404 },
      handler: async ({ params }) => ({ status: 200, body: await svc().get(params.programId) }),
    }),
    ...statusRoutes,
    route({
      method: 'GET',
      path: '/reports/programs/{programId}',
      operationId: 'getProgramReport',
      summary: "A program's report: its campaign's funnel, coverage and MQA over every account it entered",
      tags: ['reports'],
      servedBy: 'programs',
      auth: 'iam',
      params: S.ProgramIdParams,
      responses: { 200: { description: 'the report', schema: S.ProgramReport }, ...E400, ...E404 },
      handler: async ({ params }) => {
        const program = await svc().get(params.programId);
        return {
          status: 200,
          body: { program, report: await reports.report(programCampaignId(params.programId)) },
        };
      },
    }),
  ];
}
