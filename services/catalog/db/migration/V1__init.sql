-- catalog-service: the products (the course's CatalogEntity) and the stock decision taken for
-- each order, once. Written once for SQLite, PostgreSQL and MariaDB/MySQL. The CHECK keeps the
-- stock from going negative whatever a writer does (MariaDB enforces CHECK since 10.2).
CREATE TABLE catalog (
  product_id   VARCHAR(64)  NOT NULL PRIMARY KEY,
  product_name VARCHAR(255) NOT NULL,
  stock        INTEGER      NOT NULL CHECK (stock >= 0),
  unit_price   INTEGER      NOT NULL,
  created_at   VARCHAR(32)  NOT NULL
);

CREATE TABLE stock_reservations (
  order_id   VARCHAR(64) NOT NULL PRIMARY KEY,
  product_id VARCHAR(64) NOT NULL,
  qty        INTEGER     NOT NULL,
  outcome    VARCHAR(16) NOT NULL,
  reason     VARCHAR(32),
  created_at VARCHAR(32) NOT NULL
);
