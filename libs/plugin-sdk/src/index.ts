export * from './manifest';
export * from './secret';
export * from './plugin';
export * from './merge-batches';
