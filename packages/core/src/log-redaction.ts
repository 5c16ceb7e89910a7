/** Paths pino blanks out wherever they appear in a log object, before any format renders it. */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  'pwd',
  'token',
  'secret',
  'authorization',
  '*.password',
  '*.pwd',
  '*.token',
  '*.secret',
  '*.authorization',
  'headers.authorization',
  'headers.cookie',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers.token',
  'res.headers["set-cookie"]',
];
