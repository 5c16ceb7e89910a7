import { sql, type Kysely, type Migration } from 'kysely';
import { ensureInboxSchema, ensureOutboxSchema } from '@stratus/messaging';

/** `catalog`: one row per product. */
export interface CatalogTable {
  product_id: string;
  product_name: string;
  /** Never negative (CHECK constraint). */
  stock: number;
  /** Integer minor units. */
  unit_price: number;
  /** ISO-8601. */
  created_at: string;
}

/** `stock_reservations`: the outcome decided for each order, once. */
export interface StockReservationsTable {
  order_id: string;
  product_id: string;
  qty: number;
  /** `RESERVED` or `REJECTED`. */
  outcome: string;
  /** Why a reservation was rejected (`OUT_OF_STOCK`, `UNKNOWN_PRODUCT`), else null. */
  reason: string | null;
  /** ISO-8601. */
  created_at: string;
}

/** The catalog-service database (plus the messaging inbox and outbox tables). */
export interface CatalogDatabase {
  catalog: CatalogTable;
  stock_reservations: StockReservationsTable;
}

/** The products a fresh database starts with (the seed's catalog). */
export const SEED_PRODUCTS: ReadonlyArray<Omit<CatalogTable, 'created_at'>> = [
  { product_id: 'CATALOG-001', product_name: 'Berlin', stock: 100, unit_price: 1500 },
  { product_id: 'CATALOG-002', product_name: 'Tokyo', stock: 110, unit_price: 1000 },
  { product_id: 'CATALOG-003', product_name: 'Stockholm', stock: 120, unit_price: 2000 },
];

/** Schema migrations, applied in name order by `openDatabase`. */
export const CATALOG_MIGRATIONS: Record<string, Migration> = {
  '0001_catalog': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('catalog')
        .addColumn('product_id', 'text', (c) => c.primaryKey())
        .addColumn('product_name', 'text', (c) => c.notNull())
        .addColumn('stock', 'integer', (c) => c.notNull().check(sql`stock >= 0`))
        .addColumn('unit_price', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
      const createdAt = new Date().toISOString();
      await db
        .insertInto('catalog')
        .values(SEED_PRODUCTS.map((p) => ({ ...p, created_at: createdAt })))
        .execute();
    },
  },
  '0002_stock_reservations': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('stock_reservations')
        .addColumn('order_id', 'text', (c) => c.primaryKey())
        .addColumn('product_id', 'text', (c) => c.notNull())
        .addColumn('qty', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('created_at', 'text', (c) => c.notNull())
        .execute();
    },
  },
  '0003_messaging': {
    async up(db: Kysely<any>) {
      await ensureInboxSchema(db);
      await ensureOutboxSchema(db);
    },
  },
};
