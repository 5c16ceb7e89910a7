-- order-service: one row per order (the course's OrderEntity). Written once for SQLite,
-- PostgreSQL and MariaDB/MySQL: portable types only, keys as VARCHAR (MariaDB cannot index TEXT).
-- Money is in integer minor units; total_price is BIGINT (qty × unit_price may pass 2^31).
-- Times are ISO-8601 text, as the API shows them.
CREATE TABLE orders (
  order_id    VARCHAR(64) NOT NULL PRIMARY KEY,
  user_id     VARCHAR(64) NOT NULL,
  product_id  VARCHAR(64) NOT NULL,
  qty         INTEGER     NOT NULL,
  unit_price  INTEGER     NOT NULL,
  total_price BIGINT      NOT NULL,
  status      VARCHAR(16) NOT NULL,
  created_at  VARCHAR(32) NOT NULL,
  updated_at  VARCHAR(32) NOT NULL
);

CREATE INDEX orders_user_created ON orders (user_id, created_at);
