export * from './boot/boot-method';
export * from './console/console-driver';
export * from './power/power-driver';
export * from './secrets/secret-resolver';
export * from './ssh/host-key';
export * from './ssh/ssh-session';
