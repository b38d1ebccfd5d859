export * from './types';
export * from './upstream-error';
export * from './http-client';
export * from './auth';
export * from './pagination';
export * from './redact';
export * from './json';
export * from './address-policy';
