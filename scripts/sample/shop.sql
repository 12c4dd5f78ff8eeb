-- my2pg sample dataset: a small web shop. Loads into the selected database on MariaDB 10.11+
-- and MySQL 8.x (mariadb shop < scripts/sample/shop.sql) and can be re-loaded (drops its tables).
-- Deterministic: rows come from recursive CTEs (<= 1000 levels, MySQL's cte_max_recursion_depth)
-- with fixed timestamps, plus hand-written edge-case rows.
SET NAMES utf8mb4;
SET time_zone = '+00:00';  -- TIMESTAMP literals below are UTC

DROP TABLE IF EXISTS page_views, reviews, order_items, orders, products, categories, customers;

-- customers: INT UNSIGNED AUTO_INCREMENT key, UNIQUE email, CHAR, VARCHAR ('' vs NULL),
-- DATE, TIME (negative), TINYINT(1), ENUM, SET (incl. empty set), signed BIGINT,
-- JSON, TEXT, DATETIME(6), TIMESTAMP DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP.
CREATE TABLE customers (
  id               INT UNSIGNED NOT NULL AUTO_INCREMENT,
  email            VARCHAR(255) NOT NULL,
  full_name        VARCHAR(100) NOT NULL,
  country_code     CHAR(2) NULL,
  phone            VARCHAR(32) NULL,              -- NULL = unknown, '' = declined to give
  birth_date       DATE NULL,
  utc_offset       TIME NULL,                     -- negative west of Greenwich
  is_active        TINYINT(1) NOT NULL DEFAULT 1,
  tier             ENUM('bronze','silver','gold','platinum') NOT NULL DEFAULT 'bronze',
  marketing_opt_in SET('email','sms','push','post') NOT NULL DEFAULT '',
  wallet_micros    BIGINT NOT NULL DEFAULT 0,     -- store credit in 1e-6 EUR, may be negative
  preferences      JSON NULL,
  notes            TEXT NULL,
  created_at       DATETIME(6) NOT NULL,
  updated_at       TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
  PRIMARY KEY (id), UNIQUE KEY uq_customers_email (email), KEY idx_customers_country (country_code)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- categories: SMALLINT UNSIGNED key, self-referencing FK (ON DELETE SET NULL), signed TINYINT.
CREATE TABLE categories (
  id         SMALLINT UNSIGNED NOT NULL AUTO_INCREMENT,
  parent_id  SMALLINT UNSIGNED NULL,
  slug       VARCHAR(64) NOT NULL,
  name       VARCHAR(100) NOT NULL,
  sort_order TINYINT NOT NULL DEFAULT 0,
  is_visible TINYINT(1) NOT NULL DEFAULT 1,
  PRIMARY KEY (id), UNIQUE KEY uq_categories_slug (slug),
  CONSTRAINT fk_categories_parent FOREIGN KEY (parent_id) REFERENCES categories (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- products: DECIMAL(12,2) money, FLOAT, DOUBLE, signed MEDIUMINT, YEAR, BIT(8),
-- MEDIUMTEXT, JSON, BLOB with trailing zero bytes, FK ON DELETE SET NULL ON UPDATE CASCADE.
CREATE TABLE products (
  id           INT UNSIGNED NOT NULL AUTO_INCREMENT,
  category_id  SMALLINT UNSIGNED NULL,
  sku          CHAR(10) NOT NULL,
  name         VARCHAR(200) NOT NULL,
  description  MEDIUMTEXT NULL,
  price        DECIMAL(12,2) NOT NULL,
  weight_kg    FLOAT NULL,
  popularity   DOUBLE NULL,
  stock        MEDIUMINT NOT NULL DEFAULT 0,      -- negative = backordered
  model_year   YEAR NULL,
  released_on  DATE NULL,
  is_published TINYINT(1) NOT NULL DEFAULT 1,
  feature_bits BIT(8) NOT NULL DEFAULT b'00000000',
  attributes   JSON NULL,
  thumbnail    BLOB NULL,
  PRIMARY KEY (id), UNIQUE KEY uq_products_sku (sku), KEY idx_products_category (category_id),
  CONSTRAINT fk_products_category FOREIGN KEY (category_id) REFERENCES categories (id)
    ON DELETE SET NULL ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- orders: BIGINT UNSIGNED AUTO_INCREMENT key, BINARY(16) public id, ENUM and CHAR with
-- DEFAULT literals, DECIMAL(30,10), signed INT, DATETIME(6), TIME(1) beyond 24h, JSON,
-- FK ON DELETE RESTRICT.
CREATE TABLE orders (
  id               BIGINT UNSIGNED NOT NULL AUTO_INCREMENT,
  public_id        BINARY(16) NOT NULL,
  customer_id      INT UNSIGNED NOT NULL,
  status           ENUM('pending','paid','shipped','delivered','cancelled','refunded')
                     NOT NULL DEFAULT 'pending',
  currency         CHAR(3) NOT NULL DEFAULT 'EUR',
  fx_rate          DECIMAL(30,10) NOT NULL DEFAULT 1,  -- EUR per unit of currency
  total            DECIMAL(12,2) NOT NULL DEFAULT 0.00,
  loyalty_points   INT NOT NULL DEFAULT 0,             -- negative when refunded
  placed_at        DATETIME(6) NOT NULL,
  shipped_on       DATE NULL,
  fulfillment_time TIME(1) NULL,                       -- placed -> handed to carrier
  shipping_address JSON NULL,
  note             VARCHAR(500) NOT NULL DEFAULT '',
  PRIMARY KEY (id), UNIQUE KEY uq_orders_public_id (public_id),
  KEY idx_orders_customer (customer_id, placed_at),
  CONSTRAINT fk_orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id)
    ON DELETE RESTRICT ON UPDATE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- order_items: composite PRIMARY KEY, TINYINT/SMALLINT UNSIGNED, FK ON DELETE CASCADE
-- to orders and ON DELETE RESTRICT to products.
CREATE TABLE order_items (
  order_id     BIGINT UNSIGNED NOT NULL,
  line_no      TINYINT UNSIGNED NOT NULL,
  product_id   INT UNSIGNED NOT NULL,
  quantity     SMALLINT UNSIGNED NOT NULL DEFAULT 1,
  unit_price   DECIMAL(12,2) NOT NULL,
  discount_pct TINYINT UNSIGNED NOT NULL DEFAULT 0,
  PRIMARY KEY (order_id, line_no), KEY idx_order_items_product (product_id),
  CONSTRAINT fk_order_items_order FOREIGN KEY (order_id) REFERENCES orders (id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT fk_order_items_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- reviews: multilingual TEXT with emoji, signed SMALLINT, TIMESTAMP, nullable FK
-- ON DELETE SET NULL (customer) and ON DELETE CASCADE (product).
CREATE TABLE reviews (
  id                INT UNSIGNED NOT NULL AUTO_INCREMENT,
  product_id        INT UNSIGNED NOT NULL,
  customer_id       INT UNSIGNED NULL,               -- NULL = anonymous / deleted account
  rating            TINYINT UNSIGNED NOT NULL,
  title             VARCHAR(120) NOT NULL,
  body              TEXT NULL,
  helpful_score     SMALLINT NOT NULL DEFAULT 0,     -- upvotes minus downvotes
  verified_purchase TINYINT(1) NOT NULL DEFAULT 0,
  created_at        TIMESTAMP NOT NULL,
  PRIMARY KEY (id), KEY idx_reviews_product (product_id, rating),
  CONSTRAINT fk_reviews_product FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE CASCADE,
  CONSTRAINT fk_reviews_customer FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE SET NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

-- page_views: append-only click log with NO primary key and NO unique key (it even holds
-- exact duplicate rows). TIMESTAMP(3), BINARY(16)/VARBINARY(16) with trailing zero bytes,
-- BIGINT UNSIGNED values above 2^63, MEDIUMINT UNSIGNED. Only non-unique indexes, no FKs.
CREATE TABLE page_views (
  viewed_at   TIMESTAMP(3) NOT NULL,
  session_id  BINARY(16) NOT NULL,
  customer_id INT UNSIGNED NULL,
  product_id  INT UNSIGNED NULL,
  path        VARCHAR(255) NOT NULL,
  referrer    VARCHAR(512) NULL,
  ip_addr     VARBINARY(16) NULL,                 -- 4 bytes IPv4 or 16 bytes IPv6
  trace_id    BIGINT UNSIGNED NOT NULL,           -- 64-bit tracing id, full unsigned range
  duration_ms MEDIUMINT UNSIGNED NULL,
  http_status SMALLINT UNSIGNED NOT NULL,
  KEY idx_page_views_viewed_at (viewed_at), KEY idx_page_views_customer (customer_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;

INSERT INTO categories (id, parent_id, slug, name, sort_order, is_visible) VALUES
  (1, NULL, 'home-kitchen', 'Küche & Haushalt', 10, 1), (2, NULL, 'electronics', 'Electronics 🎧', 20, 1),
  (3, NULL, 'stationery', '文房具 Stationery', 30, 1), (4, NULL, 'sports', 'Sport & Freizeit', 40, 1),
  (5, 1, 'coffee-tea', 'Coffee & Tea ☕', 1, 1), (6, 1, 'cookware', 'Cookware', 2, 1),
  (7, 2, 'audio', 'Audio', 1, 1), (8, 2, 'cables', 'Cables & Adapters', -1, 1),
  (9, 3, 'notebooks', 'Notebooks 📓', 1, 1), (10, 4, 'cycling', 'Cycling 🚲', 1, 1),
  (11, 4, 'outlet', 'Outlet — last chance', 127, 0), (12, NULL, 'archive', 'Archive (hidden)', -128, 0);

-- 200 generated customers
INSERT INTO customers (id, email, full_name, country_code, phone, birth_date, utc_offset, is_active,
  tier, marketing_opt_in, wallet_micros, preferences, notes, created_at, updated_at)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 200)
SELECT n, CONCAT('user', LPAD(n, 4, '0'), '@example.', ELT(1 + n % 3, 'com', 'org', 'net')),
  CONCAT(ELT(1 + n % 10, 'Anna', 'José', 'Zoë', 'Søren', 'Mei', 'Aiko', 'Liam', 'Noah', 'Émilie', 'Łukasz'),
         ' ', ELT(1 + (n DIV 10) % 10, 'Müller', 'García', 'Nguyễn', 'Smith', 'Østergaard', 'O''Brien',
                  'Kowalski', '田中', 'Rossi', 'Dubois')),
  ELT(1 + n % 8, 'DE', 'ES', 'FR', 'US', 'JP', 'DK', 'PL', 'IT'),
  CASE WHEN n % 7 = 0 THEN NULL WHEN n % 11 = 0 THEN ''
       ELSE CONCAT('+49 30 ', LPAD((n * 7919) % 10000000, 7, '0')) END,
  IF(n % 5 = 0, NULL, DATE '1950-01-01' + INTERVAL ((n * 97) % 18000) DAY),
  ELT(1 + n % 6, '00:00:00', '01:00:00', '-05:00:00', '09:00:00', '-03:30:00', '05:45:00'),
  n % 9 <> 0, CASE WHEN n % 17 = 0 THEN 'platinum' WHEN n % 5 = 0 THEN 'gold' WHEN n % 3 = 0 THEN 'silver'
                   ELSE 'bronze' END,
  MAKE_SET(n % 16, 'email', 'sms', 'push', 'post'), (n - 100) * 1234567891,  -- n % 16 = 0: empty set
  IF(n % 4 = 0, NULL,
     CONCAT('{"lang": "', ELT(1 + n % 4, 'en', 'de', 'ja', 'fr'), '", "newsletter": ',
            IF(n % 2 = 0, 'true', 'false'), ', "sizes": [', 36 + n % 5, ', ', 37 + n % 5,
            '], "greeting": "', ELT(1 + n % 3, 'Hi', 'Grüß Gott 👋', 'こんにちは'), '"}')),
  CASE WHEN n % 25 = 0 THEN 'VIP — call before delivery 📞' WHEN n % 13 = 0 THEN '' END,
  TIMESTAMP '2021-01-01 08:00:00' + INTERVAL n * 86399 SECOND
    + INTERVAL ((n * 104729) % 1000000) MICROSECOND,
  TIMESTAMP '2024-06-01 00:00:00' + INTERVAL n * 3607 SECOND
FROM seq;

-- edge-case customers: range limits, unicode, escapes; 202 leaves defaulted columns out
INSERT INTO customers (id, email, full_name, country_code, phone, birth_date, utc_offset, is_active,
  tier, marketing_opt_in, wallet_micros, preferences, notes, created_at, updated_at) VALUES
  (201, 'zoë.ångström@exämple.de', 'Zoë Ångström-Łukasiewicz 🦊', 'SE', '', '1000-01-01', '-12:30:00', 1,
   'platinum', 'email,sms,push,post', -9223372036854775808,
   '{"lang": "sv", "nested": {"a": [1, 2.5, null, true, {"b": "ü😀"}]}, "quote": "say \\"hej\\"", "empty": {}}',
   'Multi-line note:\nline 2 with tab\tand emoji 🎉 and math 𝔸𝔹ℂ', '1000-01-01 00:00:00.000000',
   '1970-01-01 00:00:01'),
  (203, 'bruce@example.hk', '李小龍 (Bruce Lee)', 'HK', '+852 0000 0000', '9999-12-31', '838:59:59', 0,
   'gold', 'post', 9223372036854775807, '[]', '', '9999-12-31 23:59:59.999999', '2038-01-19 03:14:07');
INSERT INTO customers (id, email, full_name, created_at, updated_at)
VALUES (202, 'null.fields@example.com', '', '2024-02-29 12:00:00.000001', '2024-02-29 12:00:00');

-- 120 generated products
INSERT INTO products (id, category_id, sku, name, description, price, weight_kg, popularity, stock,
  model_year, released_on, is_published, feature_bits, attributes, thumbnail)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 120)
SELECT n, 5 + n % 7, CONCAT('SKU-', LPAD(n, 6, '0')),
  CONCAT(ELT(1 + n % 8, 'Espresso Cup ☕', 'Headphones 🎧', 'City Bike 🚲', 'Crème Brûlée Torch',
             '東京 Tote Bag', 'Notebook 📓', 'Socks (3-pack)', 'Smørrebrød Board'), ' No. ', n),
  CASE WHEN n % 10 = 0 THEN NULL WHEN n % 10 = 5 THEN ''
       ELSE CONCAT('Item ', n, ' of our seasonal range.\nCare: hand wash only. Maße: ',
                   5 + n % 30, ' × ', 3 + n % 20, ' cm') END,
  ROUND(4.99 + (n * 37) % 500 + (n % 100) / 100, 2), IF(n % 11 = 0, NULL, (n % 40) * 0.125 + 0.1),
  SQRT(n) * PI(), (n * 53) % 400 - 50, 2015 + n % 10, DATE '2015-03-01' + INTERVAL n * 29 DAY,
  n % 15 <> 0, (n * 37) % 256,
  CONCAT('{"color": "', ELT(1 + n % 5, 'red', 'blue', 'schwarz', '白', 'vert olive'),
         '", "dims_cm": {"w": ', 5 + n % 30, ', "h": ', 3 + n % 20, '}, "tags": [',
         IF(n % 4 = 0, '', CONCAT('"new", "', ELT(1 + n % 3, 'eco', 'bestseller', 'limité'), '"')),
         '], "rating": ', IF(n % 6 = 0, 'null', ROUND(1 + (n % 40) / 10, 1)), '}'),
  IF(n % 3 = 0, NULL, UNHEX(CONCAT('89504E470D0A1A0A', MD5(n), '000000')))  -- PNG magic + zeros
FROM seq;

-- edge-case products: price bounds, empty BLOB vs NULL, BIT/YEAR/MEDIUMINT/DOUBLE extremes
INSERT INTO products (id, category_id, sku, name, description, price, weight_kg, popularity, stock,
  model_year, released_on, is_published, feature_bits, attributes, thumbnail) VALUES
  (121, NULL, 'FREE-00001', 'Free sample 🎁', '', 0.00, 0, 2.2250738585072014e-308, -8388608, 1901,
   '1000-01-01', 1, b'00000000', '{}', X''),
  (122, 11, 'LUX-000001', 'Golden Bicycle 🚲✨', 'Unique piece.', 9999999999.99, 12.5,
   1.7976931348623157e308, 8388607, 2155, '9999-12-31', 0, b'11111111',
   '{"materials": ["gold", "titanium"], "certificate": {"id": "ZÜ-42", "verified": true}}', X'00000000'),
  (123, 8, 'CBL-000001', 'USB-C cable, 2 m', NULL, 9.90, NULL, NULL, 0, NULL, NULL, 1, b'00000101',
   NULL, NULL);

-- 500 generated orders (totals are filled in after the order items)
INSERT INTO orders (id, public_id, customer_id, status, currency, fx_rate, loyalty_points, placed_at,
  shipped_on, fulfillment_time, shipping_address, note)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 500),
o AS (
  SELECT n,
    CASE WHEN n % 29 = 0 THEN 'refunded' WHEN n % 13 = 0 THEN 'cancelled' WHEN n > 470 THEN 'pending'
         WHEN n > 440 THEN 'paid' WHEN n % 3 = 0 THEN 'shipped' ELSE 'delivered' END AS st,
    ELT(1 + n % 10, 'EUR', 'EUR', 'EUR', 'EUR', 'USD', 'GBP', 'EUR', 'JPY', 'EUR', 'CHF') AS cur,
    TIMESTAMP '2023-01-01 00:00:00' + INTERVAL n * 52711 SECOND
      + INTERVAL ((n * 7919) % 1000000) MICROSECOND AS placed
  FROM seq)
SELECT n, UNHEX(MD5(CONCAT('order-', n))), 1 + (n * 37) % 200, st, cur,
  CASE cur WHEN 'USD' THEN ROUND(0.91 + n * 0.0000123456789, 10)
           WHEN 'GBP' THEN ROUND(1.15 + n * 0.0000098765432, 10)
           WHEN 'JPY' THEN ROUND(0.0061 + n * 0.0000000012345, 10)
           WHEN 'CHF' THEN ROUND(1.04 + n * 0.0000055555555, 10) ELSE 1 END,
  IF(st = 'refunded', -((n * 7) % 500), (n * 7) % 500), placed,
  IF(st IN ('shipped', 'delivered'), DATE(placed) + INTERVAL (1 + n % 4) DAY, NULL),
  IF(st IN ('shipped', 'delivered'),  -- often more than 24 hours
     CONCAT(2 + (n * 7) % 120, ':', LPAD(n % 60, 2, '0'), ':', LPAD((n * 7) % 60, 2, '0'), '.', n % 10),
     NULL),
  IF(n % 17 = 0, NULL,
     CONCAT('{"street": "', ELT(1 + n % 6, 'Hauptstraße 1', 'Calle Mayor 5', '渋谷1-2-3', 'Rua Augusta 100',
                                'ul. Floriańska 7', 'Bahnhofstrasse 12'),
            '", "city": "', ELT(1 + n % 6, 'Berlin', 'Madrid', '東京', 'São Paulo', 'Kraków', 'Zürich'),
            '", "zip": "', LPAD((n * 37) % 100000, 5, '0'), '", "lines": ["c/o Reception", "Floor ', n % 9,
            '"], "geo": {"lat": ', ROUND(40 + (n % 100) / 10, 4),
            ', "lon": ', ROUND(-5 + (n % 300) / 10, 4), '}}')),
  CASE WHEN n % 19 = 0 THEN 'Bitte beim Nachbarn abgeben 🙏' WHEN n % 23 = 0 THEN 'Gift wrap, please 🎁'
       ELSE '' END
FROM o;

-- edge-case orders: TIME(1) beyond 24h and at its maximum, DECIMAL(30,10) extremes, BINARY(16)
-- with trailing zero bytes; 503 has no items and relies on the status/currency/note DEFAULTs
INSERT INTO orders (id, public_id, customer_id, status, currency, fx_rate, loyalty_points, placed_at,
  shipped_on, fulfillment_time, shipping_address, note) VALUES
  (501, X'0123456789ABCDEF0000000000000000', 201, 'delivered', 'XAU', 12345678901234567890.0123456789,
   2147483647, '2024-02-29 23:59:59.999999', '2024-03-04', '100:15:30.5',
   '{"city": "Z\\u00fcrich", "emoji": "🏔️", "lines": []}', 'Leap-day order'),
  (502, X'FFFFFFFFFFFFFFFFFFFFFFFFFFFF0000', 203, 'refunded', 'VND', 0.0000000001, -2147483648,
   '1000-01-01 00:00:00.000000', '1000-01-10', '838:59:59.0', NULL, '');
INSERT INTO orders (id, public_id, customer_id, placed_at)
VALUES (503, X'00000000000000000000000000000000', 202, '2024-12-31 23:59:59.000000');

-- 1250 generated order lines (1-4 per order, price copied from the product), then edge lines
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount_pct)
SELECT o.id, l.line_no, p.id, 1 + (o.id + l.line_no) % 5, p.price,
  CASE WHEN o.id % 10 = 0 THEN 15 WHEN o.id % 7 = 0 THEN 5 ELSE 0 END
FROM orders o
JOIN (SELECT 1 AS line_no UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) l
  ON l.line_no <= 1 + o.id % 4
JOIN products p ON p.id = 1 + (o.id * 13 + l.line_no * 29) % 120
WHERE o.id <= 500;
INSERT INTO order_items (order_id, line_no, product_id, quantity, unit_price, discount_pct) VALUES
  (501, 1, 121, 65535, 0.00, 100), (501, 2, 123, 3, 9.90, 0), (501, 255, 1, 1, 19.99, 0),
  (502, 1, 122, 1, 9999999999.99, 0);

UPDATE orders o SET total = (
  SELECT COALESCE(ROUND(SUM(i.quantity * i.unit_price * (100 - i.discount_pct) / 100), 2), 0)
  FROM order_items i WHERE i.order_id = o.id);

-- 300 generated reviews, then edge rows (301's body mixes decomposed "e\u0301" and precomposed é)
INSERT INTO reviews (id, product_id, customer_id, rating, title, body, helpful_score, verified_purchase,
  created_at)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 300)
SELECT n, 1 + (n * 7) % 120, IF(n % 13 = 0, NULL, 1 + (n * 11) % 200), 1 + (n * 7) % 5,
  ELT(1 + (n * 7) % 5, 'Terrible 😡', 'Meh', 'OK I guess', 'Sehr gut!', 'Excellent ⭐⭐⭐⭐⭐'),
  ELT(1 + n % 9, 'Arrived quickly, works as described.', 'Qualité médiocre, déçu.',
      'とても良い商品です。また買います。', '배송이 빨랐어요 👍', 'Line one\nLine two\n',
      'Says "great" on the box but isn''t.', '', NULL, 'Ñandú approved 🦤 — 10/10, ¡genial!'),
  (n * 17) % 61 - 20, n % 3 <> 0, TIMESTAMP '2023-02-01 12:00:00' + INTERVAL n * 86311 SECOND
FROM seq;
INSERT INTO reviews (id, product_id, customer_id, rating, title, body, helpful_score, verified_purchase,
  created_at) VALUES
  (301, 122, NULL, 5, 'Anonymous 🕵️', 'Café vs Café', 32767, 0, '1970-01-01 00:00:01'),
  (302, 121, 201, 1, '', REPEAT('spam 🥫 ', 500), -32768, 1, '2038-01-19 03:14:07');

-- 1000 generated page views (sessions of 7 views), then edge rows including exact duplicates
INSERT INTO page_views (viewed_at, session_id, customer_id, product_id, path, referrer, ip_addr,
  trace_id, duration_ms, http_status)
WITH RECURSIVE seq (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000)
SELECT TIMESTAMP '2024-03-01 00:00:00' + INTERVAL n * 2711 SECOND
         + INTERVAL ((n * 137) % 1000) * 1000 MICROSECOND,
  UNHEX(CONCAT(LEFT(MD5(n DIV 7), 24), '00000000')),
  IF((n DIV 7) % 3 = 0, NULL, 1 + (n DIV 7) % 200), IF(n % 4 = 0, NULL, 1 + (n * 31) % 120),
  CASE WHEN n % 4 = 0 THEN ELT(1 + n % 3, '/cart', '/search?q=caf%C3%A9', '/kategorie/küche')
       ELSE CONCAT('/products/', 1 + (n * 31) % 120) END,
  CASE WHEN n % 7 = 0 THEN 'https://www.google.com/' WHEN n % 5 = 0 THEN '' END,
  CASE WHEN n % 10 = 0 THEN NULL
       WHEN n % 4 = 0 THEN UNHEX(CONCAT('20010DB8', LPAD(HEX(n), 8, '0'), '0000000000000000'))
       ELSE UNHEX(CONCAT('C0A8', LPAD(HEX(n % 256), 2, '0'), '00')) END,  -- 192.168.x.0
  CAST(CONV(LEFT(MD5(CONCAT('trace', n)), 16), 16, 10) AS UNSIGNED),  -- about half above 2^63
  IF(n % 9 = 0, NULL, (n * 7919) % 60000),
  CASE WHEN n % 53 = 0 THEN 500 WHEN n % 17 = 0 THEN 404 WHEN n % 11 = 0 THEN 301 ELSE 200 END
FROM seq;
-- X'ABCD' is zero-padded to 16 bytes; the first two rows are exact duplicates
INSERT INTO page_views (viewed_at, session_id, customer_id, product_id, path, referrer, ip_addr,
  trace_id, duration_ms, http_status) VALUES
  ('2024-05-01 10:00:00.123', X'ABCD', 201, 122, '/products/122', NULL, X'0A000000', 18446744073709551615,
   16777215, 200),
  ('2024-05-01 10:00:00.123', X'ABCD', 201, 122, '/products/122', NULL, X'0A000000', 18446744073709551615,
   16777215, 200),
  ('2024-05-01 10:00:00.123', X'ABCD', 201, 122, '/products/122', NULL, X'0A000000', 9223372036854775808,
   0, 200),
  ('1970-01-01 00:00:01.000', X'00000000000000000000000000000000', NULL, NULL, '/', '', X'', 0, NULL, 204),
  ('2038-01-19 03:14:07.999', X'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF', 202, NULL, '/ñ/日本/😀', NULL,
   X'00000000000000000000000000000000', 9223372036854775807, 1, 503);
