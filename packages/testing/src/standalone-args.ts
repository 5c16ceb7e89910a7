/** Flags that make a service run alone on 127.0.0.1:0 with its data in `dataDir`. */
export function standaloneArgs(dataDir: string, extra: string[] = []): string[] {
  return [
    '--server.port=0',
    '--server.address=127.0.0.1',
    '--eureka.client.enabled=false',
    '--spring.config.import=',
    `--stratus.data-dir=${dataDir}`,
    '--stratus.messaging.embedded.poll-interval-ms=20',
    ...extra,
  ];
}
