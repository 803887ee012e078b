export * from './config';
export * from './state';
export * from './weights';
export * from './fold';
export * from './stage';
export * from './condition';
export * from './explain';
export * from './facts';
