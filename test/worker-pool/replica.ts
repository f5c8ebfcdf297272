// A worker of test/worker-pool/primary.ts: one replica (worker/replica.ts) whose data plane
// answers on the pool's port, plus GET /whoami: its pid, whether its monitor leads, and the
// services its routing snapshot holds.
import http from 'node:http';
import { startReplica } from '@/worker/replica';

async function main() {
  const replica = await startReplica({ log: (line) => console.log(`[worker ${process.pid}] ${line}`) });
  const server = http.createServer(async (req, res) => {
    const pathname = (req.url ?? '/').split('?')[0];
    if (pathname === '/whoami') {
      const services = [...(replica.dataPlane.snapshots.get()?.services.keys() ?? [])];
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      return void res.end(JSON.stringify({ pid: process.pid, leader: replica.monitor.isLeader(), services }));
    }
    if (!(await replica.dataPlane.handle(req, res, pathname))) {
      res.writeHead(404);
      res.end();
    }
  });
  server.listen(Number(process.env.PORT), '127.0.0.1');
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void replica.close().then(() => process.exit(0));
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
