import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type Selectable } from 'kysely';
import type { Application } from '@stratus/boot';
import type { Outbox } from '@stratus/messaging';
import { authenticate, authorizeUser } from './auth.js';
import type { OrderDatabase, OrderStatus, OrdersTable } from './db.js';
import { orderError } from './errors.js';
import { ORDER_CREATED_TOPIC } from './order-events.js';
import { tokenSecret } from './settings.js';

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

/** The payload of `order.created`. */
export interface OrderCreatedPayload {
  orderId: string;
  userId: string;
  productId: string;
  qty: number;
  unitPrice: number;
  totalPrice: number;
}

/** What the routes need. */
export interface OrderRoutesContext {
  app: Application;
  db: Kysely<OrderDatabase>;
  outbox: Outbox;
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
 * Registers `POST /:userId/orders`, `GET /:userId/orders` and
 * `GET /orders/:orderId` on `app.server`.
 */
export function registerOrderRoutes({ app, db, outbox }: OrderRoutesContext): void {
  const { server, config } = app;
  const log = app.logger.child({ component: 'orders' });

  server.post<{ Params: { userId: string }; Body: CreateOrderBody }>(
    '/:userId/orders',
    { schema: createOrderSchema },
    async (request, reply) => {
      const { userId } = request.params;
      await authorizeUser(request, reply, tokenSecret(config), userId);
      const { productId, qty, unitPrice } = request.body;
      const now = new Date().toISOString();
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
      const event: OrderCreatedPayload = {
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
        await outbox.add(trx, {
          topic: ORDER_CREATED_TOPIC,
          key: row.order_id,
          id: `order-created-${row.order_id}`,
          headers: { type: ORDER_CREATED_TOPIC },
          payload: JSON.stringify(event),
        });
      });
      await outbox.flush();
      log.info({ orderId: row.order_id, userId, productId, qty }, 'order created');
      return reply.code(201).send(toResponse(row));
    },
  );

  server.get<{ Params: { userId: string } }>(
    '/:userId/orders',
    { schema: { params: userIdParam } },
    async (request, reply) => {
      const { userId } = request.params;
      await authorizeUser(request, reply, tokenSecret(config), userId);
      const rows = await db
        .selectFrom('orders')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('created_at', 'desc')
        .orderBy(sql`rowid`, 'desc')
        .execute();
      return rows.map(toResponse);
    },
  );

  server.get<{ Params: { orderId: string } }>(
    '/orders/:orderId',
    { schema: orderIdParams },
    async (request, reply) => {
      const subject = await authenticate(request, reply, tokenSecret(config));
      const row = await db
        .selectFrom('orders')
        .selectAll()
        .where('order_id', '=', request.params.orderId)
        .executeTakeFirst();
      // Another user's order answers like a missing one, so ids cannot be probed.
      if (!row || row.user_id !== subject)
        throw orderError('SHOP_ERR_ORDER_NOT_FOUND', { message: 'No such order' });
      return toResponse(row);
    },
  );
}
