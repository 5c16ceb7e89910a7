/** Spring's `SecureHeadersProperties` defaults (spring-wire.md §5.3), by header name. */
export const SECURE_HEADER_DEFAULTS = Object.freeze({
  'X-Xss-Protection': '1 ; mode=block',
  'Strict-Transport-Security': 'max-age=631138519',
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy':
    "default-src 'self' https:; font-src 'self' https: data:; img-src 'self' https: data:; object-src 'none'; script-src https:; style-src 'self' https: 'unsafe-inline'",
  'X-Download-Options': 'noopen',
  'X-Permitted-Cross-Domain-Policies': 'none',
  // Opt-in only, as in Spring (PERMISSIONS_POLICY_HEADER_OPT_IN_DEFAULT).
  'Permissions-Policy':
    'accelerometer=(), ambient-light-sensor=(), autoplay=(), battery=(), camera=(), cross-origin-isolated=(), display-capture=(), document-domain=(), encrypted-media=(), execution-while-not-rendered=(), execution-while-out-of-viewport=(), fullscreen=(), geolocation=(), gyroscope=(), keyboard-map=(), magnetometer=(), microphone=(), midi=(), navigation-override=(), payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), sync-xhr=(), usb=(), web-share=(), xr-spatial-tracking=()',
});

/** A header `SecureHeaders` can add. */
export type SecureHeaderName = keyof typeof SECURE_HEADER_DEFAULTS;
