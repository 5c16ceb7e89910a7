const BEAN_REFERENCE = /^#\{@([A-Za-z_$][\w$]*)\}$/;

/**
 * The bean name in `#{@name}` (spring-wire.md §5.8: the only `#{…}` form accepted, and never
 * evaluated), or undefined when `value` is absent.
 *
 * @throws Error when the value is anything but a bean reference.
 */
export function beanName(value: string | undefined, argument: string): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const name = BEAN_REFERENCE.exec(value.trim())?.[1];
  if (name === undefined)
    throw new Error(
      `argument '${argument}' must be a bean reference '#{@name}', got ${JSON.stringify(value)}`,
    );
  return name;
}
