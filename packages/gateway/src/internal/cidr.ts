import { BlockList, isIP } from 'node:net';

/**
 * Compiles CIDR sources (`192.168.1.1/24`, `2a01:111:2050::/44`, or a bare address = one host)
 * into a matcher, as Spring's `IpSubnetFilterRule`s.
 *
 * @throws Error naming the first source that is not an address or CIDR.
 */
export function compileCidrs(sources: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const source of sources) {
    const [address = '', prefixText] = source.trim().split('/');
    const family = isIP(address);
    const bits = family === 6 ? 128 : 32;
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > bits)
      throw new Error(`${JSON.stringify(source)} is not an IP address or CIDR`);
    list.addSubnet(address, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return (address) => {
    const family = isIP(address);
    return family !== 0 && list.check(address, family === 6 ? 'ipv6' : 'ipv4');
  };
}
