// The demo's simulated upstreams, as one part that production runs only when
// asked (`npm run demo` and `npm run dev` do; `npm start` with STANDBY_SIMULATOR=1).
// scripts/run.mjs compiles this entry into a bundle of its own,
// .standby/build/simulator.cjs, which scripts/standby.ts loads only then: the
// production server bundle (.standby/build/standby.cjs) does not contain it.
//
//   server.ts        answers /simulated/<name>/v1 in the OpenAI or Anthropic protocol, with the faults in force
//   replies.ts       what a simulated model says, and how it streams
//   fault-cache.ts   the faults and the demo traffic setting, kept in memory from PostgreSQL
//   demo-traffic.ts  the steady demo traffic through the gateway
//   webhook-sink.ts  the demo's Slack-compatible webhook receiver, for runbooks' notify steps
// The Simulator page's side (fault profiles, their validation, preview and
// audit) is the control-plane domain lib/simulator/.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startDemoTraffic } from './demo-traffic';
import { createFaultCache } from './fault-cache';
import { createSimulator } from './server';
import { createWebhookSink } from './webhook-sink';

export type SimulatorOptions = {
  databaseUrl: string;
  /** The gateway the demo traffic goes through, and the token it sends. */
  gatewayUrl: string;
  token: string;
  log: (line: string) => void;
};

export type RunningSimulator = {
  /** The front door's lean handler for /simulated/ (upstreams and the webhook receiver). */
  handle: (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean;
  /** Starts the demo traffic once the gateway listens. */
  startTraffic: () => void;
  close: () => Promise<void>;
};

export function startSimulator(options: SimulatorOptions): RunningSimulator {
  const faults = createFaultCache(options.databaseUrl, { log: options.log });
  const simulator = createSimulator({ loadFaults: faults.get });
  const webhooks = createWebhookSink({ log: options.log });
  let traffic: { close(): Promise<void> } | null = null;
  return {
    handle: (req, res, pathname) => webhooks.handle(req, res, pathname) || simulator.handle(req, res, pathname),
    startTraffic: () => {
      traffic ??= startDemoTraffic({ gatewayUrl: options.gatewayUrl, token: options.token, readSetting: faults.demoTraffic, log: options.log });
    },
    close: async () => {
      await traffic?.close();
      await faults.close();
    },
  };
}
