/** The ServiceNow Table API as the servicenow and cmdb plugins read it (README.md). */
export * from './servicenow-table.types';
export * from './servicenow-page.error';
export * from './servicenow-value.parser';
export * from './servicenow-table.client';
export * from './servicenow-auth.config';
export * from './servicenow.auth';
export * from './servicenow-key-range';
export * from './servicenow-read.problems';
