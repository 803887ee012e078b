/* eslint-disable @typescript-eslint/no-explicit-any -- walks an arbitrary JSON document */
/**
 * Lints the generated OpenAPI document (run by .ci/openapi-lint.sh and by test/api/openapi.test.ts):
 * OpenAPI 3.1 structure, every router route documented (and nothing else), unique operation ids,
 * path parameters declared, every $ref resolvable, every operation with responses and an error
 * response in the one error shape (the Error schema, or its `error` object with more beside it), and security matching each route's authorisation.
 * No extra package: a structural check written against the spec's required fields.
 */
import { routeManifest, openApiDocument } from './manifest';

type Json = Record<string, any>;

/**
 * An error response's schema: the Error schema, or one that carries the same required `error` object
 * beside fields of its own (a launch's 409 carries the forecast that exceeded the budget).
 */
function inErrorShape(doc: Json, ref: unknown): boolean {
  const prefix = '#/components/schemas/';
  if (ref === `${prefix}Error`) return true;
  if (typeof ref !== 'string' || !ref.startsWith(prefix)) return false;
  const schemas = doc.components?.schemas ?? {};
  const schema = schemas[ref.slice(prefix.length)];
  const base = schemas.Error;
  return (
    Boolean(schema && base) &&
    (schema.required ?? []).includes('error') &&
    JSON.stringify(schema.properties?.error) === JSON.stringify(base.properties?.error)
  );
}

export function lintOpenApi(doc: Json = openApiDocument('lint')): string[] {
  const problems: string[] = [];
  if (!/^3\.1\.\d+$/.test(String(doc.openapi))) problems.push(`openapi must be 3.1.x, got ${doc.openapi}`);
  if (!doc.info?.title || !doc.info?.version) problems.push('info.title and info.version are required');
  if (!doc.paths || typeof doc.paths !== 'object') problems.push('paths is required');

  const documented = new Set<string>();
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries<Json>(doc.paths ?? {})) {
    if (!path.startsWith('/')) problems.push(`path ${path} must start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries<Json>(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      documented.add(where);
      if (!['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'].includes(method))
        problems.push(`${where}: unknown method`);
      if (!op.operationId) problems.push(`${where}: operationId missing`);
      else if (operationIds.has(op.operationId))
        problems.push(`${where}: duplicate operationId ${op.operationId}`);
      else operationIds.add(op.operationId);
      if (!op.responses || Object.keys(op.responses).length === 0) problems.push(`${where}: no responses`);
      for (const [status, res] of Object.entries<Json>(op.responses ?? {})) {
        if (!/^[1-5]\d\d$/.test(status)) problems.push(`${where}: bad status ${status}`);
        if (!res.description) problems.push(`${where} ${status}: description missing`);
        if (Number(status) >= 400 && !inErrorShape(doc, res.content?.['application/json']?.schema?.$ref)) {
          problems.push(`${where} ${status}: errors must use the Error schema`);
        }
      }
      const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name);
      for (const name of templated)
        if (!declared.includes(name)) problems.push(`${where}: path parameter {${name}} not declared`);
      for (const p of op.parameters ?? []) {
        if (!['path', 'query', 'header', 'cookie'].includes(p.in))
          problems.push(`${where}: parameter ${p.name} has bad "in"`);
        if (p.in === 'path' && p.required !== true)
          problems.push(`${where}: path parameter ${p.name} must be required`);
        if (!p.schema) problems.push(`${where}: parameter ${p.name} has no schema`);
      }
      if (op.requestBody && !op.requestBody.content) problems.push(`${where}: requestBody without content`);
      if (!Array.isArray(op.security)) problems.push(`${where}: security must be listed ([] for public)`);
    }
  }

  for (const r of routeManifest()) {
    const where = `${r.method} ${r.path}`;
    if (!documented.has(where)) problems.push(`route ${where} is not documented`);
    const op = doc.paths?.[r.path]?.[r.method.toLowerCase()];
    if (op && r.auth === 'iam' && !(op.security?.length > 0))
      problems.push(`${where}: IAM route documented as public`);
    if (op && r.auth === 'none' && op.security?.length > 0)
      problems.push(`${where}: public route documented as protected`);
  }
  const routed = new Set(routeManifest().map((r) => `${r.method} ${r.path}`));
  for (const d of documented) if (!routed.has(d)) problems.push(`${d} is documented but not routed`);

  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${at}/${i}`));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Json)) {
      if (k === '$ref' && typeof v === 'string') {
        const target = v
          .replace(/^#\//, '')
          .split('/')
          .reduce<any>((o, seg) => o?.[seg], doc);
        if (!v.startsWith('#/') || target === undefined) problems.push(`${at}: unresolvable $ref ${v}`);
      } else walk(v, `${at}/${k}`);
    }
  };
  walk(doc, '#');
  for (const [name, schema] of Object.entries<Json>(doc.components?.schemas ?? {})) {
    if (schema.$ref === `#/components/schemas/${name}`)
      problems.push(`components.schemas.${name} refers to itself`);
  }
  problems.push(...compileSchemas(doc));
  return problems;
}

/**
 * Compiles every component schema as JSON Schema 2020-12 with ajv when it is installed (it is a
 * transitive dependency here, not a declared one: the check is skipped, and says so, without it).
 */
function compileSchemas(doc: Json): string[] {
  let Ajv: new (o: object) => { addSchema(s: object, k: string): void; compile(s: object): unknown };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    Ajv = require('ajv/dist/2020').default;
  } catch {
    console.warn('OpenAPI lint: ajv not installed; JSON Schema compilation skipped');
    return [];
  }
  const ajv = new Ajv({ strict: false, validateFormats: false });
  ajv.addSchema({ $id: 'doc', components: doc.components }, 'doc');
  const toDoc = (n: unknown): unknown =>
    Array.isArray(n)
      ? n.map(toDoc)
      : n && typeof n === 'object'
        ? Object.fromEntries(
            Object.entries(n).map(([k, v]) => [
              k,
              k === '$ref' && typeof v === 'string' ? `doc${v}` : toDoc(v),
            ]),
          )
        : n;
  const problems: string[] = [];
  for (const [name, schema] of Object.entries<Json>(doc.components?.schemas ?? {})) {
    try {
      ajv.compile(toDoc(schema) as object);
    } catch (e) {
      problems.push(`components.schemas.${name}: not valid JSON Schema 2020-12: ${(e as Error).message}`);
    }
  }
  return problems;
}

if (require.main === module) {
  const problems = lintOpenApi();
  if (problems.length > 0) {
    console.error(`OpenAPI lint: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}`);
    process.exit(1);
  }
  const doc = openApiDocument('lint');
  console.log(
    `OpenAPI lint: ok (${Object.keys(doc.paths as object).length} paths, ${routeManifest().length} operations)`,
  );
}
