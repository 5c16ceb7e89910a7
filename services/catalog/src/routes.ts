import type { FastifyPluginAsync } from 'fastify';
import type { Kysely, Selectable } from 'kysely';
import type { CatalogDatabase, CatalogTable } from './db.js';
import { CatalogErrors } from './errors.js';

/** A product as the API shows it. */
export interface CatalogResponse {
  productId: string;
  productName: string;
  unitPrice: number;
  stock: number;
  /** ISO-8601. */
  createdAt: string;
}

function toResponse(row: Selectable<CatalogTable>): CatalogResponse {
  return {
    productId: row.product_id,
    productName: row.product_name,
    unitPrice: row.unit_price,
    stock: row.stock,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

const productParams = {
  params: {
    type: 'object',
    required: ['productId'],
    properties: { productId: { type: 'string', minLength: 1, maxLength: 64 } },
  },
} as const;

/** `GET /catalogs` and `GET /catalogs/:productId`: the public catalogue. */
export const catalogRoutes: FastifyPluginAsync<{ db: Kysely<CatalogDatabase> }> = async (
  server,
  { db },
) => {
  server.get('/catalogs', async () => {
    const rows = await db.selectFrom('catalog').selectAll().orderBy('product_id').execute();
    return rows.map(toResponse);
  });

  server.get<{ Params: { productId: string } }>(
    '/catalogs/:productId',
    { schema: productParams },
    async (request) => {
      const row = await db
        .selectFrom('catalog')
        .selectAll()
        .where('product_id', '=', request.params.productId)
        .executeTakeFirst();
      if (!row)
        throw CatalogErrors.PRODUCT_NOT_FOUND({
          message: 'No product with this id',
          details: { productId: request.params.productId },
        });
      return toResponse(row);
    },
  );
};
