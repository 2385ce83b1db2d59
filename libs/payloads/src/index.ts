export * from './marker-format';
export * from './payload-result';
export * from './payload-output-parser';
export * from './hotplug-host-actions';
export * from './payload-files';
