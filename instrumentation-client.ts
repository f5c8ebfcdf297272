// Runs in the browser before React hydrates (Next.js instrumentation-client).
// zod compiles fast object parsers with `new Function` where eval is allowed and
// probes for it once; under Standby's Content-Security-Policy (no 'unsafe-eval',
// lib/server/security-headers.ts) that probe is reported as a violation on every
// page with a form. Jitless parsing needs no eval and never probes.
import { z } from 'zod';

z.config({ jitless: true });
