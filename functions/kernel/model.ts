/**
 * The domain model (docs/architecture.md, "Data model"): zod schemas, the one source of the
 * domain's types, one file per aggregate under kernel/model/. Pure: no AWS imports, no I/O.
 */
export * from './model/basics';
export * from './model/fields';
export * from './model/accounts';
export * from './model/sequences';
export * from './model/campaigns';
export * from './model/enrollments';
export * from './model/touches';
export * from './model/tasks';
export * from './model/engagement';
export * from './model/limits';
export * from './model/programs';
