/** Construction-time checks shared by the managed-object constructs; messages name the construct and the prop. */
export class ConstructPropsError extends Error {
  constructor(where: string, prop: string, problem: string) {
    super(`${where}: ${prop}: ${problem}`);
    this.name = 'ConstructPropsError';
  }
}

export function checkRegion(where: string, region: string): void {
  if (!/^[a-z]{2,}-[a-z0-9-]+$/.test(region)) throw new ConstructPropsError(where, 'region', `"${region}" is not a region id such as cn-hangzhou`);
}

export function checkInstanceName(where: string, name: string): void {
  if (!/^[a-zA-Z][a-zA-Z0-9-]{1,14}[a-zA-Z0-9]$/.test(name)) {
    throw new ConstructPropsError(where, 'instanceName', `"${name}" is not a Tablestore instance name (3–16 letters, digits and hyphens, starting with a letter)`);
  }
}

export function checkTableName(where: string, prop: string, name: string): void {
  if (!/^[a-zA-Z_][a-zA-Z0-9_]{0,254}$/.test(name)) throw new ConstructPropsError(where, prop, `"${name}" is not a Tablestore table name`);
}
