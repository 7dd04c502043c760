// Files of the repository the database tests read.
import { fileURLToPath } from 'node:url';

export const schemaPath = fileURLToPath(new URL('../../../prisma/schema.prisma', import.meta.url));
export const migrationsDir = fileURLToPath(new URL('../../../prisma/migrations', import.meta.url));
export const root = fileURLToPath(new URL('../../../', import.meta.url));
