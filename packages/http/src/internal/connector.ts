import { buildConnector, errors } from 'undici';

/**
 * undici's connector with the connect timeout on a native timer, and the half-made connection
 * destroyed when it fires. undici 7 runs its own connect timeout on a 1 s-resolution timer wheel
 * (a 250 ms timeout may take over a second), and after a TLS handshake timeout the peer could be
 * left with an open socket.
 */
export function connectorWithTimeout(connectTimeoutMs: number): buildConnector.connector {
  const connect = buildConnector({ timeout: 0 });
  return (options, callback) => {
    let isSettled = false;
    let socket: ReturnType<typeof connect> | undefined;
    const timer = setTimeout(() => {
      if (isSettled) return;
      isSettled = true;
      (socket as unknown as { destroy?: () => void } | undefined)?.destroy?.();
      callback(
        new errors.ConnectTimeoutError(
          `Connect Timeout Error (attempted address: ${options.hostname}:${options.port}, timeout: ${connectTimeoutMs}ms)`,
        ),
        null,
      );
    }, connectTimeoutMs);
    timer.unref();
    // undici's connector returns the socket it is connecting, so that it can be destroyed here.
    socket = connect(options, (...args) => {
      clearTimeout(timer);
      if (isSettled) {
        args[1]?.destroy();
        return;
      }
      isSettled = true;
      callback(...args);
    });
  };
}
