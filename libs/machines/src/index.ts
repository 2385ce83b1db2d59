export * from './secrets/secret-resolver';
export * from './ssh/host-key';
export * from './ssh/ssh-session';
