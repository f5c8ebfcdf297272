// Where the end-to-end run lives: its own PostgreSQL (scripts/test-database.ts serve)
// and its own Standby on port 3100, so it never touches a developer's demo.
// STANDBY_E2E_PORT moves both (Standby on it, PostgreSQL on it + 51229, and
// the database's readiness answer 1000 above that), so two checkouts on one
// machine can run their end-to-end suites at the same time, even on neighbouring
// ports (a readiness port of PostgreSQL's + 1 was the next checkout's PostgreSQL).
const basePort = Number(process.env.STANDBY_E2E_PORT ?? 3100);
export const E2E_PORT = basePort;
export const E2E_PG_PORT = basePort + 51_229;
export const E2E_PG_READY_PORT = E2E_PG_PORT + 1_000;
export const E2E_DATABASE_URL = `postgresql://postgres:standby-test@127.0.0.1:${E2E_PG_PORT}/standby_e2e`;
export const E2E_BASE_URL = `http://localhost:${E2E_PORT}`;
/** The e2e server's build of the web app, apart from the .next a developer's demo serves. */
export const E2E_NEXT_DIST_DIR = '.next-e2e';
export const DEMO_PASSWORD = 'standby-demo';
