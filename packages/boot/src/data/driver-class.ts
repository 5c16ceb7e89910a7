import { BootErrors } from '../errors.js';
import type { DatasourceKind } from './datasource-url.js';

/** The JDBC drivers whose URLs Stratus reads, and the URL kinds each accepts. */
const DRIVERS: Readonly<Record<string, readonly DatasourceKind[]>> = {
  'org.postgresql.Driver': ['postgresql'],
  // MariaDB Connector/J accepts jdbc:mysql: URLs too; MySQL's driver only its own.
  'org.mariadb.jdbc.Driver': ['mariadb', 'mysql'],
  'com.mysql.cj.jdbc.Driver': ['mysql'],
  'com.mysql.jdbc.Driver': ['mysql'],
  'org.sqlite.JDBC': ['sqlite'],
};

/**
 * Checks `spring.datasource.driver-class-name` against the URL as DriverManager would: the
 * named driver must accept it. The Node driver is picked from the URL; the class name only
 * confirms it.
 *
 * @throws StratusError `BOOT_ERR_DATASOURCE` for H2's driver (Java only), a driver Stratus has
 *   no Node equivalent of, or a driver that does not take the URL's kind.
 */
export function checkDriverClass(driverClassName: string | undefined, kind: DatasourceKind): void {
  if (driverClassName === undefined || driverClassName.trim() === '') return;
  const name = driverClassName.trim();
  if (name === 'org.h2.Driver')
    throw BootErrors.DATASOURCE({
      message:
        'spring.datasource.driver-class-name org.h2.Driver: H2 runs only in a JVM; use jdbc:sqlite: with org.sqlite.JDBC (or no driver-class-name) for an embedded database',
    });
  const kinds = DRIVERS[name];
  if (kinds === undefined)
    throw BootErrors.DATASOURCE({
      message: `spring.datasource.driver-class-name ${name} has no Node driver here; expected one of ${Object.keys(DRIVERS).join(', ')} (or leave it unset: the URL picks the driver)`,
    });
  if (!kinds.includes(kind))
    throw BootErrors.DATASOURCE({
      message: `spring.datasource.driver-class-name ${name} does not accept a ${kind} URL (spring.datasource.url)`,
    });
}
