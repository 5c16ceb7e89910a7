import type { Kysely, Migration } from 'kysely';
import { ensureInboxSchema, ensureOutboxSchema } from '@stratus/messaging';

/** Where an order is in the saga. */
export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'REJECTED';

/** `orders`: one row per order. */
export interface OrdersTable {
  order_id: string;
  user_id: string;
  product_id: string;
  qty: number;
  /** Integer minor units. */
  unit_price: number;
  total_price: number;
  status: OrderStatus;
  /** ISO-8601. */
  created_at: string;
  /** ISO-8601. */
  updated_at: string;
}

/** The order-service database (plus the messaging inbox and outbox tables). */
export interface OrderDatabase {
  orders: OrdersTable;
}

/** Schema migrations, applied in name order by `openDatabase`. */
export const ORDER_MIGRATIONS: Record<string, Migration> = {
  '0001_orders': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('orders')
        .addColumn('order_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('product_id', 'text', (c) => c.notNull())
        .addColumn('qty', 'integer', (c) => c.notNull())
        .addColumn('unit_price', 'integer', (c) => c.notNull())
        .addColumn('total_price', 'integer', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('orders_user_created')
        .on('orders')
        .columns(['user_id', 'created_at'])
        .execute();
    },
  },
  '0002_messaging': {
    async up(db: Kysely<any>) {
      await ensureInboxSchema(db);
      await ensureOutboxSchema(db);
    },
  },
};
