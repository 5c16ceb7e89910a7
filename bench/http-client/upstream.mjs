// The benchmark's upstream, in its own process so that it does not share the client's event
// loop: GET /order-service/{userId}/orders answers a small JSON list. Prints its port.
import { createServer } from 'node:http';

const body = JSON.stringify([
  { orderId: 'o-1', productId: 'CATALOG-001', qty: 2, unitPrice: 1500, totalPrice: 3000 },
  { orderId: 'o-2', productId: 'CATALOG-002', qty: 1, unitPrice: 900, totalPrice: 900 },
]);
const server = createServer((req, res) => {
  req.resume();
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
});
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
