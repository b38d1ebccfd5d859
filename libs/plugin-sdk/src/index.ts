export * from './manifest';
export * from './secret';
export * from './plugin';
