export * from './arch';
export * from './safe-strings';
export * from './inventory';
