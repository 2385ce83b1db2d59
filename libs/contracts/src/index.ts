export * from './arch';
export * from './safe-strings';
export * from './inventory';
export * from './job-spec';
export * from './spec-problems';
export * from './parse-job-spec';
export * from './verdict';
export * from './published-schemas';
