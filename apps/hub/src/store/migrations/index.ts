import { Initial1700000000000 } from './1700000000000-initial';

/** Every migration, oldest first; the same set runs on PostgreSQL and SQLite. */
export const MIGRATIONS = [Initial1700000000000];
