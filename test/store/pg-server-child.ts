// Starts a test PostgreSQL server and reports where it lives, then waits to be killed.
import { startEmbeddedPostgres } from '../support/embedded-postgres.ts';

const server = await startEmbeddedPostgres();
process.stdout.write(`${JSON.stringify({ dir: server.dir, port: Number(new URL(server.url).port) })}\n`);
setInterval(() => {}, 60_000);
