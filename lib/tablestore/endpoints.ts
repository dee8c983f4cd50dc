/**
 * Which Tablestore endpoint a caller uses, derived from the networks the instance accepts (its network ACL) and the
 * network the caller sends from. One module for every caller: the DataWorks data source and the runtime node (on
 * the resource group's VPC), the operations command (wherever `cdktf` runs) and the runtime CLI.
 *
 * Endpoint forms (Tablestore "Endpoints", https://www.alibabacloud.com/help/en/tablestore/latest/endpoint):
 *   internet  https://<instance>.<region>.ots.aliyuncs.com
 *   vpc       https://<instance>.<region>.vpc.tablestore.aliyuncs.com
 *   classic   https://<instance>.<region>.ots-internal.aliyuncs.com
 * An instance whose ACL leaves out the caller's network refuses it with 403 OTSAuthFailed ("can only be accessed
 * from the binded VPC"), so a wrong pairing is refused here, before any request, with what to set instead.
 */

/** A network a request can reach Tablestore from (`alicloud_ots_instance.network_type_acl` values, lowercased). */
export type TablestoreNetwork = 'internet' | 'vpc' | 'classic';

export const TABLESTORE_NETWORKS: readonly TablestoreNetwork[] = ['internet', 'vpc', 'classic'];

/** `network_type_acl` value of each network (terraform-provider-alicloud `alicloud_ots_instance`). */
const ACL_VALUE: Readonly<Record<TablestoreNetwork, 'INTERNET' | 'VPC' | 'CLASSIC'>> = { internet: 'INTERNET', vpc: 'VPC', classic: 'CLASSIC' };

const HOST_SUFFIX: Readonly<Record<TablestoreNetwork, string>> = {
  internet: 'ots.aliyuncs.com',
  vpc: 'vpc.tablestore.aliyuncs.com',
  classic: 'ots-internal.aliyuncs.com',
};

/** `TablestoreConfig.accessedBy` → the instance's `network_type_acl` and `network_source_acl`. */
export const INSTANCE_NETWORK_ACL: Readonly<Record<'Any' | 'Vpc' | 'ConsoleOrVpc', { readonly types: readonly string[]; readonly sources?: readonly string[] }>> = {
  Any: { types: ['VPC', 'INTERNET', 'CLASSIC'] },
  Vpc: { types: ['VPC'] },
  ConsoleOrVpc: { types: ['VPC'], sources: ['TRUST_PROXY'] },
};

/** The endpoint of `instanceName` for `network`, whatever the instance accepts. */
export function tablestoreEndpointFor(instanceName: string, region: string, network: TablestoreNetwork): string {
  return `https://${instanceName}.${region}.${HOST_SUFFIX[network]}`;
}

export class TablestoreEndpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TablestoreEndpointError';
  }
}

export interface EndpointRequest {
  readonly instanceName: string;
  readonly region: string;
  /** The instance's `network_type_acl` (e.g. `["VPC"]`). */
  readonly networkTypeAcl: readonly string[];
  /** Where the caller sends from. */
  readonly network: TablestoreNetwork;
  /** Who asks, for messages (e.g. "the operations command"). */
  readonly caller: string;
  /** An endpoint set explicitly (configuration, flag or variable): used as is, after a URL check. */
  readonly override?: string;
  /** What the caller can set to change the network or the endpoint, for the refusal message. */
  readonly remedy?: string;
}

/** The endpoint the caller must use, or a TablestoreEndpointError saying what to set. */
export function resolveTablestoreEndpoint(r: EndpointRequest): string {
  if (r.override !== undefined && r.override !== '') return checkEndpointUrl(r.override, r.caller);
  const acl = r.networkTypeAcl.map((t) => t.toUpperCase());
  if (acl.includes(ACL_VALUE[r.network])) return tablestoreEndpointFor(r.instanceName, r.region, r.network);
  const accepted = TABLESTORE_NETWORKS.filter((n) => acl.includes(ACL_VALUE[n]));
  throw new TablestoreEndpointError(
    `${r.caller} would reach Tablestore instance ${r.instanceName} over the ${r.network === 'internet' ? 'internet' : `${r.network} network`}, ` +
      `but the instance accepts only ${accepted.length > 0 ? accepted.join(', ') : 'no network'} traffic (network_type_acl ${JSON.stringify(r.networkTypeAcl)})` +
      (r.remedy ? `: ${r.remedy}` : ''),
  );
}

/** `network` parsed from a flag or variable value, with a message naming where it came from. */
export function parseTablestoreNetwork(value: string, source: string): TablestoreNetwork {
  const v = value.trim().toLowerCase();
  if ((TABLESTORE_NETWORKS as readonly string[]).includes(v)) return v as TablestoreNetwork;
  throw new TablestoreEndpointError(`${source} "${value}" must be one of ${TABLESTORE_NETWORKS.join(', ')}`);
}

function checkEndpointUrl(endpoint: string, caller: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TablestoreEndpointError(`the Tablestore endpoint set for ${caller}, "${endpoint}", is not a URL (expected https://host[:port])`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TablestoreEndpointError(`the Tablestore endpoint set for ${caller}, "${endpoint}", must be an http(s) URL`);
  }
  return endpoint;
}

/** Who reaches the instance, each with its own network and override (`TablestoreConfig.endpoints`). */
export type TablestoreCaller = 'dataworks' | 'operations' | 'runtime';

/** The instance fields the derivation reads (a structural slice of `TablestoreInstanceConfig`). */
export interface InstanceEndpointConfig {
  readonly name: string;
  /** Absent for a referenced instance: its ACL is not known here, so no network is refused up front. */
  readonly accessedBy?: keyof typeof INSTANCE_NETWORK_ACL;
  readonly endpoints?: Partial<Readonly<Record<TablestoreCaller, string>>>;
}

const CALLER_NAME: Readonly<Record<TablestoreCaller, string>> = {
  dataworks: 'the DataWorks data source and sync node',
  operations: 'the operations command',
  runtime: 'the sync runtime',
};

/** Every network: the ACL assumed for an instance whose `accessedBy` is not configured. */
export const ANY_NETWORK_ACL: readonly string[] = INSTANCE_NETWORK_ACL.Any.types;

/** The instance's `network_type_acl` as configured, or every network when it is not known. */
export function instanceNetworkTypeAcl(instance: InstanceEndpointConfig): readonly string[] {
  return instance.accessedBy ? INSTANCE_NETWORK_ACL[instance.accessedBy].types : ANY_NETWORK_ACL;
}

/**
 * The endpoint `caller` uses for a configured instance: the configuration's `endpoints.<caller>` when set, else the
 * endpoint of `network` if the instance accepts it. DataWorks runs on the resource group's VPC (`vpc`).
 */
export function instanceEndpoint(instance: InstanceEndpointConfig, region: string, caller: TablestoreCaller, network: TablestoreNetwork, remedy?: string): string {
  return resolveTablestoreEndpoint({
    instanceName: instance.name,
    region,
    networkTypeAcl: instanceNetworkTypeAcl(instance),
    network,
    caller: CALLER_NAME[caller],
    override: instance.endpoints?.[caller],
    remedy,
  });
}
