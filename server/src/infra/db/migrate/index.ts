// Migrations without the Prisma CLI's native engine: see ./engine.ts and ./adapters.ts.
export {
  pgliteMigrationFactory,
  pgliteScratchFactory,
  postgresMigrationFactory,
  postgresScratchFactory,
  withDatabase,
} from './adapters.ts';
export { applyMigrations, checkDrift, createMigration, MigrationFailedError } from './commands.ts';
export { SchemaEngineError } from './engine.ts';
