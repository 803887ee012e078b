/**
 * The `/programs` routes on AWS (and `GET /reports/programs/{id}`): their own function, so the API
 * router's bundle carries neither the programs nor their entry rules (functions/api/program-routes.ts).
 * Reads and writes the table; starts executions (a program's pause and resume move its
 * enrollments as a campaign's control does).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { composeLambda } from '../../platform/lambda';
import { instrument } from '../../platform/powertools';
import { programsFeature } from '../../programs';
import { reportsFeature } from '../../reports';
import { programRoutes } from '../program-routes';
import { apiGatewayV2Handler, loggedRouter } from '../router';

const { router } = composeLambda(['tableName', 'sequenceStateMachineArn'], {
  router: (platform) =>
    loggedRouter(platform.log, programRoutes(programsFeature(platform), reportsFeature(platform))),
});

export const handler = instrument<APIGatewayProxyEventV2, unknown>(apiGatewayV2Handler(router));
