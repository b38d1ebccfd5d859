export * from './records';
export * from './refs';
export * from './controls';
export * from './catalog';
export * from './identity-names';
