// Inputs of the simulator domain, declared once (STYLE.md habit 4).
import { z } from 'zod';
import { faultsSchema } from './faults';
import { SIMULATED_NAME_PATTERN } from './upstreams';

/** Why a change was made; kept in the audit log. */
export const reasonSchema = z.string().trim().max(500, 'At most 500 characters.').optional();

const upstreamName = z.string({ error: 'Choose a simulated upstream.' }).regex(SIMULATED_NAME_PATTERN, 'There is no simulated upstream by that name.');
/** The row version the editor started from (optimistic concurrency). */
const version = z.coerce.number({ error: 'Reload the page and try again.' }).int().min(1);

export const setFaultsInput = z.object({ name: upstreamName, version, faults: faultsSchema, reason: reasonSchema });
export type SetFaultsInput = z.input<typeof setFaultsInput>;

export const resetFaultsInput = z.object({ name: upstreamName, version, reason: reasonSchema });

export const previewFaultsInput = z.object({ name: upstreamName, faults: faultsSchema });

// ---------------------------------------------------------------- demo traffic

/** The Setting row that holds the demo traffic generator's configuration. */
export const DEMO_TRAFFIC_KEY = 'demo.traffic';
export const MAX_DEMO_REQUESTS_PER_SECOND = 50;
export const MAX_DEMO_SERVICES = 20;

export const demoTrafficSchema = z.object({
  requestsPerSecond: z
    .number({ error: 'Enter the requests per second as a number (0 turns demo traffic off).' })
    .min(0, 'Requests per second cannot be negative; 0 turns demo traffic off.')
    .max(MAX_DEMO_REQUESTS_PER_SECOND, `At most ${MAX_DEMO_REQUESTS_PER_SECOND} requests per second.`),
  /** Service names, called in turn. */
  services: z
    .array(z.string().trim().min(1).max(64), { error: 'Choose the services to call.' })
    .max(MAX_DEMO_SERVICES, `At most ${MAX_DEMO_SERVICES} services.`)
    .default([])
    .transform((names) => [...new Set(names)]),
  /** On: every other request to each service streams. */
  stream: z.boolean({ error: 'Choose on or off.' }).default(true),
});
export type DemoTraffic = z.infer<typeof demoTrafficSchema>;

export const DEMO_TRAFFIC_OFF: DemoTraffic = Object.freeze({ requestsPerSecond: 0, services: [], stream: true });

export const setDemoTrafficInput = demoTrafficSchema
  .extend({ reason: reasonSchema })
  .refine((value) => value.requestsPerSecond === 0 || value.services.length > 0, {
    path: ['services'],
    message: 'Choose at least one service to send demo traffic to, or set 0 requests per second.',
  });
export type SetDemoTrafficInput = z.input<typeof setDemoTrafficInput>;

/** The stored setting, read leniently: anything unreadable means demo traffic is off. */
export function readDemoTraffic(value: unknown): DemoTraffic {
  const parsed = demoTrafficSchema.safeParse(value);
  return parsed.success ? parsed.data : DEMO_TRAFFIC_OFF;
}
