import type { Migrations } from '@stratus/boot';

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

/** The catalog-service database (plus the messaging inbox and outbox tables boot makes). */
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

/**
 * Typed migrations beside the SQL ones (`db/migration/V1__init.sql` makes the tables; boot makes
 * the outbox and inbox): `V2__seed_products` fills a new catalogue with {@link SEED_PRODUCTS},
 * through kysely so the same code runs on SQLite, PostgreSQL and MariaDB.
 */
export const CATALOG_MIGRATIONS: Migrations = {
  V2__seed_products: {
    async up(db) {
      const createdAt = new Date().toISOString();
      await db
        .insertInto('catalog')
        .values(SEED_PRODUCTS.map((p) => ({ ...p, created_at: createdAt })))
        .execute();
    },
  },
};
