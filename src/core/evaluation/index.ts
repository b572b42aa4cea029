export * from './detector';
export * from './metrics';
export * from './protocol';
export * from './baselines';
