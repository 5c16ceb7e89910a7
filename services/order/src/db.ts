import type { Migrations } from '@stratus/boot';
import type { Clock } from '@stratus/core';

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

/** The order-service database (plus the messaging inbox and outbox tables boot makes). */
export interface OrderDatabase {
  orders: OrdersTable;
}

/**
 * Typed migrations beside the SQL ones: the schema is `db/migration/V1__init.sql` (applied by
 * `app.database()` at start-up, recorded in `flyway_schema_history`); the outbox and inbox
 * tables are made by boot. None so far.
 */
export const ORDER_MIGRATIONS: Migrations = {};

/**
 * ISO-8601 creation times that strictly increase within this process, so that "newest first"
 * is the order the orders were placed in even within one millisecond, on every database (no
 * `rowid` outside SQLite).
 */
export function createdAtClock(clock: Clock): () => string {
  let last = 0;
  return () => {
    last = Math.max(clock.now(), last + 1);
    return new Date(last).toISOString();
  };
}
