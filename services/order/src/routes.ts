import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Kysely, Selectable } from 'kysely';
import type { BearerGuard } from '@stratus/boot';
import type { Clock } from '@stratus/core';
import type { Outbox } from '@stratus/messaging';
import { createdAtClock, type OrderDatabase, type OrderStatus, type OrdersTable } from './db.js';
import { OrderErrors } from './errors.js';
import { orderCreatedMessage, type OrderCreated, type ShopEvents } from './shop-contract.js';

/** An order as the API shows it. */
export interface OrderResponse {
  orderId: string;
  productId: string;
  qty: number;
  unitPrice: number;
  totalPrice: number;
  /** ISO-8601. */
  createdAt: string;
  status: OrderStatus;
}

/** What the routes need. */
export interface OrderRoutesOptions {
  db: Kysely<OrderDatabase>;
  outbox: Outbox;
  events: ShopEvents;
  /** Lets only requests with a valid bearer token through (`app.requireBearer()`). */
  auth: BearerGuard;
  clock: Clock;
}

interface CreateOrderBody {
  productId: string;
  qty: number;
  unitPrice: number;
}

const userIdParam = {
  type: 'object',
  required: ['userId'],
  properties: { userId: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

const createOrderSchema = {
  params: userIdParam,
  body: {
    type: 'object',
    required: ['productId', 'qty', 'unitPrice'],
    additionalProperties: false,
    properties: {
      productId: { type: 'string', pattern: '^[A-Z0-9-]{1,64}$' },
      qty: { type: 'integer', minimum: 1, maximum: 10_000 },
      unitPrice: { type: 'integer', minimum: 1, maximum: 1_000_000_000 },
    },
  },
} as const;

const orderIdParams = {
  params: {
    type: 'object',
    required: ['orderId'],
    properties: { orderId: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;

function toResponse(row: Selectable<OrdersTable>): OrderResponse {
  return {
    orderId: row.order_id,
    productId: row.product_id,
    qty: row.qty,
    unitPrice: row.unit_price,
    totalPrice: row.total_price,
    createdAt: row.created_at,
    status: row.status,
  };
}

/**
 * `POST /:userId/orders`, `GET /:userId/orders` and `GET /orders/:orderId`, all behind a bearer
 * token whose subject is the user.
 */
export const orderRoutes: FastifyPluginAsync<OrderRoutesOptions> = async (server, options) => {
  const { db, outbox, events, clock } = options;
  const log = server.log.child({ component: 'orders' });
  const createdAt = createdAtClock(clock);
  server.addHook('preHandler', options.auth);

  server.post<{ Params: { userId: string }; Body: CreateOrderBody }>(
    '/:userId/orders',
    { schema: createOrderSchema },
    async (request, reply) => {
      const { userId } = request.params;
      assertOwner(request, userId);
      const { productId, qty, unitPrice } = request.body;
      const now = createdAt();
      const row: OrdersTable = {
        order_id: randomUUID(),
        user_id: userId,
        product_id: productId,
        qty,
        unit_price: unitPrice,
        total_price: qty * unitPrice,
        status: 'PENDING',
        created_at: now,
        updated_at: now,
      };
      const event: OrderCreated = {
        orderId: row.order_id,
        userId,
        productId,
        qty,
        unitPrice,
        totalPrice: row.total_price,
      };
      // The order and its event commit together (transactional outbox).
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('orders').values(row).execute();
        await outbox.add(trx, orderCreatedMessage(event, events));
      });
      // The order is stored: publishing now only saves the relay a turn. If the broker or the
      // database fails here, the relay publishes later, and the answer stays 201 — a 503 would
      // make the client place the order again.
      await outbox.flush().catch((error: unknown) => {
        log.warn({ err: error, orderId: row.order_id }, 'order event left to the outbox relay');
      });
      log.info({ orderId: row.order_id, userId, productId, qty }, 'order created');
      return reply.code(201).send(toResponse(row));
    },
  );

  server.get<{ Params: { userId: string } }>(
    '/:userId/orders',
    { schema: { params: userIdParam } },
    async (request) => {
      const { userId } = request.params;
      assertOwner(request, userId);
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy('order_id', 'desc')
        .execute();
      return rows.map(toResponse);
    },
  );

  server.get<{ Params: { orderId: string } }>(
    '/orders/:orderId',
    { schema: orderIdParams },
    async (request) => {
      const row = await db
        .selectFrom('orders')
        .selectAll()
        .where('order_id', '=', request.params.orderId)
        .executeTakeFirst();
      // Another user's order answers like a missing one, so ids cannot be probed.
      if (!row || row.user_id !== request.principal?.subject)
        throw OrderErrors.ORDER_NOT_FOUND({ message: 'No such order' });
      return toResponse(row);
    },
  );
};

/** @throws StratusError `SHOP_ERR_FORBIDDEN` (403) unless the token's subject is `userId`. */
function assertOwner(request: FastifyRequest, userId: string): void {
  if (request.principal?.subject !== userId)
    throw OrderErrors.FORBIDDEN({
      message: "The token does not grant access to this user's orders",
    });
}
