// The image's HEALTHCHECK: GET /actuator/health on the port this container's Stratus component
// listens on, healthy when it answers 200 with status UP. The port is SERVER_PORT when set;
// otherwise the first listening TCP socket of the container (a service started with
// server.port=0 opens a port of its own choosing). Exit 0 healthy, 1 not.
import { readFileSync } from 'node:fs';

const path = process.env.STRATUS_HEALTH_PATH || '/actuator/health';

function listeningPorts() {
  const ports = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      // st 0A is LISTEN; local_address is <hex ip>:<hex port>.
      if (fields[3] !== '0A' || !fields[1]) continue;
      const port = Number.parseInt(fields[1].split(':').pop() ?? '', 16);
      if (Number.isInteger(port) && !ports.includes(port)) ports.push(port);
    }
  }
  return ports;
}

async function healthy(port) {
  try {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      signal: AbortSignal.timeout(4000),
    });
    const body = await response.json().catch(() => ({}));
    return response.status === 200 && body.status === 'UP';
  } catch {
    return false;
  }
}

const configured = Number(process.env.SERVER_PORT);
const ports = configured > 0 ? [configured] : listeningPorts();
let ok = false;
for (const port of ports) {
  if (await healthy(port)) {
    ok = true;
    break;
  }
}
process.exit(ok ? 0 : 1);
